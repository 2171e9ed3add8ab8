/* The "mdraid" collector: Linux software RAID arrays, woken by the kernel's sysfs notifications, with their members by disk identity. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/path.h"
#include "forewarn/util.h"
#include "disks_sysfs.h"
#include "mdraid_parse.h"

#define MD_ARRAYS_MAX	64
#define MD_MEMBERS_MAX	32
#define MD_WATCH_MAX	60	/* a collector may watch 64 fds */
#define MD_STALL_MS	(30 * 60 * 1000LL)	/* judgement: docs/checks.md */
#define DAY_MS		(24 * 3600 * 1000LL)
#define MD_SYNC_FOLLOW_MS 5000	/* progress is not notified: look again */

static const struct fw_check_def md_checks[] = {
	{ "raid.state", "the array is inactive, read-only or otherwise not "
	    "serving", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.degraded", "members missing or failed, with the redundancy "
	    "left", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.member_faulty", "a member marked faulty, blocked or asking "
	    "for replacement", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.member_errors", "read errors md corrected on a member are "
	    "rising", FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "raid.rebuild", "a resync, recovery or reshape in progress, or "
	    "stalled", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.mismatch", "blocks that differed between copies in the last "
	    "check", FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "raid.array_gone", "an array seen before is gone", FW_CMP_NONE,
	    NAN, NAN, 0, 1, 1, NULL },
	{ "raid.spare_missing", "fewer spares than mdadm.conf declares "
	    "(spares=N)", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.new_array", "an array mdadm.conf does not declare, while it "
	    "declares others", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	/* Evaluated by the core's risk stage (agent/risk.c) from relations. */
	{ "raid.at_risk", "no redundancy left and a remaining member shows a "
	    "disk warning: one more failure is an outage", FW_CMP_NONE, NAN,
	    NAN, 0, 1, 1, NULL },
	{ .code = NULL }
};

static const struct fw_conf_key md_keys[] = {
	{ "mdadm_conf", FW_CONF_STRING, "auto", 0, 0, NULL,
	    "mdadm.conf declaring the arrays and their spares: auto "
	    "(/etc/mdadm/mdadm.conf, then /etc/mdadm.conf), off, or a path" },
	{ .name = NULL }
};

#define MD_CONF_MAX	64

struct md_member {
	char		name[DISK_NAME_MAX];	/* "vdb", "sda1" */
	char		disk[DISK_NAME_MAX];	/* the whole disk: "sda" */
	unsigned	flags;
	int		slot;			/* -1: none (spare) */
	uint64_t	errors;
};

struct md_array {
	char			name[DISK_NAME_MAX];	/* "md0" */
	char			uuid[64];
	char			level[16];
	char			state[32];
	char			sync_action[16];
	char			last_sync_action[16];
	int			raid_disks;
	int			degraded;
	uint64_t		sync_done, sync_total, sync_speed;
	uint64_t		mismatch;
	struct md_member	members[MD_MEMBERS_MAX];
	size_t			n_members;
};

/* What the collector remembers of an array between scans. */
struct md_known {
	char		uuid[64];
	char		name[DISK_NAME_MAX];
	char		level[16];
	bool		present;
	uint64_t	last_done;	/* sync position, to see a stall */
	int64_t		moved_ms;
};

struct md_state {
	struct fw_ctx	*ctx;
	char		 conf_path[PATH_MAX];	/* "" when off */
	bool		 conf_auto;
	struct md_conf_array conf[MD_CONF_MAX];
	size_t		 n_conf;
	bool		 conf_read;		/* a file was found */
	char		 conf_err[256];		/* the last complaint told */
	struct md_known	 known[MD_ARRAYS_MAX];
	size_t		 n_known;
	int		 fds[MD_WATCH_MAX];
	size_t		 n_fds;
	char		 watched[4096];	/* the set of watched paths, joined */
};

/* ---- reading sysfs ---- */

static void
md_attr(const char *md, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX], raw[256];

	buf[0] = '\0';
	if (fw_snprintf(path, sizeof(path), "/sys/block/%s/md/%s", md,
	    attr) < 0 || path_read_line(path, raw, sizeof(raw)) < 0)
		return;
	fw_sanitize(buf, size, raw, sizeof(raw));
}

static uint64_t
md_u64(const char *md, const char *attr)
{
	char buf[32];
	uint64_t v = 0;

	md_attr(md, attr, buf, sizeof(buf));
	fw_parse_u64(buf, 10, &v);
	return v;
}

/* dev-X/block points at .../block/sda or .../block/sda/sda1. */
static void
member_disk(const char *md, const char *dev, struct md_member *m)
{
	char path[PATH_MAX], target[PATH_MAX], *last, *prev;
	ssize_t n;

	fw_strlcpy(m->disk, m->name, sizeof(m->disk));
	if (path_build(path, sizeof(path), "/sys/block/%s/md/%s/block", md,
	    dev) < 0 || (n = readlink(path, target, sizeof(target) - 1)) <= 0)
		return;
	target[n] = '\0';
	last = strrchr(target, '/');
	if (last == NULL)
		return;
	*last = '\0';
	prev = strrchr(target, '/');
	if (prev != NULL && strcmp(prev + 1, "block") != 0)
		fw_strlcpy(m->disk, prev + 1, sizeof(m->disk));
}

static void
read_member(const char *md, const char *dev, struct md_member *m)
{
	char attr[DISK_NAME_MAX + 16], buf[128];
	int64_t slot;

	memset(m, 0, sizeof(*m));
	fw_strlcpy(m->name, dev + 4, sizeof(m->name));	/* past "dev-" */
	member_disk(md, dev, m);
	fw_snprintf(attr, sizeof(attr), "%s/state", dev);
	md_attr(md, attr, buf, sizeof(buf));
	m->flags = md_member_flags(buf);
	fw_snprintf(attr, sizeof(attr), "%s/slot", dev);
	md_attr(md, attr, buf, sizeof(buf));
	m->slot = fw_parse_i64(buf, 0, 1 << 20, &slot) == 0 ? (int)slot : -1;
	fw_snprintf(attr, sizeof(attr), "%s/errors", dev);
	md_attr(md, attr, buf, sizeof(buf));
	fw_parse_u64(buf, 10, &m->errors);
}

static int
read_array(const char *md, struct md_array *a)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de;
	int64_t v;
	DIR *dir;

	memset(a, 0, sizeof(*a));
	fw_strlcpy(a->name, md, sizeof(a->name));
	md_attr(md, "array_state", a->state, sizeof(a->state));
	if (a->state[0] == '\0')
		return -ENOENT;
	md_attr(md, "uuid", a->uuid, sizeof(a->uuid));
	if (a->uuid[0] == '\0')
		fw_snprintf(a->uuid, sizeof(a->uuid), "name_%s", md);
	md_attr(md, "level", a->level, sizeof(a->level));
	md_attr(md, "raid_disks", buf, sizeof(buf));
	a->raid_disks = fw_parse_i64(buf, 0, 4096, &v) == 0 ? (int)v : 0;
	md_attr(md, "degraded", buf, sizeof(buf));
	a->degraded = fw_parse_i64(buf, 0, 4096, &v) == 0 ? (int)v : 0;
	md_attr(md, "sync_action", a->sync_action, sizeof(a->sync_action));
	md_attr(md, "last_sync_action", a->last_sync_action,
	    sizeof(a->last_sync_action));
	md_attr(md, "sync_completed", buf, sizeof(buf));
	if (md_sync_completed_parse(buf, &a->sync_done, &a->sync_total) < 0)
		a->sync_done = a->sync_total = 0;
	a->sync_speed = md_u64(md, "sync_speed");
	a->mismatch = md_u64(md, "mismatch_cnt");
	if (path_build(path, sizeof(path), "/sys/block/%s/md", md) < 0 ||
	    (dir = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL && a->n_members < MD_MEMBERS_MAX)
		if (strncmp(de->d_name, "dev-", 4) == 0 &&
		    strlen(de->d_name) < DISK_NAME_MAX + 4)
			read_member(md, de->d_name, &a->members[a->n_members++]);
	closedir(dir);
	return 0;
}

/*
 * A recovery is real only while a member is being rebuilt: a spare that
 * has been given a slot.  Right after a failure with no spare md flips
 * sync_action to "recover" for a moment and back to "idle".
 */
static bool
md_recovering(const struct md_array *a)
{
	size_t i;

	if (strcmp(a->sync_action, "recover") != 0)
		return false;
	for (i = 0; i < a->n_members; i++)
		if ((a->members[i].flags & MD_SPARE) && a->members[i].slot >= 0 &&
		    !(a->members[i].flags & MD_FAULTY))
			return true;
	return false;
}

/* ---- checks ---- */

static struct fw_entity *
array_entity(struct fw_report *out, const struct md_array *a)
{
	struct fw_entity *e;

	e = report_entity(out, FW_KIND_ARRAY, a->uuid, a->name);
	entity_label(e, "kernel_name", "%s", a->name);
	entity_label(e, "level", "%s", a->level);
	entity_label(e, "raid_disks", "%d", a->raid_disks);
	return e;
}

/*
 * Each member's disk, by identity: member_of the array while it serves it,
 * inactive_member_of while faulty, spare or rebuilding (the risk stage counts
 * only the members that carry the data).
 */
static void
relate_members(struct fw_report *out, const struct md_array *a,
    char who[][96])
{
	struct disk_info info;
	struct fw_entity *d;
	bool failed;
	size_t i;

	for (i = 0; i < a->n_members; i++) {
		fw_snprintf(who[i], 96, "%s", a->members[i].name);
		if (disk_info_read(a->members[i].disk, &info) < 0)
			continue;
		d = report_entity(out, FW_KIND_DISK, info.id, info.name);
		failed = (a->members[i].flags & MD_FAULTY) ||
		    !(a->members[i].flags & MD_IN_SYNC);
		entity_unrelate(d, failed ? "member_of" : "inactive_member_of",
		    FW_KIND_ARRAY, a->uuid);
		entity_relate(d, failed ? "inactive_member_of" : "member_of",
		    FW_KIND_ARRAY, a->uuid);
		if (info.serial[0] != '\0')
			fw_snprintf(who[i], 96, "%s (%s)", a->members[i].name,
			    info.serial);
	}
}

static void
check_state(struct fw_report *out, struct fw_entity *e,
    const struct md_array *a)
{
	static const char *const bad[] = { "clear", "inactive", "suspended",
	    "readonly" };
	enum fw_state st = FW_STATE_OK;
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(bad); i++)
		if (strcmp(a->state, bad[i]) == 0)
			st = FW_STATE_CRITICAL;
	/* read-auto: nothing written since assembly; fine unless it stays. */
	if (strcmp(a->state, "read-auto") == 0)
		st = FW_STATE_WARNING;
	report_check(out, e, "raid.state", st, "%s (%s) is %s", a->name,
	    a->level, a->state);
}

static void
check_degraded(struct fw_report *out, struct fw_entity *e,
    const struct md_array *a, char who[][96])
{
	char failed[512];
	enum fw_state st;
	struct fw_check *c;
	size_t i, off = 0;
	int left;

	left = md_redundancy_left(a->level, a->raid_disks, a->degraded);
	if (left < 0)
		return;		/* raid0/linear: nothing to degrade */
	failed[0] = '\0';
	for (i = 0; i < a->n_members; i++)
		if ((a->members[i].flags & MD_FAULTY) && off < sizeof(failed))
			off += (size_t)snprintf(failed + off,
			    sizeof(failed) - off, "%s%s", off ? ", " : "",
			    who[i]);
	if (a->degraded == 0)
		st = FW_STATE_OK;
	else if (left == 0 && !md_recovering(a))
		st = FW_STATE_CRITICAL;
	else
		st = FW_STATE_WARNING;
	c = report_check(out, e, "raid.degraded", st, a->degraded == 0 ?
	    "%s (%s): all %d members in sync" : "%s (%s) is degraded: %d of "
	    "%d members missing or failed, %d more failure%s survivable%s%s",
	    a->name, a->level, a->degraded == 0 ? a->raid_disks : a->degraded,
	    a->raid_disks, left, left == 1 ? "" : "s", failed[0] ? "; faulty: "
	    : "", failed);
	check_detail_num(c, "degraded", a->degraded);
	check_detail_num(c, "raid_disks", a->raid_disks);
	check_detail_num(c, "redundancy_left", left);
}

static void
check_members(struct md_state *s, struct fw_report *out, struct fw_entity *e,
    const struct md_array *a, char who[][96])
{
	enum fw_state st = FW_STATE_OK, est = FW_STATE_OK;
	const struct md_member *m;
	char name[64], worst[128] = "", ebuf[128] = "";
	struct fw_check *c;
	double rise = 0, r;
	size_t i;

	for (i = 0; i < a->n_members; i++) {
		m = &a->members[i];
		if (m->flags & (MD_FAULTY | MD_BLOCKED)) {
			st = FW_STATE_CRITICAL;
			fw_snprintf(worst, sizeof(worst), "%s is %s", who[i],
			    m->flags & MD_FAULTY ? "faulty" : "blocked");
		} else if ((m->flags & (MD_WRITE_ERROR | MD_WANT_REPLACEMENT)) &&
		    st == FW_STATE_OK) {
			st = FW_STATE_WARNING;
			fw_snprintf(worst, sizeof(worst), "%s has %s", who[i],
			    m->flags & MD_WRITE_ERROR ? "write errors" :
			    "asked for replacement");
		}
		/* Corrected read errors rising within a day: an early sign. */
		fw_snprintf(name, sizeof(name), "md_errors_%s", m->name);
		r = ctx_rise(s->ctx, e, name, (double)m->errors, DAY_MS);
		if (r > 0) {
			rise += r;
			est = FW_STATE_WARNING;
			fw_snprintf(ebuf, sizeof(ebuf), "%s: %.0f corrected "
			    "read errors today", who[i], r);
		}
	}
	report_check(out, e, "raid.member_faulty", st, "%s: %s", a->name,
	    worst[0] ? worst : "no member faulty");
	c = report_check(out, e, "raid.member_errors", est, "%s: %s", a->name,
	    ebuf[0] ? ebuf : "no corrected read errors today");
	check_detail_num(c, "rise_24h", rise);
}

static void
check_sync(struct md_known *k, struct fw_report *out, struct fw_entity *e,
    const struct md_array *a)
{
	bool rebuild = md_recovering(a) ||
	    strcmp(a->sync_action, "resync") == 0 ||
	    strcmp(a->sync_action, "reshape") == 0;
	int64_t now = clock_wall_ms();
	enum fw_state st = FW_STATE_OK;
	struct fw_check *c;
	double pct = 0, eta = NAN;
	size_t limit;

	if (a->sync_done != k->last_done || strcmp(a->sync_action, "idle") == 0) {
		k->last_done = a->sync_done;
		k->moved_ms = now;
	}
	if (a->sync_total > 0)
		pct = 100.0 * (double)a->sync_done / (double)a->sync_total;
	if (a->sync_speed > 0 && a->sync_total > a->sync_done)
		eta = (double)(a->sync_total - a->sync_done) / 2.0 /
		    (double)a->sync_speed;	/* sectors → KiB, at KiB/s */
	if (rebuild)
		st = now - k->moved_ms >= MD_STALL_MS ? FW_STATE_CRITICAL :
		    FW_STATE_WARNING;
	c = report_check(out, e, "raid.rebuild", st, !rebuild &&
	    strcmp(a->sync_action, "check") != 0 &&
	    strcmp(a->sync_action, "repair") != 0 ? "%s: no resync running%s" :
	    "%s: %s at %.1f%%%s", a->name, !rebuild &&
	    strcmp(a->sync_action, "check") != 0 &&
	    strcmp(a->sync_action, "repair") != 0 ? "" : a->sync_action, pct,
	    st == FW_STATE_CRITICAL ? ", stalled" : "");
	check_detail_str(c, "sync_action", a->sync_action);
	check_detail_num(c, "percent", pct);
	check_detail_num(c, "speed_kib_s", (double)a->sync_speed);
	if (isfinite(eta))
		check_detail_num(c, "eta_seconds", floor(eta));
	/* Mismatches mean something after a check or repair finished. */
	if (strcmp(a->sync_action, "idle") != 0 ||
	    (strcmp(a->last_sync_action, "check") != 0 &&
	    strcmp(a->last_sync_action, "repair") != 0))
		return;
	/* RAID1/10 see harmless mismatches from swap and aborted writes. */
	limit = strcmp(a->level, "raid1") == 0 ||
	    strcmp(a->level, "raid10") == 0 ? 1024 : 0;
	c = report_check(out, e, "raid.mismatch", a->mismatch > limit ?
	    FW_STATE_WARNING : FW_STATE_OK, "%s: %llu mismatched sectors in "
	    "the last %s", a->name, (unsigned long long)a->mismatch,
	    a->last_sync_action);
	check_detail_num(c, "mismatch_cnt", (double)a->mismatch);
}

/*
 * What mdadm.conf declares: mdadm --monitor's SparesMissing (fewer spares
 * than spares=N) and, for an array it does not list while it lists others,
 * its NewArray: typically md127, assembled from foreign or left-over disks.
 */
static void
check_declared(struct md_state *s, struct fw_report *out, struct fw_entity *e,
    const struct md_array *a)
{
	const struct md_conf_array *decl = NULL;
	struct fw_check *c;
	char uuid[33];
	size_t i;
	int spares = 0;

	if (!s->conf_read || s->n_conf == 0 || md_uuid_norm(a->uuid, uuid) < 0)
		return;
	for (i = 0; i < s->n_conf && decl == NULL; i++)
		if (md_uuid_same(s->conf[i].uuid, uuid))
			decl = &s->conf[i];
	if (decl == NULL)
		c = report_check(out, e, "raid.new_array", FW_STATE_WARNING,
		    "%s (%s, UUID %s) is not declared in %s", a->name, a->level,
		    a->uuid, s->conf_path);
	else
		c = report_check(out, e, "raid.new_array", FW_STATE_OK, "%s (%s) "
		    "is declared in %s line %u", a->name, a->level,
		    s->conf_path, decl->line);
	check_detail_str(c, "mdadm_conf", s->conf_path);
	if (decl == NULL || decl->spares < 0)
		return;
	/* A spare: not faulty and not given a slot (not being rebuilt). */
	for (i = 0; i < a->n_members; i++)
		if ((a->members[i].flags & MD_SPARE) && a->members[i].slot < 0 &&
		    !(a->members[i].flags & MD_FAULTY))
			spares++;
	c = report_check(out, e, "raid.spare_missing", spares < decl->spares ?
	    FW_STATE_WARNING : FW_STATE_OK, "%s (%s): %d of %d spare%s "
	    "declared in %s present", a->name, a->level, spares, decl->spares,
	    decl->spares == 1 ? "" : "s", s->conf_path);
	check_detail_num(c, "spares", spares);
	check_detail_num(c, "spares_declared", decl->spares);
}

/* Read mdadm.conf again (it is small); complaints once per change. */
static void
mdadm_conf_load(struct md_state *s)
{
	static const char *const paths[] = { "/etc/mdadm/mdadm.conf",
	    "/etc/mdadm.conf" };
	char err[256], *text;
	size_t i, len = 0, size = 256 * 1024;
	int rc = -ENOENT;

	s->n_conf = 0;
	s->conf_read = false;
	if (s->conf_path[0] == '\0' && !s->conf_auto)
		return;
	text = xmalloc(size);
	if (s->conf_auto) {
		for (i = 0; i < FW_ARRAY_SIZE(paths) && rc == -ENOENT; i++) {
			rc = path_read(paths[i], text, size, &len);
			if (rc != -ENOENT)
				fw_strlcpy(s->conf_path, paths[i],
				    sizeof(s->conf_path));
		}
	} else {
		rc = path_read(s->conf_path, text, size, &len);
	}
	if (rc < 0) {
		if (rc != -ENOENT || !s->conf_auto)
			fw_snprintf(err, sizeof(err), "%s: %s", s->conf_path,
			    strerror(-rc));
		else
			err[0] = '\0';
	} else {
		s->conf_read = true;
		s->n_conf = md_conf_parse(text, len, s->conf, MD_CONF_MAX, err,
		    sizeof(err));
		if (err[0] != '\0') {
			char where[sizeof(err)];

			fw_snprintf(where, sizeof(where), "%s %s", s->conf_path,
			    err);
			fw_strlcpy(err, where, sizeof(err));
		}
	}
	if (err[0] != '\0' && strcmp(err, s->conf_err) != 0)
		log_warnx("mdraid: %s", err);
	fw_strlcpy(s->conf_err, err, sizeof(s->conf_err));
	free(text);
}

static struct md_known *
known_get(struct md_state *s, const struct md_array *a)
{
	size_t i;

	for (i = 0; i < s->n_known; i++)
		if (strcmp(s->known[i].uuid, a->uuid) == 0)
			return &s->known[i];
	if (s->n_known == MD_ARRAYS_MAX)
		return NULL;
	memset(&s->known[s->n_known], 0, sizeof(s->known[0]));
	fw_strlcpy(s->known[s->n_known].uuid, a->uuid, sizeof(a->uuid));
	s->known[s->n_known].moved_ms = clock_wall_ms();
	return &s->known[s->n_known++];
}

static void
report_array(struct md_state *s, struct fw_report *out, struct md_array *a)
{
	char who[MD_MEMBERS_MAX][96];
	struct md_known *k;
	struct fw_entity *e;

	k = known_get(s, a);
	if (k == NULL)
		return;
	k->present = true;
	fw_strlcpy(k->name, a->name, sizeof(k->name));
	fw_strlcpy(k->level, a->level, sizeof(k->level));
	e = array_entity(out, a);
	relate_members(out, a, who);
	report_check(out, e, "raid.array_gone", FW_STATE_OK, "%s (%s) is "
	    "present", a->name, a->level);
	check_state(out, e, a);
	check_degraded(out, e, a, who);
	check_members(s, out, e, a, who);
	check_sync(k, out, e, a);
	check_declared(s, out, e, a);
	report_reading(out, e, "degraded", "", a->degraded, NULL, NULL);
	report_reading(out, e, "sync_percent", "percent", a->sync_total ?
	    100.0 * (double)a->sync_done / (double)a->sync_total : 100, NULL,
	    NULL);
	report_reading(out, e, "mismatch_cnt", "", (double)a->mismatch, NULL,
	    NULL);
}

/* ---- push: sysfs_notify wakes POLLPRI on these files ---- */

static void
watch_add(struct md_state *s, const char *path)
{
	char buf[64];
	int fd;

	if (s->n_fds >= MD_WATCH_MAX)
		return;
	fd = path_open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return;
	/* Read once: the notification fires for changes after a read. */
	if (pread(fd, buf, sizeof(buf), 0) < 0 ||
	    ctx_watch_fd(s->ctx, fd, EPOLLPRI | EPOLLERR) < 0) {
		close(fd);
		return;
	}
	s->fds[s->n_fds++] = fd;
}

static void
watch_clear(struct md_state *s)
{
	size_t i;

	for (i = 0; i < s->n_fds; i++) {
		ctx_unwatch_fd(s->ctx, s->fds[i]);
		close(s->fds[i]);
	}
	s->n_fds = 0;
	s->watched[0] = '\0';
}

static void
watch_arrays(struct md_state *s, const struct md_array *arrays, size_t n)
{
	static const char *const attrs[] = { "array_state", "degraded",
	    "sync_action" };
	char list[4096], path[PATH_MAX];
	size_t i, j, off = 0;

	/* Rebuild the set only when it changes: arrays or members came or went. */
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof(list); i++) {
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s:",
		    arrays[i].name);
		for (j = 0; j < arrays[i].n_members && off < sizeof(list); j++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s,", arrays[i].members[j].name);
	}
	if (strcmp(list, s->watched) == 0)
		return;
	watch_clear(s);
	watch_add(s, "/proc/mdstat");
	for (i = 0; i < n; i++) {
		for (j = 0; j < FW_ARRAY_SIZE(attrs); j++) {
			fw_snprintf(path, sizeof(path), "/sys/block/%s/md/%s",
			    arrays[i].name, attrs[j]);
			watch_add(s, path);
		}
		for (j = 0; j < arrays[i].n_members; j++) {
			fw_snprintf(path, sizeof(path), "/sys/block/%s/md/dev-%s/"
			    "state", arrays[i].name, arrays[i].members[j].name);
			watch_add(s, path);
		}
	}
	fw_strlcpy(s->watched, list, sizeof(s->watched));
}

/* ---- the collector ---- */

static int
md_scan(struct md_state *s, struct fw_report *out)
{
	static struct md_array arrays[MD_ARRAYS_MAX];
	struct fw_entity *e;
	struct dirent *de;
	size_t i, n = 0;
	DIR *dir;

	for (i = 0; i < s->n_known; i++)
		s->known[i].present = false;
	mdadm_conf_load(s);
	dir = path_opendir("/sys/block");
	if (dir == NULL)
		return errno == ENOENT ? 0 : -errno;	/* no block layer */
	while ((de = readdir(dir)) != NULL && n < MD_ARRAYS_MAX)
		if (strncmp(de->d_name, "md", 2) == 0 &&
		    strlen(de->d_name) < DISK_NAME_MAX &&
		    read_array(de->d_name, &arrays[n]) == 0)
			n++;
	closedir(dir);
	for (i = 0; i < n; i++) {
		report_array(s, out, &arrays[i]);
		if (strcmp(arrays[i].sync_action, "idle") != 0 &&
		    arrays[i].sync_action[0] != '\0')
			ctx_poll_after(s->ctx, MD_SYNC_FOLLOW_MS);
	}
	for (i = 0; i < s->n_known; i++) {
		if (s->known[i].present)
			continue;
		/* mdadm --monitor's DeviceDisappeared. */
		e = report_entity(out, FW_KIND_ARRAY, s->known[i].uuid,
		    s->known[i].name);
		report_check(out, e, "raid.array_gone", FW_STATE_CRITICAL,
		    "%s (%s) is gone", s->known[i].name, s->known[i].level);
	}
	watch_arrays(s, arrays, n);
	return 0;
}

static int
md_init(const struct fw_conf_section *cs, struct fw_ctx *ctx, void **ret)
{
	struct md_state *s = xcalloc(1, sizeof(*s));
	const char *conf = conf_get_str(cs, md_keys, "mdadm_conf");

	s->ctx = ctx;
	*ret = s;
	if (strcmp(conf, "auto") == 0)
		s->conf_auto = true;
	else if (strcmp(conf, "off") != 0 &&
	    fw_strlcpy(s->conf_path, conf, sizeof(s->conf_path)) < 0)
		return -ENAMETOOLONG;
	return 0;
}

static int
md_poll(void *state, struct fw_report *out)
{
	return md_scan(state, out);
}

static int
md_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct md_state *s = state;
	char buf[256];

	/* Re-read from the start to take the notification, then look. */
	if (pread(fd, buf, sizeof(buf), 0) < 0)
		log_debug("mdraid: re-reading a watched file: %s",
		    strerror(errno));
	return md_scan(s, out);
}

static void
md_teardown(void *state)
{
	struct md_state *s = state;

	if (s == NULL)
		return;
	watch_clear(s);
	free(s);
}

const struct fw_collector mdraid_collector = {
	.name = "mdraid",
	.interval_ms = 60 * 1000,
	.keys = md_keys,
	.checks = md_checks,
	.init = md_init,
	.poll = md_poll,
	.ready = md_ready,
	.teardown = md_teardown,
};
