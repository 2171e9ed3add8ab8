/* Pure decoding of md's sysfs values: sync progress, member states, redundancy by level. */
#include <errno.h>
#include <string.h>

#include "forewarn/util.h"
#include "mdraid_parse.h"

int
md_sync_completed_parse(const char *s, uint64_t *ret_done, uint64_t *ret_total)
{
	char a[32], b[32];
	const char *slash;
	uint64_t done, total;
	size_t n;

	/* "none", or "1234 / 5678" (sectors). */
	if (s == NULL)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash == NULL)
		return -ENODATA;
	n = (size_t)(slash - s);
	if (n >= sizeof(a) || fw_strlcpy(b, slash + 1, sizeof(b)) < 0)
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = '\0';
	if (fw_parse_u64(a, 10, &done) < 0 || fw_parse_u64(b, 10, &total) < 0 ||
	    total == 0 || done > total)
		return -EINVAL;
	*ret_done = done;
	*ret_total = total;
	return 0;
}

unsigned
md_member_flags(const char *state)
{
	static const struct {
		const char	*word;
		unsigned	 flag;
	} words[] = {
		{ "faulty", MD_FAULTY }, { "in_sync", MD_IN_SYNC },
		{ "spare", MD_SPARE }, { "blocked", MD_BLOCKED },
		{ "write_error", MD_WRITE_ERROR },
		{ "want_replacement", MD_WANT_REPLACEMENT },
		{ "replacement", MD_REPLACEMENT },
	};
	char buf[128], *tok, *save = NULL;
	unsigned flags = 0;
	size_t i;

	if (state == NULL || fw_strlcpy(buf, state, sizeof(buf)) < 0)
		return 0;
	for (tok = strtok_r(buf, ", \n", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \n", &save))
		for (i = 0; i < FW_ARRAY_SIZE(words); i++)
			if (strcmp(tok, words[i].word) == 0)
				flags |= words[i].flag;
	return flags;
}

int
md_redundancy_left(const char *level, int raid_disks, int degraded)
{
	int left;

	if (level == NULL || raid_disks <= 0 || degraded < 0)
		return -1;
	if (strcmp(level, "raid1") == 0)
		left = raid_disks - 1 - degraded;
	else if (strcmp(level, "raid4") == 0 || strcmp(level, "raid5") == 0)
		left = 1 - degraded;
	else if (strcmp(level, "raid6") == 0)
		left = 2 - degraded;
	else if (strcmp(level, "raid10") == 0)
		/*
		 * Depends on which members failed; with the default near-2
		 * layout a second failure in the same mirror loses data, so
		 * count conservatively.
		 */
		left = degraded > 0 ? 0 : 1;
	else
		return -1;	/* raid0, linear, container: none to lose */
	return left < 0 ? 0 : left;
}
