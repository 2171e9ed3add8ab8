/* mountinfo lines and btrfs error_stats: the file system state the kernel log's messages leave behind. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/util.h"
#include "kmsg_fs.h"

#define MI_FIELDS_MAX	32

/* Copy a field, undoing the kernel's octal escapes of ' ', \t, \n, \\. */
static void
unescape(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < size; i++) {
		if (src[i] == '\\' && i + 3 < len &&
		    src[i + 1] >= '0' && src[i + 1] <= '3' &&
		    src[i + 2] >= '0' && src[i + 2] <= '7' &&
		    src[i + 3] >= '0' && src[i + 3] <= '7') {
			dst[o++] = (char)((src[i + 1] - '0') * 64 +
			    (src[i + 2] - '0') * 8 + (src[i + 3] - '0'));
			i += 3;
			continue;
		}
		dst[o++] = src[i];
	}
	dst[o] = '\0';
}

/* "rw,noatime" or "ro": the first option says which. */
static bool
opts_ro(const char *s, size_t len)
{
	return len >= 2 && s[0] == 'r' && s[1] == 'o' && (len == 2 ||
	    s[2] == ',');
}

static bool
opts_rw(const char *s, size_t len)
{
	return len >= 2 && s[0] == 'r' && s[1] == 'w' && (len == 2 ||
	    s[2] == ',');
}

static bool
parse_uint(const char *s, size_t len, unsigned *ret)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*ret = (unsigned)v;
	return true;
}

int
mountinfo_parse(const char *line, struct mountinfo *m)
{
	const char *f[MI_FIELDS_MAX], *p, *colon;
	size_t flen[MI_FIELDS_MAX], n = 0, dash, i;

	memset(m, 0, sizeof(*m));
	for (p = line; *p != '\0' && *p != '\n' && n < MI_FIELDS_MAX;) {
		f[n] = p;
		while (*p != ' ' && *p != '\0' && *p != '\n')
			p++;
		flen[n] = (size_t)(p - f[n]);
		n++;
		if (*p == ' ')
			p++;
	}
	/* Six fixed fields, optional ones, "-", then three more. */
	for (dash = 6; dash < n; dash++)
		if (flen[dash] == 1 && f[dash][0] == '-')
			break;
	if (n < 10 || n - dash < 4)
		return -EINVAL;
	colon = memchr(f[2], ':', flen[2]);
	if (colon == NULL || !parse_uint(f[2], (size_t)(colon - f[2]),
	    &m->major) || !parse_uint(colon + 1, flen[2] - (size_t)(colon -
	    f[2]) - 1, &m->minor))
		return -EINVAL;
	if (!opts_ro(f[5], flen[5]) && !opts_rw(f[5], flen[5]))
		return -EINVAL;
	i = dash + 3;
	if (!opts_ro(f[i], flen[i]) && !opts_rw(f[i], flen[i]))
		return -EINVAL;
	unescape(m->mountpoint, sizeof(m->mountpoint), f[4], flen[4]);
	unescape(m->fstype, sizeof(m->fstype), f[dash + 1], flen[dash + 1]);
	unescape(m->source, sizeof(m->source), f[dash + 2], flen[dash + 2]);
	m->mnt_ro = opts_ro(f[5], flen[5]);
	m->sb_ro = opts_ro(f[i], flen[i]);
	return 0;
}

/* File systems that are written to and turn read-only on errors. */
static const char *const writable_fs[] = {
	"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "vfat", "exfat",
	"ntfs3", "jfs", "reiserfs", "nilfs2", "ocfs2", "gfs2", "bcachefs",
};

bool
mountinfo_forced_ro(const struct mountinfo *m)
{
	size_t i;

	if (m->mnt_ro || !m->sb_ro)
		return false;
	for (i = 0; i < FW_ARRAY_SIZE(writable_fs); i++)
		if (strcmp(m->fstype, writable_fs[i]) == 0)
			return true;
	return false;
}

int
btrfs_errors_parse(const char *buf, size_t len, struct btrfs_errors *b)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} keys[] = {
		{ "write_errs", offsetof(struct btrfs_errors, write) },
		{ "read_errs", offsetof(struct btrfs_errors, read) },
		{ "flush_errs", offsetof(struct btrfs_errors, flush) },
		{ "corruption_errs", offsetof(struct btrfs_errors, corruption) },
		{ "generation_errs", offsetof(struct btrfs_errors, generation) },
	};
	const char *p = buf, *end = buf + len, *nl, *sp;
	char num[24];
	uint64_t v;
	size_t i, klen, found = 0;

	memset(b, 0, sizeof(*b));
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (sp == NULL || (size_t)(nl - sp - 1) >= sizeof(num))
			continue;
		klen = (size_t)(sp - p);
		memcpy(num, sp + 1, (size_t)(nl - sp - 1));
		num[nl - sp - 1] = '\0';
		for (i = 0; i < FW_ARRAY_SIZE(keys); i++)
			if (strlen(keys[i].name) == klen &&
			    memcmp(p, keys[i].name, klen) == 0 &&
			    fw_parse_u64(num, 10, &v) == 0) {
				memcpy((char *)b + keys[i].off, &v, sizeof(v));
				found++;
			}
	}
	return found > 0 ? 0 : -EINVAL;
}

uint64_t
btrfs_errors_total(const struct btrfs_errors *b)
{
	uint64_t t = 0, v[5] = { b->write, b->read, b->flush, b->corruption,
	    b->generation };
	size_t i;

	for (i = 0; i < 5; i++)
		t = v[i] > UINT64_MAX - t ? UINT64_MAX : t + v[i];
	return t;
}
