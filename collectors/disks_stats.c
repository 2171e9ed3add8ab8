/* /proc/diskstats: per-disk I/O counts and times, and the latency they imply. */
#include <string.h>

#include "forewarn/util.h"
#include "disks_stats.h"

#define FIELDS_MIN 14	/* major minor name + 11 counters (since 2.6) */

/* Split one line into at most n white-space separated fields. */
static size_t
split(char *line, char **f, size_t n)
{
	size_t k = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t", &save); t != NULL && k < n;
	    t = strtok_r(NULL, " \t", &save))
		f[k++] = t;
	return k;
}

static int
parse_line(char *line, struct diskstat *d)
{
	uint64_t v[11];
	char *f[20];
	size_t n, i;

	n = split(line, f, 20);
	if (n < FIELDS_MIN || strlen(f[2]) >= sizeof(d->name))
		return -1;
	for (i = 0; i < 11; i++)
		if (fw_parse_u64(f[3 + i], 10, &v[i]) < 0)
			return -1;
	memset(d, 0, sizeof(*d));
	memcpy(d->name, f[2], strlen(f[2]) + 1);
	/* reads completed [0], ms reading [3], writes [4], ms writing [7]. */
	d->ios = v[0] + v[4];
	d->io_ms = v[3] + v[7];
	d->in_flight = v[8];
	return 0;
}

size_t
diskstats_parse(const char *text, size_t len, struct diskstat *ret,
    size_t max)
{
	const char *p = text, *end = text + len, *nl;
	char line[512];
	size_t n = 0, l;

	while (p < end && n < max) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		l = (size_t)(nl - p);
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			if (memchr(line, '\0', l) == NULL &&
			    parse_line(line, &ret[n]) == 0)
				n++;
		}
		p = nl + 1;
	}
	return n;
}

double
diskstat_await(const struct diskstat *a, const struct diskstat *b)
{
	/* Counters wrap or reset (device re-added): no judgement then. */
	if (b->ios <= a->ios || b->io_ms < a->io_ms)
		return -1;
	return (double)(b->io_ms - a->io_ms) / (double)(b->ios - a->ios);
}
