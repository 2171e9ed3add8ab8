/* Every sysfs/procfs/dev path goes through here, under one root (--root). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "forewarn/path.h"

static char path_prefix[PATH_MAX];	/* "" = the real root */

int
path_set_root(const char *root)
{
	size_t n;

	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0) {
		path_prefix[0] = '\0';
		return 0;
	}
	if (fw_strlcpy(path_prefix, root, sizeof(path_prefix)) < 0) {
		path_prefix[0] = '\0';
		return -ENAMETOOLONG;
	}
	n = strlen(path_prefix);
	while (n > 1 && path_prefix[n - 1] == '/')
		path_prefix[--n] = '\0';
	return 0;
}

const char *
path_root(void)
{
	return path_prefix[0] != '\0' ? path_prefix : "/";
}

int
path_build(char *buf, size_t size, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	return fw_snprintf(buf, size, "%s%s", path_prefix, rel);
}

int
path_open(const char *path, int flags)
{
	char full[PATH_MAX];
	int fd, r;

	r = path_build(full, sizeof(full), "%s", path);
	if (r < 0)
		return r;
	fd = open(full, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

DIR *
path_opendir(const char *path)
{
	char full[PATH_MAX];

	if (path_build(full, sizeof(full), "%s", path) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return opendir(full);
}

int
path_read(const char *path, char *buf, size_t size, size_t *ret_len)
{
	size_t len = 0;
	ssize_t n;
	int fd, r = 0;

	if (size == 0)
		return -EINVAL;
	fd = path_open(path, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return fd;
	for (;;) {
		if (len + 1 >= size) {
			char extra;

			/* Full: it fits only if the file ends exactly here. */
			n = read(fd, &extra, 1);
			if (n > 0)
				r = -EFBIG;
			else if (n < 0)
				r = -errno;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	buf[len] = '\0';
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int
path_read_line(const char *path, char *buf, size_t size)
{
	char tmp[4096];
	char *nl;
	int r;

	r = path_read(path, tmp, sizeof(tmp), NULL);
	if (r < 0 && r != -EFBIG)
		return r;
	nl = strchr(tmp, '\n');
	if (nl != NULL)
		*nl = '\0';
	else if (r == -EFBIG)
		return r;
	return fw_strlcpy(buf, tmp, size) < 0 ? -EFBIG : 0;
}

int
path_read_u64(const char *path, int base, uint64_t *ret)
{
	char buf[64];
	int r;

	r = path_read_line(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return fw_parse_u64(buf, base, ret);
}

int
path_read_i64(const char *path, int64_t *ret)
{
	char buf[64];
	int r;

	r = path_read_line(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return fw_parse_i64(buf, INT64_MIN, INT64_MAX, ret);
}
