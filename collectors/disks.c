/* The "disks" collector: every physical disk by identity, its SMART or NVMe health, read through the probe helper. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/path.h"
#include "forewarn/probe.h"
#include "forewarn/util.h"
#include "disks_ata.h"
#include "disks_nvme.h"
#include "disks_stats.h"
#include "disks_sysfs.h"

#define DAY_MS		(24 * 3600 * 1000LL)

/*
 * Defaults and their evidence are in docs/checks.md.  Counters compare
 * with a persisted baseline per disk identity, so a restart neither
 * forgets a rise nor re-announces an old one.
 */
static const struct fw_check_def disk_checks[] = {
	{ "disk.smart.health", "the drive's own SMART verdict",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.smart.attribute_failing", "a SMART attribute at or below its "
	    "threshold", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.smart.reallocated", "reallocated sectors (ATA 5)",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.smart.pending", "sectors pending reallocation (ATA 197)",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.smart.offline_uncorrectable", "uncorrectable sectors found "
	    "offline (ATA 198)", FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.smart.reported_uncorrectable", "errors the drive could not "
	    "correct (ATA 187)", FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.smart.command_timeout", "commands that timed out (ATA 188)",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.smart.crc_errors", "interface CRC errors: cable or backplane "
	    "(ATA 199)", FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.temperature", "drive temperature (ATA 194/190)",
	    FW_CMP_ABOVE, 55, 60, 2, 2, 2, "celsius" },
	{ "disk.nvme.critical_warning", "the NVMe controller's critical "
	    "warning bits", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.nvme.spare", "NVMe available spare against its threshold",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "percent" },
	{ "disk.nvme.wear", "NVMe percentage of rated endurance used",
	    FW_CMP_ABOVE, 80, 95, 1, 1, 1, "percent" },
	{ "disk.nvme.media_errors", "NVMe media and data integrity errors",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.nvme.temperature", "NVMe composite temperature against the "
	    "controller's own thresholds", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    "celsius" },
	{ "disk.io_errors", "commands that ended in error or timed out "
	    "(SCSI midlayer counters), or the device went offline",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "disk.latency_outlier", "mean I/O latency far above the other "
	    "disks' for a while (a slow disk is a failing one)", FW_CMP_NONE,
	    NAN, NAN, 0, 6, 2, "milliseconds" },
	{ "disk.selftest_failed", "the last SMART self-test failed",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.unresponsive", "the device did not answer within the probe "
	    "deadline", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.missing", "a disk seen before is gone", FW_CMP_NONE, NAN, NAN,
	    0, 1, 1, NULL },
	{ "disk.unsupported", "health data cannot be read, and why",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ .code = NULL }
};

static const struct fw_conf_key disk_keys[] = {
	{ "deadline", FW_CONF_DURATION, "20s", 1000, 600000, NULL,
	    "how long a disk may take to answer before it is unresponsive" },
	{ .name = NULL }
};

struct disks_state;

struct disk {
	struct disks_state	*st;
	struct disk_info	 info;
	bool			 present;
	bool			 in_flight;
	bool			 self_loaded;
	double			 self_errors;	/* our own, in ioerr_cnt */
	struct diskstat		 stat;		/* the previous sample */
	bool			 has_stat;
	double			 await_ms;	/* this pass, or -1 */
};

struct disks_state {
	struct fw_ctx		*ctx;
	struct udev		*udev;
	struct udev_monitor	*mon;	/* hot-add and removal, or NULL */
	struct disk	*disks[DISKS_MAX];
	size_t		 n;
	uint32_t	 deadline_ms;
};

/*
 * Hot-add and removal: udevd's events when it runs, else the kernel's own
 * uevents.  Either way an event only triggers a rescan now; the scan is
 * the one source of truth.  Not with --root: fixtures have no uevents.
 */
static void
monitor_start(struct disks_state *st)
{
	const char *source;
	int fd;

	if (strcmp(path_root(), "/") != 0 || (st->udev = udev_new()) == NULL)
		return;
	source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	st->mon = udev_monitor_new_from_netlink(st->udev, source);
	if (st->mon == NULL ||
	    udev_monitor_filter_add_match_subsystem_devtype(st->mon, "block",
	    "disk") < 0 || udev_monitor_enable_receiving(st->mon) < 0 ||
	    (fd = udev_monitor_get_fd(st->mon)) < 0 ||
	    ctx_watch_fd(st->ctx, fd, EPOLLIN) < 0) {
		log_debug("disks: no %s uevent monitor; rescans only", source);
		if (st->mon != NULL)
			udev_monitor_unref(st->mon);
		st->mon = NULL;
		return;
	}
	log_debug("disks: watching %s events for hot-plug", source);
}

static int
disks_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct disks_state *st = state;
	struct udev_device *dev;
	const char *action;
	int n = 0;

	while (n < 64 && (dev = udev_monitor_receive_device(st->mon)) != NULL) {
		action = udev_device_get_action(dev);
		log_debug("disks: %s %s", action != NULL ? action : "event",
		    udev_device_get_sysname(dev));
		udev_device_unref(dev);
		n++;
	}
	if (n > 0)
		ctx_request_poll(st->ctx);
	return 0;
}

static int
disks_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct disks_state *st = xcalloc(1, sizeof(*st));

	st->ctx = ctx;
	st->deadline_ms = (uint32_t)conf_get_duration_ms(cs, disk_keys,
	    "deadline");
	monitor_start(st);
	*ret_state = st;
	return 0;
}

static struct fw_entity *
disk_entity(struct fw_report *r, const struct disk *d)
{
	const struct disk_info *i = &d->info;
	struct fw_entity *e;

	e = report_entity(r, FW_KIND_DISK, i->id, i->name);
	entity_label(e, "kernel_name", "%s", i->name);
	entity_label(e, "bus", "%s", i->bus);
	if (i->model[0] != '\0')
		entity_label(e, "model", "%s", i->model);
	if (i->serial[0] != '\0')
		entity_label(e, "serial", "%s", i->serial);
	if (i->wwn[0] != '\0')
		entity_label(e, "wwn", "%s", i->wwn);
	return e;
}

/* How a person should read the disk: "sda (WDC WD40EFRX, WD-WCC4N0XYZ)". */
static const char *
who(const struct disk *d, char *buf, size_t size)
{
	const struct disk_info *i = &d->info;

	if (i->serial[0] != '\0')
		fw_snprintf(buf, size, "disk %s (%s%s%s)", i->name, i->model,
		    i->model[0] ? ", " : "", i->serial);
	else
		fw_snprintf(buf, size, "disk %s", i->name);
	return buf;
}

/* ---- ATA ---- */

/*
 * The ATA counters and how each is judged (evidence in docs/checks.md):
 * data, so every rule is in one place.
 */
enum counter_rule {
	ANY_CRIT,		/* > 0 is critical */
	ANY_WARN_RISE10_CRIT,	/* > 0 warns; +10 within a day is critical */
	ANY_WARN_RISE_CRIT,	/* > 0 warns; any rise within a day critical */
	RISE_WARN,		/* only a rise within a day warns */
};

static const struct ata_counter_def {
	uint8_t			 id;
	const char		*code;
	const char		*what;
	uint64_t		 mask;	/* vendors pack more into the raw */
	enum counter_rule	 rule;
} ata_counters[] = {
	{ 5, "disk.smart.reallocated", "reallocated sectors", 0xffffffffULL,
	    ANY_WARN_RISE10_CRIT },
	{ 197, "disk.smart.pending", "sectors pending reallocation",
	    0xffffffffULL, ANY_CRIT },
	{ 198, "disk.smart.offline_uncorrectable", "offline uncorrectable "
	    "sectors", 0xffffffffULL, ANY_CRIT },
	{ 187, "disk.smart.reported_uncorrectable", "reported uncorrectable "
	    "errors", 0xffffULL, ANY_WARN_RISE_CRIT },
	{ 188, "disk.smart.command_timeout", "command timeouts", 0xffffULL,
	    RISE_WARN },
	{ 199, "disk.smart.crc_errors", "interface CRC errors", 0xffffffffULL,
	    RISE_WARN },
};

static enum fw_state
counter_state(enum counter_rule rule, double raw, double rise)
{
	switch (rule) {
	case ANY_CRIT:
		return raw > 0 ? FW_STATE_CRITICAL : FW_STATE_OK;
	case ANY_WARN_RISE10_CRIT:
		return rise >= 10 ? FW_STATE_CRITICAL : raw > 0 ?
		    FW_STATE_WARNING : FW_STATE_OK;
	case ANY_WARN_RISE_CRIT:
		return rise > 0 ? FW_STATE_CRITICAL : raw > 0 ?
		    FW_STATE_WARNING : FW_STATE_OK;
	default:
		return rise > 0 ? FW_STATE_WARNING : FW_STATE_OK;
	}
}

static void
ata_counter(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct ata_summary *s, const struct ata_counter_def *def)
{
	const struct ata_attr *a = ata_attr_find(s, def->id);
	char base[32], w[160];
	struct fw_check *c;
	double raw, rise;

	if (a == NULL)
		return;
	raw = (double)(a->raw & def->mask);
	fw_snprintf(base, sizeof(base), "smart_%u", def->id);
	rise = ctx_rise(d->st->ctx, e, base, raw, DAY_MS);
	c = report_check(r, e, def->code, counter_state(def->rule, raw, rise),
	    "%s: %.0f %s%s", who(d, w, sizeof(w)), raw, def->what, rise > 0 ?
	    " (rising)" : "");
	check_detail_num(c, "raw", raw);
	check_detail_num(c, "rise_24h", rise);
	check_detail_num(c, "attribute", def->id);
}

static void
ata_attributes(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct ata_summary *s)
{
	const struct ata_attr *a, *worst = NULL;
	enum fw_state st = FW_STATE_OK;
	struct fw_check *c;
	char label[8], w[160];
	unsigned i;

	for (i = 0; i < s->n_attrs; i++) {
		a = &s->attrs[i];
		fw_snprintf(label, sizeof(label), "%u", a->id);
		report_reading(r, e, "smart_attribute_raw", "", (double)a->raw,
		    "id", label);
		if (a->current_valid) {
			report_reading(r, e, "smart_attribute_value", "",
			    a->current, "id", label);
			report_reading(r, e, "smart_attribute_worst", "",
			    a->worst, "id", label);
		}
		if (a->threshold_valid)
			report_reading(r, e, "smart_attribute_threshold", "",
			    a->threshold, "id", label);
		report_reading(r, e, "smart_attribute_prefail", "",
		    a->prefail, "id", label);
		/* A pre-fail attribute at its threshold predicts failure. */
		if (a->failing_now && (worst == NULL || a->prefail)) {
			worst = a;
			st = a->prefail ? FW_STATE_CRITICAL : state_worst(st,
			    FW_STATE_WARNING);
		}
	}
	if (worst == NULL) {
		report_check(r, e, "disk.smart.attribute_failing", FW_STATE_OK,
		    "%s: no SMART attribute at its threshold", who(d, w,
		    sizeof(w)));
		return;
	}
	c = report_check(r, e, "disk.smart.attribute_failing", st, "%s: SMART "
	    "attribute %u %s at %u, threshold %u (%s)", who(d, w, sizeof(w)),
	    worst->id, worst->name, worst->current, worst->threshold,
	    worst->prefail ? "pre-fail" : "old-age");
	check_detail_num(c, "attribute", worst->id);
	check_detail_str(c, "name", worst->name);
	check_detail_num(c, "value", worst->current);
	check_detail_num(c, "threshold", worst->threshold);
}

/*
 * Self-test execution status (SMART data byte 363, high nibble; ATA8-ACS):
 * 0 completed without error, 1 aborted by the host, 2 interrupted by a
 * reset, 3 fatal error, 4 unknown test element failed, 5 electrical,
 * 6 servo/seek, 7 read element failed, 8 handling damage, 15 in progress.
 */
static void
ata_selftest(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct ata_summary *s)
{
	static const char *const what[] = { "completed without error",
	    "aborted by the host", "interrupted by a reset", "fatal error",
	    "an unknown test element failed", "the electrical element failed",
	    "the servo/seek element failed", "the read element failed",
	    "failed, handling damage suspected" };
	int v = s->selftest_status;
	struct fw_check *c;
	char w[160];

	if (v < 0 || v == 15)
		return;		/* never run, or running now */
	c = report_check(r, e, "disk.selftest_failed", v >= 3 && v <= 8 ?
	    FW_STATE_CRITICAL : FW_STATE_OK, "%s: last SMART self-test: %s",
	    who(d, w, sizeof(w)), v <= 8 ? what[v] : "status not defined");
	check_detail_num(c, "status", v);
}

static void
ata_report(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct ata_summary *s)
{
	enum fw_state st = FW_STATE_OK;
	struct fw_check *c;
	char w[160];
	size_t i;

	entity_label(e, "power", "active");
	if (s->serial[0] != '\0')
		entity_label(e, "serial", "%s", s->serial);
	if (s->firmware[0] != '\0')
		entity_label(e, "firmware", "%s", s->firmware);
	if (!s->smart_available) {
		report_check(r, e, "disk.unsupported", FW_STATE_WARNING, "%s: "
		    "SMART is not supported or not enabled on this drive",
		    who(d, w, sizeof(w)));
		return;
	}
	report_check(r, e, "disk.unsupported", FW_STATE_OK, "%s: SMART "
	    "readable", who(d, w, sizeof(w)));
	/* FAILED from the drive is final; PASSED is not a clean bill. */
	if (s->status_good == 0 || s->overall == 5 /* BAD_STATUS */ ||
	    s->overall == 3 /* BAD_ATTRIBUTE_NOW */)
		st = FW_STATE_CRITICAL;
	c = report_check(r, e, "disk.smart.health", st, "%s: SMART "
	    "self-assessment %s", who(d, w, sizeof(w)), s->status_good == 0 ?
	    "FAILED" : s->status_good == 1 ? "passed" : "not given");
	check_detail_num(c, "status_good", s->status_good);
	ata_attributes(d, r, e, s);
	for (i = 0; i < FW_ARRAY_SIZE(ata_counters); i++)
		ata_counter(d, r, e, s, &ata_counters[i]);
	ata_selftest(d, r, e, s);
	if (s->has_temperature) {
		report_reading(r, e, "temperature_celsius", "celsius",
		    s->temperature_c, NULL, NULL);
		report_value(r, e, "disk.temperature", s->temperature_c,
		    "%s: %.0f °C", who(d, w, sizeof(w)), s->temperature_c);
	}
}

/* ---- NVMe ---- */

static enum fw_state
nvme_cw_state(const struct nvme_health *h)
{
	uint8_t cw = h->critical_warning;

	if (cw & (NVME_CW_SPARE | NVME_CW_READ_ONLY | NVME_CW_VOLATILE_BACKUP |
	    NVME_CW_PMR_READ_ONLY))
		return FW_STATE_CRITICAL;
	/* Worn out by design but without media errors: plan, not panic. */
	if (cw & NVME_CW_RELIABILITY)
		return h->percent_used >= 100 && h->media_errors == 0 ?
		    FW_STATE_WARNING : FW_STATE_CRITICAL;
	if (cw & NVME_CW_TEMPERATURE)
		return FW_STATE_WARNING;
	return FW_STATE_OK;
}

static void
nvme_wear(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct nvme_health *h)
{
	double first, days_left = NAN, rate;
	struct fw_check *c;
	int64_t t0, now = clock_wall_ms();
	char w[160];

	/* The slope since first sight predicts the day 100 % is reached. */
	if (ctx_baseline_peek(d->st->ctx, e, "nvme_wear_first", &first,
	    &t0) < 0 || h->percent_used < first)
		ctx_baseline(d->st->ctx, e, "nvme_wear_first", h->percent_used,
		    &first);
	else if (now - t0 >= DAY_MS && h->percent_used > first) {
		rate = (h->percent_used - first) / ((double)(now - t0) / DAY_MS);
		days_left = h->percent_used >= 100 ? 0 :
		    (100 - h->percent_used) / rate;
	}
	c = report_value(r, e, "disk.nvme.wear", h->percent_used, "%s: %u%% "
	    "of rated endurance used", who(d, w, sizeof(w)), h->percent_used);
	if (isfinite(days_left))
		check_detail_num(c, "days_to_100_percent", floor(days_left));
}

static void
nvme_report(struct disk *d, struct fw_report *r, struct fw_entity *e,
    const struct nvme_health *h)
{
	struct fw_check *c;
	char names[96], w[160], label[4];
	double rise, tc;
	int i;

	nvme_cw_names(h->critical_warning, names, sizeof(names));
	c = report_check(r, e, "disk.nvme.critical_warning", nvme_cw_state(h),
	    "%s: NVMe critical warning 0x%02x%s%s", who(d, w, sizeof(w)),
	    h->critical_warning, names[0] ? " " : "", names);
	check_detail_num(c, "critical_warning", h->critical_warning);
	if (names[0] != '\0')
		check_detail_str(c, "bits", names);
	/* 0 % with a 0 % threshold is a controller that does not report it. */
	if (h->spare == 0 && h->spare_threshold == 0) {
		report_check(r, e, "disk.nvme.spare", FW_STATE_OK, "%s: "
		    "available spare not reported", who(d, w, sizeof(w)));
	} else {
		c = report_check(r, e, "disk.nvme.spare", h->spare <
		    h->spare_threshold ? FW_STATE_CRITICAL : h->spare <=
		    h->spare_threshold + 10 ? FW_STATE_WARNING : FW_STATE_OK,
		    "%s: %u%% spare left, threshold %u%%", who(d, w, sizeof(w)),
		    h->spare, h->spare_threshold);
		check_detail_num(c, "spare", h->spare);
		check_detail_num(c, "threshold", h->spare_threshold);
	}
	nvme_wear(d, r, e, h);
	rise = ctx_rise(d->st->ctx, e, "nvme_media_errors",
	    (double)h->media_errors, DAY_MS);
	c = report_check(r, e, "disk.nvme.media_errors", rise > 0 ?
	    FW_STATE_CRITICAL : h->media_errors > 0 ? FW_STATE_WARNING :
	    FW_STATE_OK, "%s: %llu media and data integrity errors%s",
	    who(d, w, sizeof(w)), (unsigned long long)h->media_errors,
	    rise > 0 ? " (rising)" : "");
	check_detail_num(c, "media_errors", (double)h->media_errors);
	tc = h->temperature_k > 0 ? h->temperature_k - 273.15 : NAN;
	rise = ctx_rise(d->st->ctx, e, "nvme_critical_temp_minutes",
	    h->critical_temp_minutes, DAY_MS);
	c = report_check(r, e, "disk.nvme.temperature", rise > 0 ?
	    FW_STATE_CRITICAL : (h->critical_warning & NVME_CW_TEMPERATURE) ?
	    FW_STATE_WARNING : FW_STATE_OK, "%s: composite temperature %.0f °C",
	    who(d, w, sizeof(w)), tc);
	check_detail_num(c, "celsius", tc);
	report_reading(r, e, "temperature_celsius", "celsius", tc, NULL, NULL);
	report_reading(r, e, "nvme_percent_used", "percent", h->percent_used,
	    NULL, NULL);
	report_reading(r, e, "nvme_media_errors", "", (double)h->media_errors,
	    NULL, NULL);
	report_reading(r, e, "nvme_unsafe_shutdowns", "",
	    (double)h->unsafe_shutdowns, NULL, NULL);
	report_reading(r, e, "nvme_power_on_hours", "hours",
	    (double)h->power_on_hours, NULL, NULL);
	report_reading(r, e, "nvme_error_log_entries", "",
	    (double)h->error_log_entries, NULL, NULL);
	report_reading(r, e, "nvme_spare_percent", "percent", h->spare, NULL,
	    NULL);
	for (i = 0; i < 8; i++) {
		if (h->sensor_k[i] == 0)
			continue;
		fw_snprintf(label, sizeof(label), "%d", i + 1);
		report_reading(r, e, "nvme_sensor_celsius", "celsius",
		    h->sensor_k[i] - 273.15, "sensor", label);
	}
}

/* ---- SCSI midlayer counters (any sd disk: SATA, SAS, USB) ---- */

static void
report_io_errors(struct disk *d, struct fw_report *r, struct fw_entity *e)
{
	struct disk_counters k;
	enum fw_state st;
	struct fw_check *c;
	double rise;
	char w[160];

	disk_counters_read(d->info.name, &k);
	if (!k.valid)
		return;
	if (!d->self_loaded) {
		/* What we caused before a restart is still in the counter. */
		if (ctx_baseline_peek(d->st->ctx, e, "scsi_self_errors",
		    &d->self_errors, NULL) < 0)
			d->self_errors = 0;
		d->self_loaded = true;
	}
	if (d->self_errors > (double)k.ioerr)
		d->self_errors = 0;	/* the counter restarted: a reboot */
	rise = ctx_rise(d->st->ctx, e, "scsi_ioerr",
	    (double)k.ioerr - d->self_errors, DAY_MS);
	if (k.has_iotmo)
		rise += ctx_rise(d->st->ctx, e, "scsi_iotmo",
		    (double)k.iotmo, DAY_MS);
	st = strcmp(k.state, "offline") == 0 ? FW_STATE_CRITICAL : rise > 0 ?
	    FW_STATE_WARNING : FW_STATE_OK;
	c = report_check(r, e, "disk.io_errors", st, "%s: %.0f I/O errors and "
	    "timeouts in the last day, device %s", who(d, w, sizeof(w)), rise,
	    k.state[0] ? k.state : "state unknown");
	check_detail_num(c, "ioerr_cnt", (double)k.ioerr);
	if (k.has_iotmo)
		check_detail_num(c, "iotmo_cnt", (double)k.iotmo);
	check_detail_num(c, "rise_24h", rise);
	check_detail_str(c, "device_state", k.state);
	report_reading(r, e, "scsi_ioerr_count", "", (double)k.ioerr, NULL,
	    NULL);
}

/* ---- latency from /proc/diskstats, against the other disks ---- */

#define OUTLIER_RATIO	3.0	/* judgement: docs/checks.md */
#define OUTLIER_MIN_MS	20.0

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
sample_latency(struct disks_state *st)
{
	static struct diskstat now[DISKS_MAX];
	char *text = xmalloc(256 * 1024);
	size_t len = 0, n = 0, i, j;
	struct disk *d;

	if (path_read("/proc/diskstats", text, 256 * 1024, &len) == 0)
		n = diskstats_parse(text, len, now, DISKS_MAX);
	free(text);
	for (i = 0; i < st->n; i++) {
		d = st->disks[i];
		d->await_ms = -1;
		for (j = 0; j < n; j++) {
			if (strcmp(now[j].name, d->info.name) != 0)
				continue;
			if (d->has_stat)
				d->await_ms = diskstat_await(&d->stat, &now[j]);
			d->stat = now[j];
			d->has_stat = true;
			break;
		}
	}
}

/* Needs three disks with I/O: against fewer there is no "usual". */
static void
report_latency(struct disks_state *st, struct fw_report *out)
{
	double awaits[DISKS_MAX], median;
	struct fw_entity *e;
	struct fw_check *c;
	struct disk *d;
	size_t i, n = 0;
	char w[160];

	for (i = 0; i < st->n; i++)
		if (st->disks[i]->present && st->disks[i]->await_ms >= 0)
			awaits[n++] = st->disks[i]->await_ms;
	if (n < 3)
		return;
	qsort(awaits, n, sizeof(awaits[0]), cmp_double);
	median = n % 2 ? awaits[n / 2] : (awaits[n / 2 - 1] + awaits[n / 2]) / 2;
	for (i = 0; i < st->n; i++) {
		d = st->disks[i];
		if (!d->present || d->await_ms < 0)
			continue;
		e = disk_entity(out, d);
		report_reading(out, e, "io_await_ms", "milliseconds",
		    d->await_ms, NULL, NULL);
		report_reading(out, e, "io_in_flight", "", (double)
		    d->stat.in_flight, NULL, NULL);
		c = report_check(out, e, "disk.latency_outlier",
		    d->await_ms > OUTLIER_MIN_MS && d->await_ms >
		    OUTLIER_RATIO * median ? FW_STATE_WARNING : FW_STATE_OK,
		    "%s: %.1f ms per I/O, the disks' median %.1f ms",
		    who(d, w, sizeof(w)), d->await_ms, median);
		check_detail_num(c, "await_ms", d->await_ms);
		check_detail_num(c, "median_ms", median);
	}
}

/* ---- replies ---- */

static void
report_unreadable(struct disk *d, struct fw_report *r, struct fw_entity *e,
    int status)
{
	enum fw_state st = FW_STATE_WARNING;
	char w[160];

	/* No SMART on virtio, MMC or plain SCSI is a fact, not a fault. */
	if (d->info.type == DISK_OTHER || (d->info.type == DISK_SCSI &&
	    (status == -EOPNOTSUPP || status == -ENOTTY)))
		st = FW_STATE_OK;
	report_check(r, e, "disk.unsupported", st, "%s: no health data: %s",
	    who(d, w, sizeof(w)), d->info.type == DISK_OTHER ?
	    "this kind of disk has no SMART" : strerror(-status));
}

static void
on_reply(const struct fw_probe_reply *rep, void *arg)
{
	struct disk *d = arg;
	struct fw_ctx *ctx = d->st->ctx;
	struct ata_summary *s;
	struct nvme_health h;
	struct fw_entity *e;
	struct fw_report *r;
	char w[160];
	double ignored;

	d->in_flight = false;
	r = ctx_report_open(ctx);
	e = disk_entity(r, d);
	if (rep->self_errors > 0) {
		d->self_errors += rep->self_errors;
		ctx_baseline(ctx, e, "scsi_self_errors", d->self_errors,
		    &ignored);
	}
	if (rep->status == -ETIMEDOUT) {
		report_check(r, e, "disk.unresponsive", FW_STATE_CRITICAL, "%s: "
		    "did not answer within %u ms", who(d, w, sizeof(w)),
		    d->st->deadline_ms);
		ctx_report_commit(ctx, r);
		return;
	}
	report_check(r, e, "disk.unresponsive", FW_STATE_OK, "%s: answers",
	    who(d, w, sizeof(w)));
	if (rep->status == -EAGAIN) {
		/*
		 * In standby: not woken (smartd -n standby).  The SMART checks
		 * keep their last state; the label says why nothing is new.
		 */
		entity_label(e, "power", "standby (SMART skipped)");
	} else if (rep->status < 0 || d->info.type == DISK_OTHER) {
		report_unreadable(d, r, e, rep->status);
	} else if (d->info.type == DISK_NVME) {
		if (nvme_health_parse(rep->data, rep->len, &h) == 0)
			nvme_report(d, r, e, &h);
		else
			report_unreadable(d, r, e, -EBADMSG);
	} else {
		s = xmalloc(sizeof(*s));
		if (ata_summary_from_blob(rep->data, rep->len, s) == 0)
			ata_report(d, r, e, s);
		else
			report_unreadable(d, r, e, -EBADMSG);
		free(s);
	}
	ctx_report_commit(ctx, r);
}

/* A disk in /sys without a node in /dev cannot be asked anything. */
static bool
has_node(const char *dev)
{
	char path[PATH_MAX];
	struct stat sb;

	return path_build(path, sizeof(path), "/dev/%s", dev) == 0 &&
	    stat(path, &sb) == 0;
}

static void
disk_probe(struct disks_state *st, struct disk *d, struct fw_report *out,
    struct fw_entity *e)
{
	enum fw_probe_op op = FW_PROBE_OPEN;
	const char *dev = d->info.name;
	char w[160];
	int rc;

	if (d->in_flight)
		return;
	if (!has_node(dev)) {
		report_check(out, e, "disk.unsupported", FW_STATE_WARNING, "%s: "
		    "no device node /dev/%s to read it through", who(d, w,
		    sizeof(w)), dev);
		return;
	}
	if (d->info.type == DISK_NVME) {
		op = FW_PROBE_NVME_SMART_LOG;
		if (d->info.controller[0] != '\0')
			dev = d->info.controller;
	} else if (d->info.type == DISK_ATA || d->info.type == DISK_SCSI) {
		op = FW_PROBE_ATA_SMART;
	}
	rc = probe_submit(ctx_probe(st->ctx), op, dev, st->deadline_ms,
	    on_reply, d);
	if (rc < 0)
		log_debug("disk '%s': cannot queue a probe: %s", dev,
		    strerror(-rc));
	else
		d->in_flight = true;
}

/* ---- discovery ---- */

/* Disks are known by identity: a new name for the same disk is a rename. */
static struct disk *
disk_find(struct disks_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->disks[i]->info.id, id) == 0)
			return st->disks[i];
	return NULL;
}

static void
report_missing(struct disks_state *st, struct disk *d, struct fw_report *out)
{
	struct fw_entity *e = disk_entity(out, d);
	struct fw_check *c;
	char w[160];

	/* An array member gone is critical: the RAID collector adds that. */
	c = report_check(out, e, "disk.missing", FW_STATE_WARNING, "%s is "
	    "gone", who(d, w, sizeof(w)));
	check_detail_str(c, "last_kernel_name", d->info.name);
}

static int
disks_poll(void *state, struct fw_report *out)
{
	static char names[DISKS_MAX][DISK_NAME_MAX];
	struct disks_state *st = state;
	struct disk_info info;
	struct fw_entity *e;
	struct disk *d;
	size_t i, n;
	char w[160];

	for (i = 0; i < st->n; i++)
		st->disks[i]->present = false;
	n = disk_list(names, DISKS_MAX);
	for (i = 0; i < n; i++) {
		if (disk_info_read(names[i], &info) < 0)
			continue;
		d = disk_find(st, info.id);
		if (d == NULL) {
			if (st->n == DISKS_MAX)
				continue;
			d = xcalloc(1, sizeof(*d));
			d->st = st;
			st->disks[st->n++] = d;
		}
		d->info = info;
		d->present = true;
		e = disk_entity(out, d);
		report_check(out, e, "disk.missing", FW_STATE_OK, "%s is "
		    "present", who(d, w, sizeof(w)));
		report_io_errors(d, out, e);
		disk_probe(st, d, out, e);
	}
	for (i = 0; i < st->n; i++)
		if (!st->disks[i]->present)
			report_missing(st, st->disks[i], out);
	sample_latency(st);
	report_latency(st, out);
	return 0;
}

static void
disks_teardown(void *state)
{
	struct disks_state *st = state;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		probe_cancel(ctx_probe(st->ctx), st->disks[i]);
		free(st->disks[i]);
	}
	if (st->mon != NULL) {
		ctx_unwatch_fd(st->ctx, udev_monitor_get_fd(st->mon));
		udev_monitor_unref(st->mon);
	}
	if (st->udev != NULL)
		udev_unref(st->udev);
	free(st);
}

const struct fw_collector disks_collector = {
	.name = "disks",
	.interval_ms = 5 * 60 * 1000,
	.keys = disk_keys,
	.checks = disk_checks,
	.init = disks_init,
	.poll = disks_poll,
	.ready = disks_ready,
	.teardown = disks_teardown,
};
