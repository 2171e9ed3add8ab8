/* The fake clock tests link instead of agent/clock.c (a link seam). */
#ifndef FOREWARN_FAKE_CLOCK_H
#define FOREWARN_FAKE_CLOCK_H

#include <stdint.h>

/* Both clocks start at fixed, arbitrary points: mono 1000 s, wall 2026-01-01. */
void	fake_clock_reset(void);
void	fake_clock_advance_ms(int64_t ms);
void	fake_clock_set_wall_ms(int64_t wall_ms);
/* Pretend the machine slept: wall and boot time move, monotonic does not. */
void	fake_clock_suspend_ms(int64_t ms);

#endif
