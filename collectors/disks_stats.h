/* /proc/diskstats: per-disk I/O counts and times, and the latency they imply. */
#ifndef FOREWARN_DISKS_STATS_H
#define FOREWARN_DISKS_STATS_H

#include <stddef.h>
#include <stdint.h>

struct diskstat {
	char		name[32];
	uint64_t	ios;		/* reads + writes completed */
	uint64_t	io_ms;		/* ms spent on reads + writes */
	uint64_t	in_flight;	/* I/Os in progress now */
};

/*
 * Parse the text of /proc/diskstats into at most max entries; lines that
 * are not well-formed are skipped.  Returns the number of entries.
 */
size_t	diskstats_parse(const char *text, size_t len, struct diskstat *ret,
	    size_t max);
/* Mean time per I/O between two samples in ms; -1 when no I/O happened. */
double	diskstat_await(const struct diskstat *before,
	    const struct diskstat *after);

#endif
