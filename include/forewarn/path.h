/* Every sysfs/procfs/dev path goes through here, under one root (--root). */
#ifndef FOREWARN_PATH_H
#define FOREWARN_PATH_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "forewarn/util.h"

/* NULL, "" or "/" mean the real root. Returns 0 or -ENAMETOOLONG. */
int		 path_set_root(const char *root);
const char	*path_root(void);

/*
 * Build the rooted path of an absolute path given printf-style.
 * 0, or -ENAMETOOLONG when it does not fit.
 */
int	 path_build(char *buf, size_t size, const char *fmt, ...) FW_PRINTF(3, 4);

/* open(2) of a rooted path with O_CLOEXEC added; fd or -errno. */
int	 path_open(const char *path, int flags);
DIR	*path_opendir(const char *path);

/*
 * Read a whole small file (sysfs attribute, /proc file) into buf and
 * NUL-terminate it.  -EFBIG when it does not fit, else 0 or -errno.
 * ret_len may be NULL.
 */
int	 path_read(const char *path, char *buf, size_t size, size_t *ret_len);
/* The first line, without its newline. */
int	 path_read_line(const char *path, char *buf, size_t size);
int	 path_read_u64(const char *path, int base, uint64_t *ret);
int	 path_read_i64(const char *path, int64_t *ret);

#endif
