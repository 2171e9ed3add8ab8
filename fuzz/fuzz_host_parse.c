/* libFuzzer target: the host collector's /proc parsers on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "../collectors/host_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct meminfo m;
	struct loadavg l;
	unsigned n;
	double up;

	/* The parsers take a length and must never read past it. */
	meminfo_parse(t, size, &m);
	loadavg_parse(t, size, &l);
	uptime_parse(t, size, &up);
	cpulist_count(t, size, &n);
	return 0;
}
