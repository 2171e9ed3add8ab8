/* Pure decoding of md's sysfs values: sync progress, member states, redundancy by level. */
#ifndef FOREWARN_MDRAID_PARSE_H
#define FOREWARN_MDRAID_PARSE_H

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

#endif
