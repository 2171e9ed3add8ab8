/* Memory wrappers that abort on exhaustion, checked number parsers, string helpers. */
#ifndef FOREWARN_UTIL_H
#define FOREWARN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FW_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xasprintf(const char *fmt, ...) FW_PRINTF(1, 2);

/*
 * Number parsers take the whole string (leading and trailing white space,
 * including a trailing newline from sysfs, is ignored) and return 0 or
 * -EINVAL (not a number, trailing junk) or -ERANGE (outside [min, max]).
 * The output parameter is untouched on failure.
 */
int	 fw_parse_u64(const char *s, int base, uint64_t *ret);
int	 fw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);
int	 fw_parse_double(const char *s, double *ret);
int	 fw_parse_bool(const char *s, bool *ret);
/* "250ms", "30s", "5m", "2h", "1d"; a bare number is seconds. */
int	 fw_parse_duration_ms(const char *s, uint64_t *ret_ms);

/* Copy with truncation check: 0, or -ENAMETOOLONG when src did not fit. */
int	 fw_strlcpy(char *dst, const char *src, size_t size);
/*
 * The next word of a space-separated list at *p: copied into word (cut to
 * size - 1), *p moved past it.  Returns the word's whole length, 0 at the
 * end; a length of size or more means the copy was cut.
 */
size_t	 fw_word_next(const char **p, char *word, size_t size);
/* snprintf that returns 0 or -ENAMETOOLONG (truncated) or -EINVAL. */
int	 fw_snprintf(char *dst, size_t size, const char *fmt, ...) FW_PRINTF(3, 4);

/*
 * Copy a device-supplied string (model, serial, label) keeping printable
 * ASCII only, folding runs of white space and trimming both ends.  Always
 * NUL-terminates; returns the length written.
 */
size_t	 fw_sanitize(char *dst, size_t size, const char *src, size_t srclen);

/* 64-bit FNV-1a over a buffer, chainable through the seed. */
#define FW_FNV64_SEED 0xcbf29ce484222325ULL
uint64_t fw_fnv64(uint64_t seed, const void *buf, size_t len);

/* Fill buf with cryptographically random bytes (getrandom). */
void	 fw_random(void *buf, size_t len);

struct sockaddr_un;
/*
 * A non-blocking unix datagram socket for sending to path, never connected
 * (a restarted daemon is reached by its path again), with path's address
 * in *addr.  The fd, -ENAMETOOLONG when path does not fit, or -errno.
 */
int	 fw_unix_dgram(const char *path, struct sockaddr_un *addr,
	    unsigned *ret_addr_len);

#endif
