/* Memory wrappers that abort on exhaustion, checked number parsers, string helpers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "forewarn/util.h"

static void
oom(size_t n)
{
	fprintf(stderr, "forewarnd: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	q = realloc(p, n * size != 0 ? n * size : 1);
	if (q == NULL)
		oom(n * size);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p;

	p = strdup(s);
	if (p == NULL)
		oom(strlen(s) + 1);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

/* Skip white space at both ends; return the end of the significant part. */
static const char *
trim(const char **s)
{
	const char *end;

	while (isspace((unsigned char)**s))
		(*s)++;
	end = *s + strlen(*s);
	while (end > *s && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

int
fw_parse_u64(const char *s, int base, uint64_t *ret)
{
	const char *end;
	char *ep;
	unsigned long long v;

	if (s == NULL)
		return -EINVAL;
	end = trim(&s);
	if (s == end || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &ep, base);
	if (ep != end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
fw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	const char *end;
	char *ep;
	long long v;

	if (s == NULL)
		return -EINVAL;
	end = trim(&s);
	if (s == end)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &ep, 10);
	if (ep != end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
fw_parse_double(const char *s, double *ret)
{
	const char *end;
	char *ep;
	double v;

	if (s == NULL)
		return -EINVAL;
	end = trim(&s);
	if (s == end)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &ep);
	if (ep != end || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
fw_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	char buf[8];
	const char *end;
	size_t i, n;

	if (s == NULL)
		return -EINVAL;
	end = trim(&s);
	n = (size_t)(end - s);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[n] = '\0';
	for (i = 0; i < FW_ARRAY_SIZE(yes); i++) {
		if (strcmp(buf, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(buf, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int
fw_parse_duration_ms(const char *s, uint64_t *ret_ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "", 1000 },
	};
	char num[32];
	const char *end, *p;
	uint64_t v;
	size_t i, n;

	if (s == NULL)
		return -EINVAL;
	end = trim(&s);
	for (p = s; p < end && isdigit((unsigned char)*p); p++)
		;
	n = (size_t)(p - s);
	if (n == 0 || n >= sizeof(num))
		return n == 0 ? -EINVAL : -ERANGE;
	memcpy(num, s, n);
	num[n] = '\0';
	if (fw_parse_u64(num, 10, &v) < 0)
		return -EINVAL;
	for (i = 0; i < FW_ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].suffix);

		if ((size_t)(end - p) != sl || strncmp(p, units[i].suffix, sl) != 0)
			continue;
		if (v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		*ret_ms = v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

size_t
fw_word_next(const char **p, char *word, size_t size)
{
	const char *s = *p;
	size_t len;

	if (size > 0)
		word[0] = '\0';
	if (s == NULL)
		return 0;
	s += strspn(s, " \t");
	len = strcspn(s, " \t");
	if (size > 0) {
		memcpy(word, s, len < size ? len : size - 1);
		word[len < size ? len : size - 1] = '\0';
	}
	*p = s + len;
	return len;
}

int
fw_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return -ENAMETOOLONG;
	n = strlen(src);
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
fw_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

size_t
fw_sanitize(char *dst, size_t size, const char *src, size_t srclen)
{
	size_t i, n = 0;
	bool space = false;

	if (size == 0)
		return 0;
	for (i = 0; i < srclen && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];

		if (isspace(c) || c < 0x20 || c >= 0x7f) {
			/* Control and non-ASCII bytes become one separator. */
			space = n > 0;
			continue;
		}
		if (space && n + 1 < size)
			dst[n++] = ' ';
		space = false;
		if (n + 1 >= size)
			break;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

uint64_t
fw_fnv64(uint64_t seed, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
fw_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "forewarnd: getrandom failed\n");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

int
fw_unix_dgram(const char *path, struct sockaddr_un *addr,
    unsigned *ret_addr_len)
{
	int fd;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (fw_strlcpy(addr->sun_path, path, sizeof(addr->sun_path)) < 0)
		return -ENAMETOOLONG;
	*ret_addr_len = (unsigned)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return fd >= 0 ? fd : -errno;
}
