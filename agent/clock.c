/* The only caller of clock_gettime (bgpd monotime); tests link a fake instead. */
#include <time.h>

#include "forewarn/clock.h"

static int64_t
read_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct fw_mono
clock_mono_now(void)
{
	struct fw_mono t = { read_us(CLOCK_MONOTONIC) };

	return t;
}

int64_t
clock_wall_ms(void)
{
	return read_us(CLOCK_REALTIME) / 1000;
}

int64_t
clock_suspended_us(void)
{
	static int64_t last = -1;
	int64_t gap, d;

	/* BOOTTIME keeps counting in suspend, MONOTONIC does not. */
	gap = read_us(CLOCK_BOOTTIME) - read_us(CLOCK_MONOTONIC);
	d = last < 0 ? 0 : gap - last;
	last = gap;
	return d > 1000 ? d : 0;
}
