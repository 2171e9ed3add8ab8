/* Hwmon attribute names and values, the chip model, and the least-squares trend of a temperature. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/util.h"
#include "sensors_parse.h"

static const char *const type_names[SENS_TYPE_COUNT] = {
	"in", "fan", "temp", "power", "energy", "curr", "humidity", "intrusion",
};

/* Longest first where one is a prefix of another's tail ("max_hyst"). */
static const char *const sub_names[SUB_COUNT] = {
	"input", "min", "max", "lcrit", "crit", "emergency", "min_hyst",
	"max_hyst", "lcrit_hyst", "crit_hyst", "emergency_hyst", "average",
	"cap",
};

static const char *const flag_names[FLAG_COUNT] = {
	"alarm", "min_alarm", "max_alarm", "lcrit_alarm", "crit_alarm",
	"emergency_alarm", "fault", "beep",
};

/* sysfs units per type: milli-units, micro for power and energy. */
static const double type_scale[SENS_TYPE_COUNT] = {
	1e-3, 1, 1e-3, 1e-6, 1e-6, 1e-3, 1e-3, 1,
};

const char *
sens_type_name(enum sens_type t)
{
	return t < SENS_TYPE_COUNT ? type_names[t] : "?";
}

const char *
sens_sub_name(enum sens_sub s)
{
	return s < SUB_COUNT ? sub_names[s] : "?";
}

const char *
sens_flag_name(enum sens_flag f)
{
	return f < FLAG_COUNT ? flag_names[f] : "?";
}

void
sens_feature_init(struct sens_feature *f, enum sens_type type,
    const char *name)
{
	unsigned i;

	memset(f, 0, sizeof(*f));
	f->type = type;
	fw_strlcpy(f->name, name, sizeof(f->name));
	fw_strlcpy(f->label, name, sizeof(f->label));
	for (i = 0; i < SUB_COUNT; i++)
		f->v[i] = NAN;
}

struct sens_feature *
sens_chip_add(struct sens_chip *c, enum sens_type type, const char *name)
{
	struct sens_feature *f;

	c->features = xreallocarray(c->features, c->n_features + 1,
	    sizeof(*c->features));
	f = &c->features[c->n_features++];
	sens_feature_init(f, type, name);
	return f;
}

struct sens_chip *
sens_scan_add(struct sens_scan *s)
{
	struct sens_chip *c;

	s->chips = xreallocarray(s->chips, s->n_chips + 1, sizeof(*s->chips));
	c = &s->chips[s->n_chips++];
	memset(c, 0, sizeof(*c));
	return c;
}

void
sens_scan_clear(struct sens_scan *s)
{
	size_t i;

	for (i = 0; i < s->n_chips; i++)
		free(s->chips[i].features);
	free(s->chips);
	s->chips = NULL;
	s->n_chips = 0;
}

/* "temp12" at the start of name: the type and index, and where it ends. */
static int
attr_head(const char *name, enum sens_type *ret_type, unsigned *ret_index,
    const char **ret_rest)
{
	const char *p;
	unsigned t, idx = 0, digits = 0;
	size_t n;

	for (t = 0; t < SENS_TYPE_COUNT; t++) {
		n = strlen(type_names[t]);
		if (strncmp(name, type_names[t], n) != 0)
			continue;
		for (p = name + n; *p >= '0' && *p <= '9' && digits < 4; p++) {
			idx = idx * 10 + (unsigned)(*p - '0');
			digits++;
		}
		/* "in" must not take "intrusion0". */
		if (digits == 0 || *p != '_')
			continue;
		*ret_type = (enum sens_type)t;
		*ret_index = idx;
		*ret_rest = p + 1;
		return 0;
	}
	return -EINVAL;
}

int
sens_attr_parse(const char *name, enum sens_type *ret_type,
    unsigned *ret_index, bool *ret_is_flag, int *ret_what)
{
	enum sens_type t;
	const char *rest;
	unsigned idx, i;

	if (attr_head(name, &t, &idx, &rest) < 0)
		return -EINVAL;
	if (strcmp(rest, "label") == 0) {
		*ret_is_flag = false;
		*ret_what = -1;
		goto found;
	}
	for (i = 0; i < SUB_COUNT; i++) {
		if (strcmp(rest, sub_names[i]) == 0) {
			*ret_is_flag = false;
			*ret_what = (int)i;
			goto found;
		}
	}
	for (i = 0; i < FLAG_COUNT; i++) {
		if (strcmp(rest, flag_names[i]) == 0) {
			*ret_is_flag = true;
			*ret_what = (int)i;
			goto found;
		}
	}
	return -EINVAL;
found:
	*ret_type = t;
	*ret_index = idx;
	return 0;
}

/* Copy a sysfs value into a NUL-terminated buffer of our own. */
static int
value_text(const char *s, size_t len, char *buf, size_t size)
{
	if (len == 0 || len >= size || memchr(s, '\0', len) != NULL)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int
sens_value_parse(const char *s, size_t len, enum sens_type t, double *ret)
{
	char buf[32];
	int64_t v;
	int rc;

	if (t >= SENS_TYPE_COUNT)
		return -EINVAL;
	if ((rc = value_text(s, len, buf, sizeof(buf))) < 0)
		return rc;
	/* Integers only: no hwmon attribute prints a fraction or exponent. */
	if ((rc = fw_parse_i64(buf, INT64_MIN, INT64_MAX, &v)) < 0)
		return rc;
	*ret = (double)v * type_scale[t];
	return 0;
}

int
sens_flag_parse(const char *s, size_t len, bool *ret)
{
	char buf[32];
	int64_t v;
	int rc;

	if ((rc = value_text(s, len, buf, sizeof(buf))) < 0)
		return rc;
	if ((rc = fw_parse_i64(buf, INT64_MIN, INT64_MAX, &v)) < 0)
		return rc;
	*ret = v != 0;
	return 0;
}

int
sens_count_parse(const char *s, size_t len, uint64_t *ret)
{
	char buf[32];
	int rc;

	if ((rc = value_text(s, len, buf, sizeof(buf))) < 0)
		return rc;
	if (strchr(buf, '-') != NULL)
		return -ERANGE;
	return fw_parse_u64(buf, 10, ret);
}

/* ---- trend ---- */

void
trend_reset(struct trend *tr)
{
	tr->head = 0;
	tr->n = 0;
}

static unsigned
slot(const struct trend *tr, unsigned i)
{
	return (tr->head + i) % TREND_MAX;
}

void
trend_add(struct trend *tr, double t, double v, double window,
    double max_gap)
{
	double last;

	if (!isfinite(t) || !isfinite(v))
		return;
	if (tr->n > 0) {
		last = tr->t[slot(tr, tr->n - 1)];
		if (t <= last || t - last > max_gap)
			trend_reset(tr);
	}
	while (tr->n > 0 && t - tr->t[tr->head] > window) {
		tr->head = (tr->head + 1) % TREND_MAX;
		tr->n--;
	}
	if (tr->n == TREND_MAX) {
		tr->head = (tr->head + 1) % TREND_MAX;
		tr->n--;
	}
	tr->t[slot(tr, tr->n)] = t;
	tr->v[slot(tr, tr->n)] = v;
	tr->n++;
}

int
trend_fit(const struct trend *tr, struct trend_fit *ret)
{
	double t0, mt = 0, mv = 0, sxx = 0, sxy = 0, ssr = 0, dt, dv, b, a;
	unsigned i, k;

	if (tr->n < 4)
		return -EAGAIN;
	/* Times relative to the oldest sample keep the sums well-conditioned. */
	t0 = tr->t[tr->head];
	for (i = 0; i < tr->n; i++) {
		k = slot(tr, i);
		mt += tr->t[k] - t0;
		mv += tr->v[k];
	}
	mt /= tr->n;
	mv /= tr->n;
	for (i = 0; i < tr->n; i++) {
		k = slot(tr, i);
		dt = tr->t[k] - t0 - mt;
		dv = tr->v[k] - mv;
		sxx += dt * dt;
		sxy += dt * dv;
	}
	if (sxx <= 0)
		return -EAGAIN;
	b = sxy / sxx;
	a = mv - b * mt;
	for (i = 0; i < tr->n; i++) {
		k = slot(tr, i);
		dv = tr->v[k] - (a + b * (tr->t[k] - t0));
		ssr += dv * dv;
	}
	ret->slope = b;
	ret->slope_se = sqrt(ssr / (tr->n - 2) / sxx);
	ret->span = tr->t[slot(tr, tr->n - 1)] - t0;
	ret->now = a + b * ret->span;
	ret->n = tr->n;
	return 0;
}

double
trend_eta(const struct trend_fit *f, double limit)
{
	if (!isfinite(limit))
		return INFINITY;
	if (f->now >= limit)
		return 0;
	if (f->slope <= 0 || f->slope <= 2 * f->slope_se)
		return INFINITY;
	return (limit - f->now) / f->slope;
}

enum trip_type
trip_type_parse(const char *s)
{
	static const char *const names[] = {
		"active", "passive", "hot", "critical",
	};
	unsigned i;

	for (i = 0; i < FW_ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum trip_type)i;
	return TRIP_UNKNOWN;
}
