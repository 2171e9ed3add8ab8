/* Pure decoding of md's sysfs values: sync progress, member states, redundancy by level. */
#ifndef FOREWARN_MDRAID_PARSE_H
#define FOREWARN_MDRAID_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Member state words of md/dev-NAME/state (Documentation/admin-guide/md.rst). */
#define MD_FAULTY		0x01
#define MD_IN_SYNC		0x02
#define MD_SPARE		0x04
#define MD_BLOCKED		0x08
#define MD_WRITE_ERROR		0x10
#define MD_WANT_REPLACEMENT	0x20
#define MD_REPLACEMENT		0x40

/* "done / total" sectors; -ENODATA for "none", -EINVAL when malformed. */
int		md_sync_completed_parse(const char *s, uint64_t *ret_done,
		    uint64_t *ret_total);
/* The MD_* flags of a comma-separated state such as "faulty,write_error". */
unsigned	md_member_flags(const char *state);
/*
 * How many more member failures the array survives now, from its level,
 * raid_disks and md/degraded; -1 for levels without redundancy.
 */
int		md_redundancy_left(const char *level, int raid_disks,
		    int degraded);

/* An ARRAY line of mdadm.conf: what the administrator declared. */
struct md_conf_array {
	char		uuid[33];	/* 32 lower-case hex digits, or "" */
	char		devname[64];	/* "/dev/md/0", or "" */
	int		spares;		/* spares=N, or -1 when not said */
	unsigned	line;
};

/*
 * mdadm.conf (mdadm.conf(5)): comments, continuation lines (leading
 * white space), keywords matched like mdadm does (case-insensitive, any
 * prefix of three letters or more).  Fills up to max ARRAY lines into out
 * and returns how many; a malformed ARRAY line is skipped and told in err
 * as "line N: ..." (the first one), as mdadm would ignore it.
 */
size_t		md_conf_parse(const char *text, size_t len,
		    struct md_conf_array *out, size_t max, char *err,
		    size_t err_size);
/*
 * Normalise a UUID written with any of the separators mdadm and the kernel
 * use (':', '-', '.', ' ') to 32 lower-case hex digits; -EINVAL otherwise.
 */
int		md_uuid_norm(const char *s, char ret[33]);
/*
 * The same array?  mdadm shows 0.90 superblock UUIDs as host-order words,
 * the kernel as bytes: a word-wise byte swap matches too.
 */
int		md_uuid_same(const char *a, const char *b);

#endif
