/* The "sensors" collector: hwmon chips (libsensors, or sysfs), thermal zones and EDAC memory controllers. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/path.h"
#include "forewarn/util.h"
#include "sensors_source.h"

#define DAY_MS		(24LL * 3600 * 1000)

extern const struct fw_collector sensors_collector;
#define MAX_TRACKS	4096

/*
 * Limits come from the chip (docs/checks.md says which attribute gives
 * which level); the collector decides the state, because every sensor has
 * limits of its own, and keeps the hysteresis itself.
 */
static const struct fw_check_def sensors_checks[] = {
	{ "sensor.temp", "a temperature against its chip's max/crit limits "
	    "(or trip points, or the configured ones)", FW_CMP_NONE, NAN, NAN,
	    0, 2, 2, "celsius" },
	{ "sensor.temp_trend", "a temperature rising fast enough to reach "
	    "its critical limit within the horizon", FW_CMP_NONE, NAN, NAN,
	    0, 2, 3, "seconds" },
	{ "sensor.fan", "a fan below its minimum, stopped, or faulty",
	    FW_CMP_NONE, NAN, NAN, 0, 2, 2, "rpm" },
	{ "sensor.voltage", "a voltage outside its min/max (lcrit/crit) range",
	    FW_CMP_NONE, NAN, NAN, 0, 2, 2, "volts" },
	{ "sensor.power", "power or current above its max/cap/crit (current "
	    "also below its min)", FW_CMP_NONE, NAN, NAN, 0, 2, 2, NULL },
	{ "sensor.alarm", "the chip's own alarm flag for a feature is set",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "sensor.fault", "the chip reports the sensor itself faulty (open "
	    "diode, no fan signal)", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "sensor.intrusion", "the chassis intrusion detector has tripped",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "memory.ecc_corrected", "corrected memory errors on a DIMM: a rate "
	    "above the threshold, or the first on a DIMM that had none",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ "memory.ecc_uncorrected", "uncorrected memory errors on a DIMM",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	{ .code = NULL }
};

static const char *const backend_choices[] = {
	"auto", "libsensors", "sysfs", NULL
};

static const struct fw_conf_key sensors_keys[] = {
	{ "backend", FW_CONF_ENUM, "auto", 0, 0, backend_choices,
	    "libsensors, or sysfs (no sensors.conf); auto: libsensors when "
	    "built and the root is /" },
	{ "config", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a sensors.conf for libsensors instead of /etc/sensors3.conf" },
	{ "temp_warning", FW_CONF_DOUBLE, NULL, -100, 300, NULL,
	    "warning temperature (Celsius) for sensors whose chip has no "
	    "limits" },
	{ "temp_critical", FW_CONF_DOUBLE, NULL, -100, 300, NULL,
	    "critical temperature (Celsius) for sensors whose chip has no "
	    "limits" },
	{ "temp_margin", FW_CONF_DOUBLE, "5", 0, 100, NULL,
	    "warning this far below a chip's only upper limit" },
	{ "temp_hysteresis", FW_CONF_DOUBLE, "3", 0, 50, NULL,
	    "clear this far below the limit when the chip has no *_hyst" },
	{ "trend_horizon", FW_CONF_DURATION, "15m", 10000, 86400000, NULL,
	    "sensor.temp_trend warns when crit is this close in time" },
	{ "trend_window", FW_CONF_DURATION, "10m", 5000, 86400000, NULL,
	    "the recent samples the trend line is fitted through" },
	{ "rescan", FW_CONF_DURATION, "5m", 1000, 86400000, NULL,
	    "re-read libsensors' chip list at least this often" },
	{ "thermal_zones", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "read /sys/class/thermal zones that have no hwmon twin" },
	{ "edac", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "read EDAC memory controllers" },
	{ "ecc_corrected_per_day", FW_CONF_INT, "10", 1, 1000000, NULL,
	    "corrected errors on one DIMM within 24 h that raise "
	    "memory.ecc_corrected" },
	{ .name = NULL }
};

/* What the collector remembers of one sensor between passes. */
struct track {
	char		id[160];
	enum fw_state	temp_state;	/* for the hysteresis */
	struct trend	tr;
	bool		used;
};

struct sensors_state {
	struct fw_ctx			*ctx;
	const struct sens_backend	*backend;
	void				*b;
	double				 temp_warning, temp_critical;
	double				 temp_margin, temp_hyst;
	double				 horizon_s, window_s, max_gap_s;
	int64_t				 rescan_ms;
	bool				 thermal, edac;
	uint64_t			 ce_per_day;
	struct track			*tracks;
	size_t				 n_tracks;
	int				 hwmon_count;
	struct fw_mono			 last_scan;	/* libsensors re-read */
	struct fw_mono			 last_mono;
	int64_t				 last_wall_ms;
	bool				 said_no_edac, said_no_sensors;
	struct sens_scan		 scan;		/* this pass */
};

/* ---- tracks ---- */

static struct track *
track_get(struct sensors_state *s, const char *id)
{
	struct track *t;
	size_t i;

	for (i = 0; i < s->n_tracks; i++)
		if (strcmp(s->tracks[i].id, id) == 0)
			return &s->tracks[i];
	if (s->n_tracks >= MAX_TRACKS)
		return NULL;
	s->tracks = xreallocarray(s->tracks, s->n_tracks + 1,
	    sizeof(*s->tracks));
	t = &s->tracks[s->n_tracks++];
	memset(t, 0, sizeof(*t));
	fw_strlcpy(t->id, id, sizeof(t->id));
	return t;
}

/* A condition raised before a restart: the hysteresis starts from it. */
static void
restore_one(enum fw_kind kind, const char *id, const char *check,
    enum fw_state state, void *arg)
{
	struct track *t;

	if (kind != FW_KIND_SENSOR || strcmp(check, "sensor.temp") != 0)
		return;
	if ((t = track_get(arg, id)) != NULL)
		t->temp_state = state;
}

/* ---- temperatures ---- */

struct limits {
	double	warn, crit;		/* NAN when none */
	double	warn_clear, crit_clear;
	const char *warn_src, *crit_src;
};

static double
clear_at(const struct sensors_state *s, double limit, double hyst)
{
	if (isfinite(hyst) && hyst < limit && hyst > limit - 50)
		return hyst;
	return limit - s->temp_hyst;
}

static void
temp_limits(const struct sensors_state *s, const struct sens_feature *f,
    struct limits *l)
{
	double max = f->v[SUB_MAX], crit = f->v[SUB_CRIT];

	l->warn = l->crit = NAN;
	l->warn_src = l->crit_src = "";
	if (isfinite(crit) && isfinite(max) && max < crit) {
		l->crit = crit;
		l->crit_src = "crit";
		l->crit_clear = clear_at(s, crit, f->v[SUB_CRIT_HYST]);
		l->warn = max;
		l->warn_src = "max";
		l->warn_clear = clear_at(s, max, f->v[SUB_MAX_HYST]);
		return;
	}
	if (isfinite(crit) || isfinite(max)) {
		/* One upper limit: it is the critical one. */
		l->crit = isfinite(crit) ? crit : max;
		l->crit_src = isfinite(crit) ? "crit" : "max";
		l->crit_clear = clear_at(s, l->crit, isfinite(crit) ?
		    f->v[SUB_CRIT_HYST] : f->v[SUB_MAX_HYST]);
	} else if (isfinite(s->temp_critical)) {
		l->crit = s->temp_critical;
		l->crit_src = "configured";
		l->crit_clear = l->crit - s->temp_hyst;
	}
	if (isfinite(s->temp_warning) && (!isfinite(l->crit) ||
	    s->temp_warning < l->crit)) {
		l->warn = s->temp_warning;
		l->warn_src = "configured";
	} else if (isfinite(l->crit)) {
		l->warn = l->crit - s->temp_margin;
		l->warn_src = "margin";
	}
	l->warn_clear = l->warn - s->temp_hyst;
}

static enum fw_state
temp_state(const struct limits *l, enum fw_state cur, double t)
{
	if (!isfinite(t))
		return FW_STATE_UNKNOWN;
	if (isfinite(l->crit) && (t >= l->crit ||
	    (cur == FW_STATE_CRITICAL && t > l->crit_clear)))
		return FW_STATE_CRITICAL;
	if (isfinite(l->warn) && (t >= l->warn || ((cur == FW_STATE_WARNING ||
	    cur == FW_STATE_CRITICAL) && t > l->warn_clear)))
		return FW_STATE_WARNING;
	return FW_STATE_OK;
}

/* The fans of the same chip that failed: one story with a rising temperature. */
static bool
fan_failed(const struct sens_feature *f)
{
	double in = f->v[SUB_INPUT], min = f->v[SUB_MIN];

	if (f->type != SENS_FAN)
		return false;
	if (f->flags & ((1u << FLAG_FAULT) | (1u << FLAG_ALARM) |
	    (1u << FLAG_MIN_ALARM)))
		return true;
	return isfinite(in) && isfinite(min) && min > 0 && in < min;
}

static void
sensor_id(const struct sens_chip *c, const struct sens_feature *f, char *buf,
    size_t size)
{
	size_t i;
	bool dup = false;

	/* Two features with one label (a sensors.conf slip) stay apart. */
	for (i = 0; i < c->n_features; i++)
		if (&c->features[i] != f &&
		    strcmp(c->features[i].label, f->label) == 0)
			dup = true;
	if (dup)
		fw_snprintf(buf, size, "%s/%s/%s", c->name, f->label, f->name);
	else
		fw_snprintf(buf, size, "%s/%s", c->name, f->label);
}

static void
link_fans(struct fw_entity *e, const struct sens_chip *c, char *why,
    size_t size)
{
	char id[160];
	size_t i;

	why[0] = '\0';
	for (i = 0; c != NULL && i < c->n_features; i++) {
		if (c->features[i].type != SENS_FAN)
			continue;
		sensor_id(c, &c->features[i], id, sizeof(id));
		if (fan_failed(&c->features[i])) {
			entity_relate(e, "cooled_by", FW_KIND_SENSOR, id);
			if (why[0] == '\0')
				fw_snprintf(why, size, "; %s on the same chip "
				    "has failed", c->features[i].label);
		} else {
			entity_unrelate(e, "cooled_by", FW_KIND_SENSOR, id);
		}
	}
}

static void
report_trend(struct sensors_state *s, struct fw_report *r,
    struct fw_entity *e, struct track *t, const struct limits *l,
    const char *who, const char *fans)
{
	struct trend_fit fit;
	struct fw_check *c;
	double eta;
	bool rising;

	if (!isfinite(l->crit))
		return;
	if (trend_fit(&t->tr, &fit) < 0) {
		report_check(r, e, "sensor.temp_trend", FW_STATE_OK, "%s: too "
		    "few recent samples for a trend", who);
		return;
	}
	eta = trend_eta(&fit, l->crit);
	rising = fit.slope > 0 && fit.slope > 2 * fit.slope_se;
	if (rising && eta < s->horizon_s)
		c = report_check(r, e, "sensor.temp_trend", FW_STATE_WARNING,
		    "%s: %.1f °C rising %.2f °C/min, reaches %s %.1f °C in "
		    "%.0f s%s", who, fit.now, fit.slope * 60, l->crit_src,
		    l->crit, eta, fans);
	else
		c = report_check(r, e, "sensor.temp_trend", FW_STATE_OK,
		    "%s: %.1f °C, %s %.2f °C/min", who, fit.now, rising ?
		    "rising" : "steady at", fit.slope * 60);
	check_detail_num(c, "celsius_per_minute", fit.slope * 60);
	check_detail_num(c, "limit_celsius", l->crit);
	check_detail_num(c, "samples", fit.n);
	if (isfinite(eta))
		check_detail_num(c, "eta_seconds", eta);
}

/* sensor.temp and sensor.temp_trend for one temperature (hwmon or zone). */
static void
judge_temp(struct sensors_state *s, struct fw_report *r, struct fw_entity *e,
    const struct limits *l, double temp, const struct sens_chip *chip)
{
	char who[200], fans[96];
	struct fw_check *c;
	struct track *t;
	enum fw_state st;
	double now_s = (double)clock_mono_now().us / 1e6;

	fw_snprintf(who, sizeof(who), "%s", entity_name(e));
	if ((t = track_get(s, entity_id(e))) == NULL)
		return;
	t->used = true;
	st = temp_state(l, t->temp_state, temp);
	if (st != FW_STATE_UNKNOWN)
		t->temp_state = st;
	link_fans(e, chip, fans, sizeof(fans));
	if (!isfinite(temp))
		c = report_check(r, e, "sensor.temp", FW_STATE_UNKNOWN,
		    "%s: cannot be read", who);
	else if (st == FW_STATE_OK)
		c = report_check(r, e, "sensor.temp", st, "%s: %.1f °C", who,
		    temp);
	else
		c = report_check(r, e, "sensor.temp", st, "%s: %.1f °C, %s "
		    "limit %.1f °C%s", who, temp, st == FW_STATE_CRITICAL ?
		    l->crit_src : l->warn_src, st == FW_STATE_CRITICAL ?
		    l->crit : l->warn, fans);
	if (isfinite(temp))
		check_detail_num(c, "celsius", temp);
	if (isfinite(l->warn))
		check_detail_num(c, "warning_celsius", l->warn);
	if (isfinite(l->crit))
		check_detail_num(c, "critical_celsius", l->crit);
	/* Unreadable now: the trend waits for readings (the gap rule). */
	if (!isfinite(temp))
		return;
	trend_add(&t->tr, now_s, temp, s->window_s, s->max_gap_s);
	report_trend(s, r, e, t, l, who, fans);
}

/* ---- the other feature types ---- */

static void
judge_fan(struct sensors_state *s, struct fw_report *r, struct fw_entity *e,
    const struct sens_feature *f)
{
	double in = f->v[SUB_INPUT], min = f->v[SUB_MIN], spun = 0;
	const char *who = entity_name(e);
	int64_t when;
	struct fw_check *c;

	/* Remembered once (a store write per pass would cost more than the read). */
	if (s->ctx != NULL && ctx_baseline_peek(s->ctx, e, "fan_spun", &spun,
	    &when) < 0 && isfinite(in) && in > 0)
		ctx_baseline(s->ctx, e, "fan_spun", 1, &spun);
	if (f->flags & (1u << FLAG_FAULT))
		c = report_check(r, e, "sensor.fan", FW_STATE_CRITICAL, "%s: "
		    "the chip reports the fan faulty", who);
	else if (!isfinite(in))
		c = report_check(r, e, "sensor.fan", FW_STATE_UNKNOWN, "%s: "
		    "cannot be read", who);
	else if (in == 0 && ((isfinite(min) && min > 0) || spun > 0))
		c = report_check(r, e, "sensor.fan", FW_STATE_CRITICAL, "%s: "
		    "stopped (0 RPM)", who);
	else if (isfinite(min) && min > 0 && in < min)
		c = report_check(r, e, "sensor.fan", FW_STATE_WARNING, "%s: "
		    "%.0f RPM, below its minimum %.0f RPM", who, in, min);
	else
		c = report_check(r, e, "sensor.fan", FW_STATE_OK, "%s: %.0f "
		    "RPM", who, in);
	if (isfinite(in))
		check_detail_num(c, "rpm", in);
	if (isfinite(min))
		check_detail_num(c, "min_rpm", min);
}

/* Outside [lo, hi]; limits of 0 on both sides are unset. */
static bool
outside(double v, double lo, double hi, double *ret_limit)
{
	if (isfinite(lo) && isfinite(hi) && lo == 0 && hi == 0)
		return false;
	if (isfinite(hi) && v > hi) {
		*ret_limit = hi;
		return true;
	}
	if (isfinite(lo) && v < lo) {
		*ret_limit = lo;
		return true;
	}
	return false;
}

static void
judge_range(struct fw_report *r, struct fw_entity *e,
    const struct sens_feature *f, const char *code, const char *unit)
{
	double v = f->v[SUB_INPUT], lim = NAN;
	const double *x = f->v;
	struct fw_check *c;
	enum fw_state st = FW_STATE_OK;
	bool lower = f->type != SENS_POWER;

	if (!isfinite(v) && f->type == SENS_POWER)
		v = x[SUB_AVERAGE];
	if (!isfinite(v))
		return;
	if (outside(v, lower ? x[SUB_LCRIT] : NAN, x[SUB_CRIT], &lim))
		st = FW_STATE_CRITICAL;
	else if (outside(v, lower ? x[SUB_MIN] : NAN, x[SUB_MAX], &lim) ||
	    (f->type == SENS_POWER && outside(v, NAN, x[SUB_CAP], &lim)))
		st = FW_STATE_WARNING;
	if (st == FW_STATE_OK)
		c = report_check(r, e, code, st, "%s: %.3f %s", entity_name(e),
		    v, unit);
	else
		c = report_check(r, e, code, st, "%s: %.3f %s, %s its limit "
		    "%.3f %s", entity_name(e), v, unit, v > lim ? "above" :
		    "below", lim, unit);
	check_detail_num(c, "value", v);
	if (isfinite(lim))
		check_detail_num(c, "limit", lim);
}

/* The driver's alarm and fault flags: the hardware's own verdict. */
static void
judge_flags(struct fw_report *r, struct fw_entity *e,
    const struct sens_feature *f)
{
	unsigned set = f->flags & SENS_FLAG_ALARMS, i;
	char names[128] = "";
	size_t o = 0;

	if (f->type == SENS_INTRUSION) {
		if (f->has_flags & (1u << FLAG_ALARM))
			report_check(r, e, "sensor.intrusion", set ?
			    FW_STATE_WARNING : FW_STATE_OK, set ? "%s: the "
			    "chassis was opened (cleared by writing 0 to its "
			    "alarm)" : "%s: closed", entity_name(e));
		return;
	}
	for (i = 0; i < FLAG_COUNT; i++) {
		if (!(set & (1u << i)))
			continue;
		if (fw_snprintf(names + o, sizeof(names) - o, "%s%s",
		    o > 0 ? ", " : "", sens_flag_name(i)) < 0)
			break;
		o = strlen(names);
	}
	if (f->has_flags & SENS_FLAG_ALARMS)
		report_check(r, e, "sensor.alarm", !set ? FW_STATE_OK :
		    (set & ((1u << FLAG_CRIT_ALARM) | (1u << FLAG_LCRIT_ALARM) |
		    (1u << FLAG_EMERGENCY_ALARM))) ? FW_STATE_CRITICAL :
		    FW_STATE_WARNING, set ? "%s: the chip set its %s flag" :
		    "%s: no alarm", entity_name(e), names);
	if (f->has_flags & (1u << FLAG_FAULT))
		report_check(r, e, "sensor.fault", (f->flags &
		    (1u << FLAG_FAULT)) ? FW_STATE_CRITICAL : FW_STATE_OK,
		    (f->flags & (1u << FLAG_FAULT)) ? "%s: the chip reports "
		    "the sensor faulty" : "%s: no fault", entity_name(e));
}

static const char *const metric_of[SENS_TYPE_COUNT][2] = {
	{ "voltage_volts", "volts" },
	{ "fan_rpm", "rpm" },
	{ "temperature_celsius", "celsius" },
	{ "power_watts", "watts" },
	{ "energy_joules", "joules" },
	{ "current_amperes", "amperes" },
	{ "humidity_percent", "percent" },
	{ "intrusion", "" },
};

static void
report_limits(struct fw_report *r, struct fw_entity *e,
    const struct sens_feature *f)
{
	char metric[64];
	unsigned i;

	if (f->type >= SENS_INTRUSION)
		return;
	fw_snprintf(metric, sizeof(metric), "%s_limit",
	    metric_of[f->type][0]);
	for (i = SUB_MIN; i < SUB_COUNT; i++)
		if (isfinite(f->v[i]) && i != SUB_AVERAGE)
			report_reading(r, e, metric, metric_of[f->type][1],
			    f->v[i], "limit", sens_sub_name(i));
}

static void
report_feature(struct sensors_state *s, struct fw_report *r,
    const struct sens_chip *c, const struct sens_feature *f)
{
	char id[160], name[200];
	struct fw_entity *e;
	struct limits l;
	double v = f->v[SUB_INPUT];

	sensor_id(c, f, id, sizeof(id));
	fw_snprintf(name, sizeof(name), "%s %s", c->name, f->label);
	e = report_entity(r, FW_KIND_SENSOR, id, name);
	entity_label(e, "chip", "%s", c->name);
	entity_label(e, "feature", "%s", f->name);
	entity_label(e, "type", "%s", sens_type_name(f->type));
	entity_label(e, "driver", "%s", c->prefix);
	if (c->path[0] != '\0')
		entity_label(e, "hwmon", "%s", c->path);
	if (f->type == SENS_POWER && !isfinite(v))
		v = f->v[SUB_AVERAGE];
	if (isfinite(v) && f->type != SENS_INTRUSION)
		report_reading(r, e, metric_of[f->type][0],
		    metric_of[f->type][1], v, NULL, NULL);
	report_limits(r, e, f);
	switch (f->type) {
	case SENS_TEMP:
		temp_limits(s, f, &l);
		if (isfinite(v) || isfinite(l.crit))
			judge_temp(s, r, e, &l, v, c);
		break;
	case SENS_FAN:
		judge_fan(s, r, e, f);
		break;
	case SENS_IN:
		judge_range(r, e, f, "sensor.voltage", "V");
		break;
	case SENS_CURR:
		judge_range(r, e, f, "sensor.power", "A");
		break;
	case SENS_POWER:
		judge_range(r, e, f, "sensor.power", "W");
		break;
	default:
		break;
	}
	judge_flags(r, e, f);
}

/* ---- passes ---- */

static void
sensors_chips(struct sensors_state *s, struct fw_report *r)
{
	struct fw_mono now = clock_mono_now();
	size_t i, j;
	int n, rc;

	/* A hwmon directory came or went (an NVMe drive, a PSU): re-read. */
	n = sens_hwmon_count();
	if (n != s->hwmon_count ||
	    mono_diff_ms(now, s->last_scan) >= s->rescan_ms) {
		if (n != s->hwmon_count && s->hwmon_count >= 0)
			log_info("sensors: %d hwmon chips now (was %d)", n < 0 ?
			    0 : n, s->hwmon_count);
		s->backend->rescan(s->b);
		s->hwmon_count = n;
		s->last_scan = now;
	}
	sens_scan_clear(&s->scan);
	if ((rc = s->backend->scan(s->b, &s->scan)) < 0) {
		log_warnx("sensors: %s could not read the chips: %s",
		    s->backend->name, strerror(-rc));
		return;
	}
	for (i = 0; i < s->scan.n_chips; i++)
		for (j = 0; j < s->scan.chips[i].n_features; j++)
			report_feature(s, r, &s->scan.chips[i],
			    &s->scan.chips[i].features[j]);
}

static bool
has_hwmon_twin(const struct sensors_state *s, const char *type)
{
	char prefix[64];
	size_t i;

	fw_strlcpy(prefix, type, sizeof(prefix));
	for (char *p = prefix; *p != '\0'; p++)
		if (*p == ' ' || *p == '-')
			*p = '_';
	for (i = 0; i < s->scan.n_chips; i++)
		if (strcmp(s->scan.chips[i].prefix, prefix) == 0)
			return true;
	return false;
}

static void
zone_limits(const struct sensors_state *s, const struct thermal_zone *z,
    struct limits *l)
{
	const struct thermal_trip *t;
	struct sens_feature f;
	unsigned i;

	/* The lowest critical trip is crit; a hot or passive one below is max. */
	sens_feature_init(&f, SENS_TEMP, "temp");
	for (i = 0; i < z->n_trips; i++) {
		t = &z->trips[i];
		if (t->type == TRIP_CRITICAL && !(f.v[SUB_CRIT] <= t->temp)) {
			f.v[SUB_CRIT] = t->temp;
			f.v[SUB_CRIT_HYST] = isfinite(t->hyst) && t->hyst > 0 ?
			    t->temp - t->hyst : NAN;
		}
	}
	for (i = 0; i < z->n_trips; i++) {
		t = &z->trips[i];
		if ((t->type == TRIP_HOT || t->type == TRIP_PASSIVE) &&
		    !(f.v[SUB_MAX] <= t->temp) && !(t->temp >= f.v[SUB_CRIT])) {
			f.v[SUB_MAX] = t->temp;
			f.v[SUB_MAX_HYST] = isfinite(t->hyst) && t->hyst > 0 ?
			    t->temp - t->hyst : NAN;
		}
	}
	temp_limits(s, &f, l);
	if (strcmp(l->crit_src, "crit") == 0)
		l->crit_src = "critical trip";
	else if (strcmp(l->crit_src, "max") == 0)
		l->crit_src = "trip point";
	if (strcmp(l->warn_src, "max") == 0)
		l->warn_src = "trip point";
}

static void
sensors_zones(struct sensors_state *s, struct fw_report *r)
{
	struct thermal_zone *zones, *z;
	struct fw_entity *e;
	char id[160], name[160];
	struct limits l;
	size_t n, i, k, same;

	if (thermal_read(&zones, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		z = &zones[i];
		if (z->disabled || has_hwmon_twin(s, z->type))
			continue;
		/* Zone numbers follow probe order; the type is the identity. */
		for (k = 0, same = 0; k < i; k++)
			same += strcmp(zones[k].type, z->type) == 0;
		if (same > 0)
			fw_snprintf(id, sizeof(id), "thermal:%s:%zu", z->type,
			    same);
		else
			fw_snprintf(id, sizeof(id), "thermal:%s", z->type);
		fw_snprintf(name, sizeof(name), "%s (%s)", z->type, z->dir);
		e = report_entity(r, FW_KIND_SENSOR, id, name);
		entity_label(e, "zone", "%s", z->dir);
		entity_label(e, "type", "temp");
		if (isfinite(z->temp))
			report_reading(r, e, "temperature_celsius", "celsius",
			    z->temp, NULL, NULL);
		zone_limits(s, z, &l);
		judge_temp(s, r, e, &l, z->temp, NULL);
	}
	free(zones);
}

/* ---- EDAC ---- */

static void
judge_ecc(struct sensors_state *s, struct fw_report *r, struct fw_entity *e,
    uint64_t ce, uint64_t ue, bool has_ue, const char *where)
{
	double rise = 0, clean = 0;
	int64_t when;
	struct fw_check *c;
	bool had_none = false;

	if (s->ctx != NULL) {
		rise = ctx_rise(s->ctx, e, "ecc_ce", (double)ce, DAY_MS);
		/* Seen at zero once: any error since is the DIMM's first. */
		had_none = ctx_baseline_peek(s->ctx, e, "ecc_ce_clean", &clean,
		    &when) == 0 && clean > 0;
		if (ce == 0 && !had_none)
			ctx_baseline(s->ctx, e, "ecc_ce_clean", 1, &clean);
	}
	if (rise >= (double)s->ce_per_day)
		c = report_check(r, e, "memory.ecc_corrected",
		    FW_STATE_WARNING, "%s: %.0f corrected memory errors%s "
		    "within 24 h (threshold %llu), %llu since boot",
		    entity_name(e), rise, where, (unsigned long long)s->ce_per_day,
		    (unsigned long long)ce);
	else if (rise > 0 && had_none)
		c = report_check(r, e, "memory.ecc_corrected",
		    FW_STATE_WARNING, "%s: its first corrected memory errors%s "
		    "(%.0f new, %llu since boot)", entity_name(e), where, rise,
		    (unsigned long long)ce);
	else
		c = report_check(r, e, "memory.ecc_corrected", FW_STATE_OK,
		    "%s: %llu corrected memory errors%s since boot, %.0f "
		    "within 24 h", entity_name(e), (unsigned long long)ce,
		    where, rise);
	check_detail_num(c, "ce_count", (double)ce);
	check_detail_num(c, "ce_24h", rise);
	report_reading(r, e, "ecc_corrected_errors", "", (double)ce, NULL,
	    NULL);
	if (!has_ue)
		return;
	c = report_check(r, e, "memory.ecc_uncorrected", ue > 0 ?
	    FW_STATE_CRITICAL : FW_STATE_OK, "%s: %llu uncorrected memory "
	    "errors%s since boot", entity_name(e), (unsigned long long)ue,
	    where);
	check_detail_num(c, "ue_count", (double)ue);
	report_reading(r, e, "ecc_uncorrected_errors", "", (double)ue, NULL,
	    NULL);
}

static void
report_mc(struct sensors_state *s, struct fw_report *r,
    const struct edac_mc *mc)
{
	char mc_id[32], mc_name[32], id[160], name[160];
	const struct edac_dimm *d;
	struct fw_entity *m, *e;
	size_t i;

	/* The kernel log's id for the controller, so both collectors agree. */
	fw_snprintf(mc_id, sizeof(mc_id), "edac:mc%u", mc->index);
	fw_snprintf(mc_name, sizeof(mc_name), "mc%u", mc->index);
	m = report_entity(r, FW_KIND_MEMORY, mc_id, mc_name);
	if (mc->name[0] != '\0')
		entity_label(m, "driver", "%s", mc->name);
	/* Errors EDAC could not pin on a DIMM stay with the controller. */
	if (mc->n_dimms == 0)
		judge_ecc(s, r, m, mc->ce, mc->ue, true, "");
	else
		judge_ecc(s, r, m, mc->ce_noinfo, mc->ue_noinfo, true,
		    " not attributed to a DIMM");
	for (i = 0; i < mc->n_dimms; i++) {
		d = &mc->dimms[i];
		fw_snprintf(id, sizeof(id), "%s/%s", mc_id, d->location);
		fw_snprintf(name, sizeof(name), "%s", d->label[0] != '\0' ?
		    d->label : id);
		e = report_entity(r, FW_KIND_MEMORY, id, name);
		entity_relate(e, "member_of", FW_KIND_MEMORY, mc_id);
		entity_label(e, "location", "%s", d->location);
		if (d->label[0] != '\0')
			entity_label(e, "label", "%s", d->label);
		if (d->mem_type[0] != '\0')
			entity_label(e, "mem_type", "%s", d->mem_type);
		if (d->size_mb > 0)
			entity_label(e, "size_mb", "%llu",
			    (unsigned long long)d->size_mb);
		judge_ecc(s, r, e, d->ce, d->ue, d->has_ue, "");
	}
}

static void
sensors_edac(struct sensors_state *s, struct fw_report *r)
{
	struct edac_mc *mcs = NULL;
	size_t n = 0, i;
	int rc;

	rc = edac_read(&mcs, &n);
	if ((rc == -ENOENT || (rc == 0 && n == 0)) && !s->said_no_edac) {
		log_info("sensors: no EDAC memory controllers: memory errors "
		    "are not available here (a VM, or no EDAC driver)");
		s->said_no_edac = true;
	}
	for (i = 0; i < n; i++)
		report_mc(s, r, &mcs[i]);
	edac_free(mcs, n);
}

/* A suspend (or a wall clock step) breaks every series: start them again. */
static void
check_suspend(struct sensors_state *s)
{
	struct fw_mono now = clock_mono_now();
	int64_t wall = clock_wall_ms(), dm, dw;
	size_t i;

	dm = mono_diff_ms(now, s->last_mono);
	dw = wall - s->last_wall_ms;
	if (s->last_wall_ms != 0 && (dw - dm > 5000 || dw < 0)) {
		log_info("sensors: %lld s unaccounted for (suspend?): the "
		    "temperature trends start again", (long long)(dw - dm) /
		    1000);
		for (i = 0; i < s->n_tracks; i++)
			trend_reset(&s->tracks[i].tr);
	}
	s->last_mono = now;
	s->last_wall_ms = wall;
}

static int
sensors_poll(void *state, struct fw_report *out)
{
	struct sensors_state *s = state;

	check_suspend(s);
	sensors_chips(s, out);
	if (s->thermal)
		sensors_zones(s, out);
	if (s->scan.n_chips == 0 && !s->said_no_sensors) {
		log_info("sensors: no hwmon chips (%s)", s->backend->name);
		s->said_no_sensors = true;
	}
	if (s->edac)
		sensors_edac(s, out);
	return 0;
}

static const struct sens_backend *
pick_backend(const char *want)
{
#ifdef FW_HAVE_LIBSENSORS
	/* libsensors reads the real /sys: under --root only sysfs can. */
	if (strcmp(want, "libsensors") == 0 || (strcmp(want, "auto") == 0 &&
	    strcmp(path_root(), "/") == 0))
		return &sens_libsensors_backend;
#endif
	return &sens_sysfs_backend;
}

static double
conf_opt_double(const struct fw_conf_section *cs, const char *key)
{
	double v = NAN;

	if (conf_section_value(cs, key) != NULL)
		v = conf_get_double(cs, sensors_keys, key);
	return v;
}

static int
sensors_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct sensors_state *s = xcalloc(1, sizeof(*s));
	uint64_t interval;
	int rc;

	*ret_state = s;
	s->ctx = ctx;
	s->temp_warning = conf_opt_double(cs, "temp_warning");
	s->temp_critical = conf_opt_double(cs, "temp_critical");
	s->temp_margin = conf_get_double(cs, sensors_keys, "temp_margin");
	s->temp_hyst = conf_get_double(cs, sensors_keys, "temp_hysteresis");
	s->horizon_s = (double)conf_get_duration_ms(cs, sensors_keys,
	    "trend_horizon") / 1000;
	s->window_s = (double)conf_get_duration_ms(cs, sensors_keys,
	    "trend_window") / 1000;
	s->rescan_ms = (int64_t)conf_get_duration_ms(cs, sensors_keys,
	    "rescan");
	s->thermal = conf_get_bool(cs, sensors_keys, "thermal_zones");
	s->edac = conf_get_bool(cs, sensors_keys, "edac");
	s->ce_per_day = (uint64_t)conf_get_int(cs, sensors_keys,
	    "ecc_corrected_per_day");
	interval = cs != NULL ? conf_collector_interval_ms(cs,
	    &sensors_collector) : sensors_collector.interval_ms;
	/* A sensor unread for three intervals starts a new series. */
	s->max_gap_s = 3.0 * (double)interval / 1000 + 1;
	s->hwmon_count = -1;
	s->last_scan = clock_mono_now();
	s->backend = pick_backend(conf_get_str(cs, sensors_keys, "backend"));
	if ((rc = s->backend->open(conf_get_str(cs, sensors_keys, "config"),
	    &s->b)) < 0) {
		log_warnx("sensors: the %s backend could not start: %s",
		    s->backend->name, strerror(-rc));
		s->backend = NULL;
		return rc;
	}
	s->hwmon_count = sens_hwmon_count();
	log_debug("sensors: reading chips through %s", s->backend->name);
	if (ctx != NULL)
		ctx_conditions(ctx, restore_one, s);
	return 0;
}

static void
sensors_teardown(void *state)
{
	struct sensors_state *s = state;

	if (s == NULL)
		return;
	if (s->backend != NULL)
		s->backend->close(s->b);
	sens_scan_clear(&s->scan);
	free(s->tracks);
	free(s);
}

const struct fw_collector sensors_collector = {
	.name = "sensors",
	.interval_ms = 30 * 1000,
	.keys = sensors_keys,
	.checks = sensors_checks,
	.init = sensors_init,
	.poll = sensors_poll,
	.teardown = sensors_teardown,
};
