/* Pure parsers of /proc/meminfo, /proc/loadavg, /proc/uptime and CPU lists. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "forewarn/util.h"
#include "host_parse.h"

/* Copy one bounded field out of untrusted text, NUL-terminated. */
static int
take_field(const char **p, const char *end, char *buf, size_t size,
    const char *seps)
{
	size_t n = 0;

	while (*p < end && strchr(seps, **p) != NULL && **p != '\0')
		(*p)++;
	while (*p < end && **p != '\0' && strchr(seps, **p) == NULL) {
		if (n + 1 >= size)
			return -EINVAL;
		buf[n++] = *(*p)++;
	}
	buf[n] = '\0';
	return n > 0 ? 0 : -EINVAL;
}

/* "MemTotal:       16314572 kB" → bytes; lines we do not know are skipped. */
static int
meminfo_line(const char *line, size_t len, struct meminfo *m)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "MemTotal", offsetof(struct meminfo, total) },
		{ "MemAvailable", offsetof(struct meminfo, available) },
		{ "MemFree", offsetof(struct meminfo, free) },
		{ "SwapTotal", offsetof(struct meminfo, swap_total) },
		{ "SwapFree", offsetof(struct meminfo, swap_free) },
	};
	char name[64], num[32], unit[8];
	const char *p = line, *end = line + len;
	uint64_t v;
	size_t i;

	if (take_field(&p, end, name, sizeof(name), ": \t") < 0)
		return 0;
	for (i = 0; i < FW_ARRAY_SIZE(keys); i++)
		if (strcmp(name, keys[i].name) == 0)
			break;
	if (i == FW_ARRAY_SIZE(keys))
		return 0;
	if (take_field(&p, end, num, sizeof(num), ": \t") < 0 ||
	    fw_parse_u64(num, 10, &v) < 0)
		return -EINVAL;
	if (take_field(&p, end, unit, sizeof(unit), " \t") == 0) {
		if (strcmp(unit, "kB") != 0)
			return -EINVAL;
		if (v > UINT64_MAX / 1024)
			return -ERANGE;
		v *= 1024;
	}
	*(uint64_t *)((char *)m + keys[i].off) = v;
	if (strcmp(name, "MemAvailable") == 0)
		m->has_available = 1;
	return 0;
}

int
meminfo_parse(const char *text, size_t len, struct meminfo *ret)
{
	struct meminfo m;
	const char *p = text, *end = text + len, *nl;

	memset(&m, 0, sizeof(m));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (meminfo_line(p, (size_t)(nl - p), &m) < 0)
			return -EINVAL;
		p = nl + 1;
	}
	if (m.total == 0)
		return -EINVAL;
	/* Kernels before 3.14 lack MemAvailable: MemFree is the floor. */
	if (!m.has_available)
		m.available = m.free;
	if (m.available > m.total || m.swap_free > m.swap_total)
		return -EINVAL;
	*ret = m;
	return 0;
}

int
loadavg_parse(const char *text, size_t len, struct loadavg *ret)
{
	struct loadavg l;
	const char *p = text, *end = text + len;
	char f[32], *slash;
	uint64_t a, b;
	int i;

	for (i = 0; i < 3; i++) {
		if (take_field(&p, end, f, sizeof(f), " \t\n") < 0 ||
		    fw_parse_double(f, &l.load[i]) < 0 || l.load[i] < 0)
			return -EINVAL;
	}
	/* "2/345": runnable / total scheduling entities. */
	if (take_field(&p, end, f, sizeof(f), " \t\n") < 0)
		return -EINVAL;
	slash = strchr(f, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (fw_parse_u64(f, 10, &a) < 0 || fw_parse_u64(slash + 1, 10, &b) < 0 ||
	    a > UINT32_MAX || b > UINT32_MAX)
		return -EINVAL;
	l.running = (unsigned)a;
	l.total = (unsigned)b;
	*ret = l;
	return 0;
}

int
uptime_parse(const char *text, size_t len, double *ret)
{
	const char *p = text, *end = text + len;
	char f[32];
	double v;

	if (take_field(&p, end, f, sizeof(f), " \t\n") < 0 ||
	    fw_parse_double(f, &v) < 0 || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
cpulist_count(const char *text, size_t len, unsigned *ret)
{
	const char *p = text, *end = text + len;
	char f[32], *dash;
	uint64_t a, b, n = 0;

	while (p < end && *p != '\n' && *p != '\0') {
		if (take_field(&p, end, f, sizeof(f), ",\n") < 0)
			return -EINVAL;
		dash = strchr(f, '-');
		if (dash != NULL)
			*dash = '\0';
		if (fw_parse_u64(f, 10, &a) < 0)
			return -EINVAL;
		b = a;
		if (dash != NULL && fw_parse_u64(dash + 1, 10, &b) < 0)
			return -EINVAL;
		if (b < a || b - a > 65536)
			return -EINVAL;
		n += b - a + 1;
		if (n > 1u << 20)
			return -EINVAL;
		while (p < end && *p == ',')
			p++;
	}
	if (n == 0)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}
