/* A deterministic clock for unit tests, replacing agent/clock.c at link time. */
#include "forewarn/clock.h"
#include "fake_clock.h"

#define MONO_START_US	(1000LL * 1000000)
#define WALL_START_MS	1767225600000LL	/* 2026-01-01T00:00:00Z */

static int64_t mono_us = MONO_START_US;
static int64_t wall_ms = WALL_START_MS;
static int64_t slept_us;

void
fake_clock_reset(void)
{
	mono_us = MONO_START_US;
	wall_ms = WALL_START_MS;
	slept_us = 0;
}

void
fake_clock_advance_ms(int64_t ms)
{
	mono_us += ms * 1000;
	wall_ms += ms;
}

void
fake_clock_set_wall_ms(int64_t ms)
{
	wall_ms = ms;
}

void
fake_clock_suspend_ms(int64_t ms)
{
	wall_ms += ms;
	slept_us += ms * 1000;
}

struct fw_mono
clock_mono_now(void)
{
	struct fw_mono t = { mono_us };

	return t;
}

int64_t
clock_wall_ms(void)
{
	return wall_ms;
}

int64_t
clock_suspended_us(void)
{
	int64_t d = slept_us;

	slept_us = 0;
	return d;
}
