/* Pure decoding of md's sysfs values: sync progress, member states, redundancy by level. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int
md_uuid_norm(const char *s, char ret[33])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == '-' || *s == '.' || *s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 32)
			return -EINVAL;
		ret[n++] = (char)tolower((unsigned char)*s);
	}
	ret[n] = '\0';
	return n == 32 ? 0 : -EINVAL;
}

int
md_uuid_same(const char *a, const char *b)
{
	size_t w, i;

	if (strlen(a) != 32 || strlen(b) != 32)
		return 0;
	if (strcmp(a, b) == 0)
		return 1;
	/* Each 8-digit word with its 4 bytes reversed. */
	for (w = 0; w < 32; w += 8)
		for (i = 0; i < 8; i += 2)
			if (a[w + i] != b[w + 6 - i] ||
			    a[w + i + 1] != b[w + 7 - i])
				return 0;
	return 1;
}

/* mdadm's keyword match: case-insensitive, a prefix of 3 letters or more. */
static int
keyword_is(const char *word, const char *kw)
{
	size_t n = strlen(word);

	return n >= 3 && n <= strlen(kw) && strncasecmp(word, kw, n) == 0;
}

static void
conf_complain(char *err, size_t size, unsigned line, const char *what,
    const char *word)
{
	if (err == NULL || size == 0 || err[0] != '\0')
		return;
	snprintf(err, size, "line %u: %s '%.40s'", line, what, word);
}

/* One logical line (continuations joined): an ARRAY into out, or nothing. */
static int
conf_line(char *l, unsigned line, struct md_conf_array *a, char *err,
    size_t err_size)
{
	char *save = NULL, *w;
	long v;
	char *end;

	w = strtok_r(l, " \t", &save);
	if (w == NULL || !keyword_is(w, "ARRAY"))
		return 0;
	memset(a, 0, sizeof(*a));
	a->spares = -1;
	a->line = line;
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		if (w[0] == '/' || strcmp(w, "<ignore>") == 0) {
			if (fw_strlcpy(a->devname, w, sizeof(a->devname)) < 0)
				a->devname[0] = '\0';
		} else if (strncasecmp(w, "uuid=", 5) == 0) {
			if (md_uuid_norm(w + 5, a->uuid) < 0) {
				conf_complain(err, err_size, line, "ARRAY with "
				    "a bad UUID", w + 5);
				return 0;
			}
		} else if (strncasecmp(w, "spares=", 7) == 0) {
			v = strtol(w + 7, &end, 10);
			if (end == w + 7 || *end != '\0' || v < 0 || v > 4096) {
				conf_complain(err, err_size, line, "ARRAY with "
				    "a bad spares count", w + 7);
				return 0;
			}
			a->spares = (int)v;
		}
		/* name=, level=, devices=, metadata=...: not needed here. */
	}
	if (a->uuid[0] == '\0') {
		/* Identified by name or minor only: mdadm's business. */
		return 0;
	}
	return 1;
}

size_t
md_conf_parse(const char *text, size_t len, struct md_conf_array *out,
    size_t max, char *err, size_t err_size)
{
	char buf[4096];
	size_t i = 0, n = 0, bl = 0;
	unsigned line = 0, start = 0;
	bool skip = false;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	while (i <= len) {
		size_t e = i;
		bool cont;

		while (e < len && text[e] != '\n')
			e++;
		line++;
		cont = e > i && (text[i] == ' ' || text[i] == '\t');
		/* A new logical line: finish the one gathered. */
		if (!cont && bl > 0) {
			buf[bl] = '\0';
			if (n < max && !skip && conf_line(buf, start, &out[n],
			    err, err_size))
				n++;
			bl = 0;
		}
		if (!cont) {
			start = line;
			skip = false;
		}
		for (; i < e; i++) {
			char c = text[i];

			if (c == '#') {
				i = e;
				break;
			}
			if (c == '\0' || c == '\r')
				c = ' ';
			if (bl + 2 >= sizeof(buf)) {
				skip = true;	/* absurdly long: not ours */
				conf_complain(err, err_size, start, "line too "
				    "long", "");
				break;
			}
			buf[bl++] = c == '\t' ? ' ' : c;
		}
		if (bl > 0 && bl + 1 < sizeof(buf))
			buf[bl++] = ' ';
		i = e + 1;
	}
	if (bl > 0) {
		buf[bl] = '\0';
		if (n < max && !skip && conf_line(buf, start, &out[n], err,
		    err_size))
			n++;
	}
	return n;
}
