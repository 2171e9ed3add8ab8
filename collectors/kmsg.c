/* The "kmsg" collector: the kernel log read from /dev/kmsg in the loop, classified by a table, attributed to disks, NICs, file systems and the host, counted per part and check. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/path.h"
#include "forewarn/util.h"
#include "disks_sysfs.h"
#include "kmsg_fs.h"
#include "kmsg_parse.h"
#include "nic_ident.h"

#define KMSG_HITS_MAX	256
#define KMSG_BUF	8192		/* a record is at most ~8 KiB */
#define KMSG_FILE_MAX	(4u << 20)	/* a fixture file read per poll */
#define KMSG_CACHE	32		/* parts attributed, kept for a poll */
#define KMSG_BURST	4096		/* records read per wake-up at most */
#define KMSG_FS_MAX	256		/* file systems followed */

/*
 * Counts of the kernel's messages about one part within the window, judged
 * by thresholds (overridable per check and entity): warning, critical.
 */
static const struct fw_check_def kmsg_checks[] = {
#define K(code, help, w, c) { code, help, FW_CMP_ABOVE, w, c, 0, 1, 1, "count" }
	K("disk.link_resets", "ATA link resets the kernel logged", 1, 3),
	K("disk.medium_errors", "medium (unreadable sector) errors the kernel "
	    "logged: libata UNC, SCSI Medium Error, NVMe Unrecovered Read", 1,
	    3),
	K("disk.io_error_log", "I/O errors and failed commands the kernel "
	    "logged (one failed command may log up to three lines)", 1, 10),
	K("disk.rejected_io", "I/O rejected because the device went offline",
	    NAN, 1),
	K("disk.nvme_timeouts", "NVMe command timeouts", 1, 3),
	K("disk.nvme_resets", "NVMe controller resets and removals", NAN, 1),
	K("disk.raid_member_failed", "md disabled the disk in an array", NAN,
	    1),
	K("cpu.mce", "machine check events", 1, NAN),
	K("cpu.thermal_throttle", "CPU clock throttled for temperature", 1,
	    NAN),
	K("memory.edac_ce", "corrected memory errors EDAC logged", 1, NAN),
	K("memory.edac_ue", "uncorrected memory errors EDAC logged", NAN, 1),
	K("pcie.aer_corrected", "corrected PCIe errors (AER)", 1, NAN),
	K("pcie.aer_uncorrected", "uncorrected PCIe errors (AER)", NAN, 1),
	K("net.tx_timeout", "transmit queue timeouts and hangs", 1, 3),
	K("fs.errors", "file system errors the kernel logged", NAN, 1),
#undef K
	{ "fs.readonly", "a file system the kernel stopped writing to after "
	    "errors (ext4 errors=remount-ro, an XFS or btrfs shutdown), until "
	    "it is mounted again; or read-only in mountinfo's superblock "
	    "options under a writable mount", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ "fs.error_count", "errors a file system recorded on disk: ext4's "
	    "errors_count until fsck clears it, btrfs device error_stats "
	    "until 'btrfs device stats -z'", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    "count" },
	{ "kmsg.gap", "kernel log records lost: ring buffer overrun, or "
	    "logged while the agent was not running and gone since",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ .code = NULL }
};

/* What a count of each check counts, for its summary. */
static const struct {
	const char	*code, *noun;
} kmsg_nouns[] = {
	{ "disk.link_resets", "ATA link resets" },
	{ "disk.medium_errors", "medium errors" },
	{ "disk.io_error_log", "I/O error messages" },
	{ "disk.rejected_io", "rejected I/O messages" },
	{ "disk.nvme_timeouts", "NVMe command timeouts" },
	{ "disk.nvme_resets", "NVMe controller resets or removals" },
	{ "disk.raid_member_failed", "md member failures" },
	{ "cpu.mce", "machine check reports" },
	{ "cpu.thermal_throttle", "thermal throttling messages" },
	{ "memory.edac_ce", "corrected memory error reports" },
	{ "memory.edac_ue", "uncorrected memory error reports" },
	{ "pcie.aer_corrected", "corrected PCIe error reports" },
	{ "pcie.aer_uncorrected", "uncorrected PCIe error reports" },
	{ "net.tx_timeout", "transmit timeouts or hangs" },
	{ "fs.errors", "file system errors" },
};

static const char *
noun_of(const char *code)
{
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(kmsg_nouns); i++)
		if (strcmp(kmsg_nouns[i].code, code) == 0)
			return kmsg_nouns[i].noun;
	return "messages";
}

static const struct fw_conf_key kmsg_keys[] = {
	{ "window", FW_CONF_DURATION, "24h", 60000, 30LL * 86400000, NULL,
	    "a check stays raised while its part logged within this window" },
	{ .name = NULL }
};

/* What the log said about one part, for one check. */
struct hit {
	enum fw_kind	kind;
	char		id[160];
	char		name[64];
	char		serial[64];
	char		code[40];
	const char	*what;
	double		total;		/* all ever counted (persisted) */
	double		base;		/* total when this episode began */
	int64_t		last_ms;	/* wall time of the last message; 0 */
	char		last[200];	/* the last message */
	bool		restored;	/* from a condition, nothing new yet */
	bool		dirty;		/* counted since last persisted */
	bool		mounted;	/* fs.readonly: its file system is */
};

struct kmsg_state {
	struct fw_ctx		*ctx;
	struct kmsg_classifier	*cls;
	int			 fd;
	bool			 watched;	/* the device: pushed */
	uint64_t		 window_ms;
	bool			 have_seq;
	uint64_t		 seq;		/* last record taken */
	uint64_t		 gaps;		/* records lost, all told */
	bool			 gap_new;
	char			 host_id[128];
	char			 host_name[64];
	struct hit		 hits[KMSG_HITS_MAX];
	size_t			 n_hits;
	char			*buf;
	size_t			 len;
	uint64_t		 records, classified;
	double			 boot;		/* this boot's id, 48 bits; 0 */
	bool			 mountinfo_ok;	/* fs.readonly is mountinfo's */
	bool			 readonly_seen;	/* the log said: remounted ro */
	bool			 new_boot;	/* since the store was written */
	bool			 hits_full;	/* said once */
	int			 mnt_fd;	/* mountinfo: POLLPRI on changes */
	struct {
		enum kmsg_target t;
		char		 part[64];
		bool		 found;
		struct hit	 h;
	}			 cache[KMSG_CACHE];
	size_t			 n_cache;
};

/* ---- attribution: which part a message is about ---- */

static bool
disk_entity_of(const char *name, struct hit *h)
{
	struct disk_info info;

	if (disk_info_read(name, &info) < 0)
		return false;
	h->kind = FW_KIND_DISK;
	fw_strlcpy(h->id, info.id, sizeof(h->id));
	fw_strlcpy(h->name, info.name, sizeof(h->name));
	fw_strlcpy(h->serial, info.serial, sizeof(h->serial));
	return true;
}

/* The last path component of a sysfs link, under --root. */
static bool
link_base(const char *path, char *out, size_t size, char *target,
    size_t tsize)
{
	char full[PATH_MAX];
	const char *b;
	ssize_t n;

	if (path_build(full, sizeof(full), "%s", path) < 0 ||
	    (n = readlink(full, target, tsize - 1)) <= 0)
		return false;
	target[n] = '\0';
	b = strrchr(target, '/');
	fw_strlcpy(out, b != NULL ? b + 1 : target, size);
	return true;
}

/* sda1 → sda; sda → sda; dm-0 and the like: false. */
static bool
whole_disk(const char *name, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX], base[64], *slash;
	struct stat st;

	if (path_build(path, sizeof(path), "/sys/block/%s", name) == 0 &&
	    stat(path, &st) == 0) {
		fw_strlcpy(out, name, size);
		return disk_name_wanted(name);
	}
	fw_snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	if (!link_base(path, base, sizeof(base), target, sizeof(target)))
		return false;
	/* .../block/sda/sda1: the parent is the disk. */
	slash = strrchr(target, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	slash = strrchr(target, '/');
	if (slash == NULL)
		return false;
	fw_strlcpy(out, slash + 1, size);
	return disk_name_wanted(out);
}

static bool
ata_port_disk(const char *port, struct hit *h)
{
	char names[DISKS_MAX][DISK_NAME_MAX], path[PATH_MAX], target[PATH_MAX];
	char base[64], want[32];
	size_t i, n = disk_list(names, DISKS_MAX);

	fw_snprintf(want, sizeof(want), "/ata%s/", port);
	for (i = 0; i < n; i++) {
		fw_snprintf(path, sizeof(path), "/sys/block/%s", names[i]);
		if (link_base(path, base, sizeof(base), target,
		    sizeof(target)) && strstr(target, want) != NULL)
			return disk_entity_of(names[i], h);
	}
	return false;
}

/* The first entry under dir (not . or ..) whose name starts with prefix. */
static bool
first_entry(const char *dir, const char *prefix, char *out, size_t size)
{
	struct dirent *de;
	DIR *d = path_opendir(dir);
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' &&
		    strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
			fw_strlcpy(out, de->d_name, size);
			found = true;
		}
	closedir(d);
	return found;
}

static bool
nvme_ctrl_disk(const char *ctrl, struct hit *h)
{
	char dir[PATH_MAX], ns[DISK_NAME_MAX];

	fw_snprintf(dir, sizeof(dir), "/sys/class/nvme/%s", ctrl);
	return first_entry(dir, ctrl, ns, sizeof(ns)) && strchr(ns + strlen(ctrl),
	    'n') != NULL && disk_entity_of(ns, h);
}

static bool
nic_entity_of(const char *ifname, struct hit *h)
{
	char path[PATH_MAX], mac[64], perm[64];

	/* A bond slave wears the bond's address; bonding keeps its own. */
	if (fw_snprintf(path, sizeof(path), "/sys/class/net/%s/bonding_slave/"
	    "perm_hwaddr", ifname) < 0 || path_read_line(path, perm,
	    sizeof(perm)) < 0)
		perm[0] = '\0';
	if (fw_snprintf(path, sizeof(path), "/sys/class/net/%s/address",
	    ifname) < 0 || path_read_line(path, mac, sizeof(mac)) < 0)
		return false;
	if (nic_identity(h->id, sizeof(h->id), perm, mac, ifname) < 0)
		return false;
	h->kind = FW_KIND_NIC;
	fw_strlcpy(h->name, ifname, sizeof(h->name));
	return true;
}

static void
host_entity(struct kmsg_state *s, struct hit *h)
{
	h->kind = FW_KIND_HOST;
	fw_strlcpy(h->id, s->host_id, sizeof(h->id));
	fw_strlcpy(h->name, s->host_name, sizeof(h->name));
}

/* A file system by its device: its UUID from /dev/disk/by-uuid. */
static void
fs_entity_of(const char *dev, struct hit *h)
{
	char target[PATH_MAX], base[64], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	h->kind = FW_KIND_FILESYSTEM;
	fw_snprintf(h->id, sizeof(h->id), "dev:%s", dev);
	fw_strlcpy(h->name, dev, sizeof(h->name));
	if ((d = path_opendir("/dev/disk/by-uuid")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fw_snprintf(path, sizeof(path), "/dev/disk/by-uuid/%s",
		    de->d_name);
		if (link_base(path, base, sizeof(base), target,
		    sizeof(target)) && strcmp(base, dev) == 0) {
			fw_snprintf(h->id, sizeof(h->id), "uuid:%s",
			    de->d_name);
			break;
		}
	}
	closedir(d);
}

/* Fill h's part from a match; false when the part cannot be found. */
static bool
attribute(struct kmsg_state *s, const struct kmsg_match *m, struct hit *h)
{
	char disk[DISK_NAME_MAX], dir[PATH_MAX], name[64];

	switch (m->rule->target) {
	case KT_HOST:
		host_entity(s, h);
		return true;
	case KT_ATA:
		return ata_port_disk(m->part, h);
	case KT_BLOCK:
		return whole_disk(m->part, disk, sizeof(disk)) &&
		    disk_entity_of(disk, h);
	case KT_NVME:
		return nvme_ctrl_disk(m->part, h);
	case KT_SCSI:
		fw_snprintf(dir, sizeof(dir), "/sys/bus/scsi/devices/%s/block",
		    m->part);
		return first_entry(dir, "", disk, sizeof(disk)) &&
		    disk_entity_of(disk, h);
	case KT_NET:
		return nic_entity_of(m->part, h);
	case KT_FS:
		fs_entity_of(m->part, h);
		return true;
	case KT_MC:
		h->kind = FW_KIND_MEMORY;
		fw_snprintf(h->id, sizeof(h->id), "edac:mc%s", m->part);
		fw_snprintf(h->name, sizeof(h->name), "mc%s", m->part);
		return true;
	case KT_PCI:
		/* The disk or NIC behind the PCI function, else the host. */
		fw_snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/nvme",
		    m->part);
		if (first_entry(dir, "nvme", name, sizeof(name)) &&
		    nvme_ctrl_disk(name, h))
			return true;
		fw_snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/net",
		    m->part);
		if (first_entry(dir, "", name, sizeof(name)) &&
		    nic_entity_of(name, h))
			return true;
		host_entity(s, h);
		return true;
	}
	return false;
}

/*
 * A storm names the same part thousands of times: what sysfs said of it
 * is kept until the next poll.
 */
static bool
attribute_cached(struct kmsg_state *s, const struct kmsg_match *m,
    struct hit *h)
{
	size_t i;

	for (i = 0; i < s->n_cache; i++)
		if (s->cache[i].t == m->rule->target &&
		    strcmp(s->cache[i].part, m->part) == 0) {
			*h = s->cache[i].h;
			return s->cache[i].found;
		}
	memset(h, 0, sizeof(*h));
	i = s->n_cache < KMSG_CACHE ? s->n_cache++ : KMSG_CACHE - 1;
	s->cache[i].t = m->rule->target;
	fw_strlcpy(s->cache[i].part, m->part, sizeof(s->cache[i].part));
	s->cache[i].found = attribute(s, m, h);
	s->cache[i].h = *h;
	return s->cache[i].found;
}

/* ---- counting ---- */

/* Did the part log within the window?  The episode's count, or 0. */
static double
hit_active(const struct kmsg_state *s, const struct hit *h, int64_t now)
{
	return h->last_ms > 0 && now >= h->last_ms && now - h->last_ms <
	    (int64_t)s->window_ms ? h->total - h->base : 0;
}

/* The episode is over (its file system was unmounted): clear it. */
static void
hit_end(struct hit *h)
{
	h->base = h->total;
	h->last_ms = 0;
	h->dirty = true;
}

static struct hit *
hit_find(struct kmsg_state *s, const struct hit *h, const char *code)
{
	size_t i;

	for (i = 0; i < s->n_hits; i++)
		if (s->hits[i].kind == h->kind &&
		    strcmp(s->hits[i].id, h->id) == 0 &&
		    strcmp(s->hits[i].code, code) == 0)
			return &s->hits[i];
	return NULL;
}

static struct hit *
hit_get(struct kmsg_state *s, const struct hit *h, const char *code)
{
	struct hit *x;

	if ((x = hit_find(s, h, code)) != NULL)
		return x;
	if (s->n_hits == KMSG_HITS_MAX) {
		if (!s->hits_full)
			log_warnx("kmsg: %d parts already counted; messages "
			    "about further parts are not", KMSG_HITS_MAX);
		s->hits_full = true;
		return NULL;
	}
	s->hits[s->n_hits] = *h;
	fw_strlcpy(s->hits[s->n_hits].code, code, sizeof(h->code));
	return &s->hits[s->n_hits++];
}

static void
hit_names(const char *code, char total[64], char base[64], char last[64])
{
	fw_snprintf(total, 64, "kmsg_total_%s", code);
	fw_snprintf(base, 64, "kmsg_base_%s", code);
	fw_snprintf(last, 64, "kmsg_last_%s", code);
}

/* What the store kept of a part's messages: counts go on across restarts. */
static void
hit_load(struct kmsg_state *s, struct hit *x)
{
	char tn[64], bn[64], ln[64];
	struct fw_report *r;
	struct fw_entity *e;
	double v;
	int64_t when;

	hit_names(x->code, tn, bn, ln);
	r = ctx_report_open(s->ctx);
	e = report_entity(r, x->kind, x->id, x->name);
	if (ctx_baseline_peek(s->ctx, e, tn, &v, &when) == 0 && v >= 0)
		x->total = v;
	if (ctx_baseline_peek(s->ctx, e, bn, &v, &when) == 0 && v >= 0 &&
	    v <= x->total)
		x->base = v;
	else
		x->base = x->total;
	if (ctx_baseline_peek(s->ctx, e, ln, &v, &when) == 0 && v > 0)
		x->last_ms = (int64_t)v;
	/* Every file system was mounted anew since that boot. */
	if (s->new_boot && strcmp(x->code, "fs.readonly") == 0)
		hit_end(x);
	if (x->restored)
		fw_strlcpy(x->name, entity_name(e), sizeof(x->name));
	ctx_report_discard(s->ctx, r);
}

static void
take(struct kmsg_state *s, const struct kmsg_record *r)
{
	struct kmsg_match m;
	struct hit h, *x;
	int64_t now;
	size_t n;

	s->records++;
	/* Only the kernel's own: user space may write to /dev/kmsg too. */
	if (r->facility != 0 || !kmsg_classify(s->cls, r->text, &m))
		return;
	if (!attribute_cached(s, &m, &h)) {
		/* A part we cannot find (gone, or not a disk): the host. */
		host_entity(s, &h);
	}
	log_debug("kmsg: %s on %s %s: %s", m.rule->code, kind_name(h.kind),
	    h.name, r->text);
	n = s->n_hits;
	if ((x = hit_get(s, &h, m.rule->code)) == NULL)
		return;
	if (s->n_hits != n)
		hit_load(s, x);		/* first message since start */
	if (x->restored) {
		/* Names may have changed since the condition was raised. */
		fw_strlcpy(x->name, h.name, sizeof(x->name));
		fw_strlcpy(x->serial, h.serial, sizeof(x->serial));
	}
	x->restored = false;
	x->what = m.rule->what;
	/* A message after a quiet window starts a new episode. */
	now = clock_wall_ms();
	if (x->last_ms == 0 || now - x->last_ms >= (int64_t)s->window_ms ||
	    now < x->last_ms)
		x->base = x->total;
	x->total += 1;
	x->last_ms = now;
	x->dirty = true;
	fw_strlcpy(x->last, r->text, sizeof(x->last));
	if (strcmp(x->code, "fs.readonly") == 0)
		s->readonly_seen = true;
	s->classified++;
}

/* ---- reading ---- */

/* Records are taken once: not again after a restart, none skipped. */
static void
take_record(struct kmsg_state *s, const char *buf, size_t len)
{
	struct kmsg_record r;

	if (kmsg_record_parse(buf, len, &r) < 0) {
		log_debug("kmsg: a record not in the kmsg format skipped");
		return;
	}
	if (s->have_seq && r.seq <= s->seq)
		return;			/* taken before a restart */
	if (s->have_seq && r.seq > s->seq + 1) {
		s->gaps += r.seq - s->seq - 1;
		s->gap_new = true;
	}
	s->have_seq = true;
	s->seq = r.seq;
	take(s, &r);
}

/* A regular file (a test fixture): whatever was appended, by lines. */
static void
read_file(struct kmsg_state *s)
{
	size_t start, i;
	ssize_t n;

	for (;;) {
		if (s->len + KMSG_BUF > KMSG_FILE_MAX)
			break;
		s->buf = xreallocarray(s->buf, s->len + KMSG_BUF, 1);
		n = read(s->fd, s->buf + s->len, KMSG_BUF);
		if (n <= 0)
			break;
		s->len += (size_t)n;
	}
	/* A record: a line, then its " KEY=VALUE" lines. */
	start = 0;
	for (i = 0; i < s->len; i++) {
		if (s->buf[i] != '\n' || (i + 1 < s->len && s->buf[i + 1] ==
		    ' '))
			continue;
		take_record(s, s->buf + start, i - start + 1);
		start = i + 1;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
}

/*
 * The device: one record per read, until there is none, or a burst's worth
 * (the loop calls again while records wait: other work is not held up).
 */
static void
read_device(struct kmsg_state *s)
{
	char buf[KMSG_BUF];
	ssize_t n;
	int burst = KMSG_BURST;

	while (burst-- > 0) {
		n = read(s->fd, buf, sizeof(buf));
		if (n > 0) {
			take_record(s, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EPIPE) {
			/* Overwritten before we read them: the next read
			 * goes on from the oldest left, and the jump in its
			 * sequence number says how many were lost. */
			log_warnx("kmsg: the kernel log ring overran; records "
			    "were lost");
			if (!s->have_seq)
				s->gaps++;
			s->gap_new = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break;		/* EAGAIN: all read */
	}
}

/* ---- the report ---- */

static struct fw_entity *
log_entity(struct kmsg_state *s, struct fw_report *out)
{
	return report_entity(out, FW_KIND_AGENT, "kmsg", "kernel log");
}

static void
report_all(struct kmsg_state *s, struct fw_report *out)
{
	struct fw_entity *e;
	struct fw_check *c;
	double rise, prev;
	size_t i;

	if (s->fd < 0)
		goto hits;	/* not watched: no log entity to speak of */
	e = log_entity(s, out);
	if (s->have_seq) {
		ctx_baseline(s->ctx, e, "kmsg_seq", (double)s->seq, &prev);
		if (s->boot != 0)
			ctx_baseline(s->ctx, e, "kmsg_boot", s->boot, &prev);
	}
	rise = ctx_rise(s->ctx, e, "kmsg_gaps", (double)s->gaps,
	    (int64_t)s->window_ms);
	c = report_check(out, e, "kmsg.gap", rise > 0 ? FW_STATE_WARNING :
	    FW_STATE_OK, rise > 0 ? "kernel log: %.0f records lost (ring "
	    "overrun, or gone while the agent was down)" : "kernel log: "
	    "nothing lost", rise);
	check_detail_num(c, "lost", rise);
	report_reading(out, e, "kmsg_records", "", (double)s->records, NULL,
	    NULL);
	report_reading(out, e, "kmsg_classified", "", (double)s->classified,
	    NULL, NULL);
hits:
	for (i = 0; i < s->n_hits; i++) {
		struct hit *h = &s->hits[i];
		char tn[64], bn[64], ln[64], who[160];
		int64_t now;

		/* While mountinfo can be read, report_mounts judges it. */
		if (s->mountinfo_ok && strcmp(h->code, "fs.readonly") == 0)
			continue;

		e = report_entity(out, h->kind, h->id, h->name);
		if (h->serial[0] != '\0')
			entity_label(e, "serial", "%s", h->serial);
		if (h->dirty) {
			hit_names(h->code, tn, bn, ln);
			ctx_baseline(s->ctx, e, tn, h->total, &prev);
			ctx_baseline(s->ctx, e, bn, h->base, &prev);
			ctx_baseline(s->ctx, e, ln, (double)h->last_ms, &prev);
			h->dirty = false;
		}
		/* Raised while the part logged within the window. */
		now = clock_wall_ms();
		rise = hit_active(s, h, now);
		fw_snprintf(who, sizeof(who), h->serial[0] ? "%s (%s)" : "%s",
		    h->name, h->serial);
		if (strcmp(h->code, "fs.readonly") == 0) {
			/* No mountinfo to say it was mounted again. */
			c = report_check(out, e, h->code, rise > 0 ?
			    FW_STATE_CRITICAL : FW_STATE_OK, rise > 0 ? "%s: the "
			    "kernel stopped writes to it after errors; last: %s" :
			    "%s: no read-only episode within the window", who,
			    h->last);
		} else if (rise > 0) {
			c = report_value(out, e, h->code, rise, "%s: %.0f %s in "
			    "the kernel log within %llu h; last: %s", who, rise,
			    noun_of(h->code), (unsigned long long)
			    (s->window_ms / 3600000), h->last);
		} else {
			c = report_value(out, e, h->code, 0, "%s: nothing in "
			    "the kernel log within %llu h", who,
			    (unsigned long long)(s->window_ms / 3600000));
		}
		if (rise > 0) {
			check_detail_str(c, "last_message", h->last);
			if (h->what != NULL)
				check_detail_str(c, "last_kind", h->what);
		}
		check_detail_num(c, "count", rise);
		check_detail_num(c, "total", h->total);
	}
}

/* ---- file systems: what the errors left behind ---- */

/* The kernel's name of a block device by number: 8:1 → sda1, 253:0 → dm-0. */
static bool
devname_of(unsigned major, unsigned minor, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];

	fw_snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major, minor);
	return link_base(path, out, size, target, sizeof(target));
}

/* Every writable block-backed mount: did the kernel make it read-only? */
static void
report_mounts(struct kmsg_state *s, struct fw_report *out)
{
	struct seen { unsigned major, minor; bool rw_mount, forced; } *seen;
	struct mountinfo *mi, m;
	struct hit *x;
	int64_t now;
	struct fw_entity *e;
	struct fw_check *c;
	struct hit h;
	char *line = NULL, dev[64];
	size_t cap = 0, n = 0, i, lineno = 0;
	FILE *f;
	int fd;

	s->mountinfo_ok = false;
	if ((fd = path_open("/proc/self/mountinfo", O_RDONLY)) < 0)
		return;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return;
	}
	s->mountinfo_ok = true;
	seen = xcalloc(KMSG_FS_MAX, sizeof(*seen));
	mi = xcalloc(KMSG_FS_MAX, sizeof(*mi));
	now = clock_wall_ms();
	for (i = 0; i < s->n_hits; i++)
		s->hits[i].mounted = false;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (mountinfo_parse(line, &m) < 0) {
			log_debug("kmsg: /proc/self/mountinfo:%zu: not a "
			    "mountinfo line; skipped", lineno);
			continue;
		}
		if (m.major == 0 || strncmp(m.source, "/dev/", 5) != 0)
			continue;	/* not on a block device */
		for (i = 0; i < n; i++)
			if (seen[i].major == m.major && seen[i].minor == m.minor)
				break;
		if (i == n) {
			if (n == KMSG_FS_MAX)
				continue;
			seen[n].major = m.major;
			seen[n].minor = m.minor;
			seen[n].rw_mount = seen[n].forced = false;
			mi[n++] = m;
		}
		/* Bind mounts share the superblock: any writable one tells. */
		if (!m.mnt_ro)
			seen[i].rw_mount = true;
		if (mountinfo_forced_ro(&m))
			seen[i].forced = true;
	}
	free(line);
	fclose(f);
	for (i = 0; i < n; i++) {
		if (!seen[i].rw_mount && !seen[i].forced)
			continue;	/* mounted read-only by choice */
		if (!devname_of(mi[i].major, mi[i].minor, dev, sizeof(dev)))
			fw_strlcpy(dev, strrchr(mi[i].source, '/') + 1,
			    sizeof(dev));
		memset(&h, 0, sizeof(h));
		fs_entity_of(dev, &h);
		e = report_entity(out, h.kind, h.id, h.name);
		entity_label(e, "type", "%s", mi[i].fstype);
		entity_label(e, "mountpoint", "%s", mi[i].mountpoint);
		x = hit_find(s, &h, "fs.readonly");
		if (x != NULL)
			x->mounted = true;
		if (seen[i].forced)
			c = report_check(out, e, "fs.readonly",
			    FW_STATE_CRITICAL, "%s (%s on %s): the kernel made it "
			    "read-only under a writable mount; writes fail until "
			    "it is checked and mounted again", mi[i].mountpoint,
			    mi[i].fstype, dev);
		else if (x != NULL && hit_active(s, x, now) > 0)
			c = report_check(out, e, "fs.readonly",
			    FW_STATE_CRITICAL, "%s (%s on %s): the kernel stopped "
			    "writes to it after errors and it has not been "
			    "mounted again since; last: %s", mi[i].mountpoint,
			    mi[i].fstype, dev, x->last);
		else
			c = report_check(out, e, "fs.readonly", FW_STATE_OK,
			    "%s (%s on %s) is writable", mi[i].mountpoint,
			    mi[i].fstype, dev);
		check_detail_str(c, "mountpoint", mi[i].mountpoint);
		check_detail_str(c, "device", dev);
		if (x != NULL && x->last[0] != '\0')
			check_detail_str(c, "last_message", x->last);
	}
	/*
	 * Unmounted since the kernel said so: checked, repaired or gone, the
	 * episode is over.  Modern kernels (6.5, and 6.1 stable) no longer
	 * set the superblock read-only, so mountinfo cannot tell the rest.
	 */
	for (i = 0; i < s->n_hits; i++) {
		x = &s->hits[i];
		if (strcmp(x->code, "fs.readonly") != 0 || x->mounted)
			continue;
		if (hit_active(s, x, now) > 0)
			hit_end(x);
		e = report_entity(out, x->kind, x->id, x->name);
		report_check(out, e, "fs.readonly", FW_STATE_OK, "%s is not "
		    "mounted", x->name);
		if (x->dirty) {
			char tn[64], bn[64], ln[64];
			double prev;

			hit_names(x->code, tn, bn, ln);
			ctx_baseline(s->ctx, e, bn, x->base, &prev);
			ctx_baseline(s->ctx, e, ln, (double)x->last_ms, &prev);
			x->dirty = false;
		}
	}
	free(seen);
	free(mi);
}

/* ext4 keeps an error count in its superblock until fsck clears it. */
static void
report_ext4(struct kmsg_state *s, struct fw_report *out)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de;
	struct fw_entity *e;
	struct fw_check *c;
	struct hit h;
	uint64_t count, when;
	struct tm tm;
	time_t t;
	DIR *d = path_opendir("/sys/fs/ext4");

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "features") == 0)
			continue;
		fw_snprintf(path, sizeof(path), "/sys/fs/ext4/%s/errors_count",
		    de->d_name);
		if (path_read_u64(path, 10, &count) < 0)
			continue;
		memset(&h, 0, sizeof(h));
		fs_entity_of(de->d_name, &h);
		e = report_entity(out, h.kind, h.id, h.name);
		entity_label(e, "type", "ext4");
		fw_snprintf(path, sizeof(path), "/sys/fs/ext4/%s/"
		    "first_error_time", de->d_name);
		buf[0] = '\0';
		if (path_read_u64(path, 10, &when) == 0 && when > 0) {
			t = (time_t)when;
			if (gmtime_r(&t, &tm) != NULL)
				strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ",
				    &tm);
		}
		c = report_check(out, e, "fs.error_count", count > 0 ?
		    FW_STATE_WARNING : FW_STATE_OK, count > 0 ? "%s: ext4 has "
		    "recorded %llu errors (the first at %s); run fsck" : "%s: ext4 "
		    "records no errors", h.name, (unsigned long long)count,
		    buf);
		check_detail_num(c, "errors_count", (double)count);
	}
	closedir(d);
}

/* btrfs keeps per-device error counters until 'btrfs device stats -z'. */
static void
report_btrfs(struct kmsg_state *s, struct fw_report *out)
{
	char path[PATH_MAX], buf[512], dev[64], worst[64];
	struct btrfs_errors b, sum;
	struct dirent *de, *dd;
	struct fw_entity *e;
	struct fw_check *c;
	struct hit h;
	uint64_t t, worst_t;
	size_t len;
	DIR *d = path_opendir("/sys/fs/btrfs"), *di;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '-') == NULL)
			continue;	/* "features" and the like */
		fw_snprintf(path, sizeof(path), "/sys/fs/btrfs/%s/devinfo",
		    de->d_name);
		if ((di = path_opendir(path)) == NULL)
			continue;	/* before 5.14: no error_stats */
		memset(&sum, 0, sizeof(sum));
		worst[0] = '\0';
		worst_t = 0;
		while ((dd = readdir(di)) != NULL) {
			if (dd->d_name[0] == '.')
				continue;
			fw_snprintf(path, sizeof(path), "/sys/fs/btrfs/%s/"
			    "devinfo/%s/error_stats", de->d_name, dd->d_name);
			if (path_read(path, buf, sizeof(buf), &len) < 0 ||
			    btrfs_errors_parse(buf, len, &b) < 0)
				continue;
			sum.write += b.write;
			sum.read += b.read;
			sum.flush += b.flush;
			sum.corruption += b.corruption;
			sum.generation += b.generation;
			if ((t = btrfs_errors_total(&b)) > worst_t) {
				worst_t = t;
				fw_snprintf(worst, sizeof(worst), "devid %s",
				    dd->d_name);
			}
		}
		closedir(di);
		/* Named by its first device, as the kernel log names it. */
		fw_snprintf(path, sizeof(path), "/sys/fs/btrfs/%s/devices",
		    de->d_name);
		if (!first_entry(path, "", dev, sizeof(dev)))
			fw_strlcpy(dev, de->d_name, sizeof(dev));
		memset(&h, 0, sizeof(h));
		fs_entity_of(dev, &h);
		fw_snprintf(h.id, sizeof(h.id), "uuid:%s", de->d_name);
		e = report_entity(out, h.kind, h.id, h.name);
		entity_label(e, "type", "btrfs");
		t = btrfs_errors_total(&sum);
		c = report_check(out, e, "fs.error_count", t > 0 ?
		    FW_STATE_WARNING : FW_STATE_OK, t > 0 ? "%s: btrfs has "
		    "recorded %llu device errors (write %llu, read %llu, flush "
		    "%llu, corruption %llu, generation %llu; most on %s)" :
		    "%s: btrfs records no device errors", h.name,
		    (unsigned long long)t, (unsigned long long)sum.write,
		    (unsigned long long)sum.read, (unsigned long long)sum.flush,
		    (unsigned long long)sum.corruption,
		    (unsigned long long)sum.generation, worst);
		check_detail_num(c, "write_errs", (double)sum.write);
		check_detail_num(c, "read_errs", (double)sum.read);
		check_detail_num(c, "flush_errs", (double)sum.flush);
		check_detail_num(c, "corruption_errs", (double)sum.corruption);
		check_detail_num(c, "generation_errs", (double)sum.generation);
	}
	closedir(d);
	(void)s;
}

static int
kmsg_poll(void *state, struct fw_report *out)
{
	struct kmsg_state *s = state;

	if (s->fd >= 0)
		s->watched ? read_device(s) : read_file(s);
	s->n_cache = 0;		/* sysfs may have changed */
	report_mounts(s, out);
	report_all(s, out);
	report_ext4(s, out);
	report_btrfs(s, out);
	return 0;
}

static int
kmsg_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct kmsg_state *s = state;
	size_t before = s->classified;
	bool gap = s->gap_new;

	if (fd == s->mnt_fd) {
		/* Mounted or unmounted: judge the file systems now. */
		ctx_request_poll(s->ctx);
		return 0;
	}
	read_device(s);
	if (s->readonly_seen) {
		/* mountinfo tells whether it still is: look now. */
		s->readonly_seen = false;
		ctx_request_poll(s->ctx);
	}
	/* Report only when something was classified or lost. */
	if (s->classified != before || s->gap_new != gap || s->gap_new) {
		s->gap_new = false;
		report_all(s, out);
	}
	return 0;
}

/*
 * This boot, as 48 bits of its boot_id (exact in a double, so it can be a
 * baseline): sequence numbers start again at 0 after a reboot.  0: unknown.
 */
static double
boot_of(void)
{
	char buf[64];
	uint64_t v = 0;
	int digits = 0, x;
	const char *p;

	if (path_read_line("/proc/sys/kernel/random/boot_id", buf,
	    sizeof(buf)) < 0)
		return 0;
	for (p = buf; *p != '\0' && digits < 12; p++) {
		if (*p == '-')
			continue;
		if (*p >= '0' && *p <= '9')
			x = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			x = *p - 'a' + 10;
		else
			return 0;
		v = v << 4 | (uint64_t)x;
		digits++;
	}
	return digits == 12 ? (double)v : 0;
}

/* A condition raised before a restart: keep judging it. */
static void
restore_one(enum fw_kind kind, const char *id, const char *check,
    enum fw_state state, void *arg)
{
	struct kmsg_state *s = arg;
	struct hit h, *x;
	size_t i;

	/* Judged again from what they read, not from messages. */
	if (strcmp(check, "kmsg.gap") == 0 || strcmp(check,
	    "fs.error_count") == 0)
		return;
	memset(&h, 0, sizeof(h));
	h.kind = kind;
	fw_strlcpy(h.id, id, sizeof(h.id));
	fw_strlcpy(h.name, id, sizeof(h.name));
	if ((x = hit_get(s, &h, check)) == NULL)
		return;
	x->restored = true;
	fw_strlcpy(x->last, "(logged before a restart)", sizeof(x->last));
	for (i = 0; kmsg_rules[i].needle != NULL; i++)
		if (strcmp(kmsg_rules[i].code, check) == 0) {
			x->what = kmsg_rules[i].what;
		}
	hit_load(s, x);
	(void)state;
}

static int
kmsg_init(const struct fw_conf_section *cs, struct fw_ctx *ctx, void **ret)
{
	struct kmsg_state *s = xcalloc(1, sizeof(*s));
	struct fw_report *r;
	struct fw_entity *e;
	char buf[256];
	double seq, boot;
	int64_t when;
	int rc;

	s->ctx = ctx;
	s->fd = -1;
	s->mnt_fd = -1;
	*ret = s;
	s->window_ms = conf_get_duration_ms(cs, kmsg_keys, "window");
	if ((s->cls = kmsg_classifier_new()) == NULL)
		return -EINVAL;
	/* The host as the host collector names it. */
	if (path_read_line("/proc/sys/kernel/hostname", buf, sizeof(buf)) < 0)
		fw_strlcpy(buf, "localhost", sizeof(buf));
	fw_sanitize(s->host_name, sizeof(s->host_name), buf, sizeof(buf));
	if (path_read_line("/etc/machine-id", buf, sizeof(buf)) == 0 &&
	    buf[0] != '\0')
		fw_sanitize(s->host_id, sizeof(s->host_id), buf, sizeof(buf));
	else
		fw_strlcpy(s->host_id, s->host_name, sizeof(s->host_id));
	/* Mounts and unmounts are pushed: the kernel wakes pollers. */
	s->mnt_fd = path_open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (s->mnt_fd >= 0 && ctx_watch_fd(ctx, s->mnt_fd, EPOLLPRI) < 0) {
		close(s->mnt_fd);
		s->mnt_fd = -1;
	}
	s->fd = path_open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd == -ENOENT) {
		/* A container or a fixture root: not available, said once. */
		log_info("kmsg: no /dev/kmsg; the kernel log is not watched");
		return 0;
	}
	if (s->fd < 0) {
		rc = s->fd;
		s->fd = -1;
		log_warnx("kmsg: cannot read /dev/kmsg: %s (reading it needs "
		    "CAP_SYSLOG where kernel.dmesg_restrict is 1)",
		    strerror(-rc));
		return rc;
	}
	/* Where we stopped: the sequence taken last, from the store. */
	r = ctx_report_open(ctx);
	e = log_entity(s, r);
	s->boot = boot_of();
	if (ctx_baseline_peek(ctx, e, "kmsg_boot", &boot, &when) == 0 &&
	    s->boot != 0 && boot != 0 && boot != s->boot) {
		/* Rebooted since: all this boot said is new to us. */
		log_info("kmsg: a new boot; reading its log from the start");
		s->new_boot = true;
	} else if (ctx_baseline_peek(ctx, e, "kmsg_seq", &seq, &when) == 0 &&
	    seq >= 0) {
		s->have_seq = true;
		s->seq = (uint64_t)seq;
	} else {
		/* First run: from now on, not the boot's history. */
		lseek(s->fd, 0, SEEK_END);
	}
	ctx_report_discard(ctx, r);
	ctx_conditions(ctx, restore_one, s);
	s->watched = ctx_watch_fd(ctx, s->fd, EPOLLIN) == 0;
	if (s->watched) {
		read_device(s);
		s->gap_new = false;
	}
	return 0;
}

static void
kmsg_teardown(void *state)
{
	struct kmsg_state *s = state;

	if (s == NULL)
		return;
	if (s->fd >= 0) {
		if (s->watched)
			ctx_unwatch_fd(s->ctx, s->fd);
		close(s->fd);
	}
	if (s->mnt_fd >= 0) {
		ctx_unwatch_fd(s->ctx, s->mnt_fd);
		close(s->mnt_fd);
	}
	kmsg_classifier_free(s->cls);
	free(s->buf);
	free(s);
}

const struct fw_collector kmsg_collector = {
	.name = "kmsg",
	.interval_ms = 60 * 1000,
	.keys = kmsg_keys,
	.checks = kmsg_checks,
	.init = kmsg_init,
	.poll = kmsg_poll,
	.ready = kmsg_ready,
	.teardown = kmsg_teardown,
};
