/* The only window onto time: monotonic for scheduling, wall for timestamps. */
#ifndef FOREWARN_CLOCK_H
#define FOREWARN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* A point on CLOCK_MONOTONIC in microseconds (bgpd monotime). */
struct fw_mono {
	int64_t us;
};

struct fw_mono	clock_mono_now(void);
/* Wall time, milliseconds since the epoch, for timestamps only. */
int64_t		clock_wall_ms(void);
/*
 * Microseconds the machine spent suspended since the previous call
 * (CLOCK_BOOTTIME minus CLOCK_MONOTONIC, differenced); 0 when none.
 */
int64_t		clock_suspended_us(void);

static inline struct fw_mono
mono_add_ms(struct fw_mono t, int64_t ms)
{
	t.us += ms * 1000;
	return t;
}

static inline int64_t
mono_diff_ms(struct fw_mono later, struct fw_mono earlier)
{
	return (later.us - earlier.us) / 1000;
}

static inline bool
mono_before(struct fw_mono a, struct fw_mono b)
{
	return a.us < b.us;
}

#endif
