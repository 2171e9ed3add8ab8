/*
 * Lab tool: print the wall clock as seconds with nanoseconds, the one
 * thing busybox date cannot (no %N).  The benchmarks stamp events with it.
 */
#include <stdio.h>
#include <time.h>

int
main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return 1;
	printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}
