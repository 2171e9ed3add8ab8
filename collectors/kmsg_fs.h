/*
 * File system state beside the kernel log: /proc/self/mountinfo lines
 * (proc(5)) and btrfs device error counters (sysfs error_stats).  Pure
 * functions, for the unit tests and the fuzzer.
 */
#ifndef KMSG_FS_H
#define KMSG_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mountinfo {
	unsigned	major, minor;
	char		mountpoint[256];	/* unescaped (\040 → ' ') */
	char		fstype[32];
	char		source[128];
	bool		mnt_ro;		/* the mount's own flag (field 6) */
	bool		sb_ro;		/* the superblock's (super options) */
};

/*
 * One mountinfo line, without its newline: "36 35 98:0 /mnt1 /mnt2 rw,noatime
 * master:1 - ext3 /dev/root rw,errors=continue".  0, or -EINVAL naming
 * nothing: the caller says which line of which file.
 */
int	mountinfo_parse(const char *line, struct mountinfo *ret);

/*
 * A file system the kernel made read-only under a writable mount: the
 * superblock is read-only (ext4 errors=remount-ro, btrfs after an abort)
 * while the mount was not asked to be.  Only for file system types that
 * can be written; squashfs and the like are read-only by nature.
 */
bool	mountinfo_forced_ro(const struct mountinfo *m);

/* A btrfs device's error_stats: "write_errs 0\nread_errs 3\n..." */
struct btrfs_errors {
	uint64_t	write, read, flush, corruption, generation;
};

/* 0, or -EINVAL when no known counter was found. */
int	btrfs_errors_parse(const char *buf, size_t len,
	    struct btrfs_errors *ret);
uint64_t btrfs_errors_total(const struct btrfs_errors *b);

#endif
