/* Pure parsers of /proc/meminfo, /proc/loadavg, /proc/uptime and CPU lists. */
#ifndef FOREWARN_HOST_PARSE_H
#define FOREWARN_HOST_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct meminfo {
	uint64_t	total;		/* bytes; 0 = absent */
	uint64_t	available;	/* MemAvailable, or an estimate */
	uint64_t	free;
	uint64_t	swap_total;
	uint64_t	swap_free;
	int		has_available;	/* MemAvailable was present */
};

struct loadavg {
	double	load[3];
	unsigned running;
	unsigned total;
};

/* 0, or -EINVAL when MemTotal is missing or a line is malformed. */
int	meminfo_parse(const char *text, size_t len, struct meminfo *ret);
int	loadavg_parse(const char *text, size_t len, struct loadavg *ret);
/* First field of /proc/uptime, in seconds. */
int	uptime_parse(const char *text, size_t len, double *ret);
/* Number of CPUs in a kernel cpulist such as "0-3,8,10-11". */
int	cpulist_count(const char *text, size_t len, unsigned *ret);

#endif
