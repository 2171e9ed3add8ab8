/* The production backend: every chip and feature through libsensors, with sensors.conf labels, computes and ignores. */
#ifdef FW_HAVE_LIBSENSORS

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include "forewarn/log.h"
#include "forewarn/util.h"
#include "sensors_source.h"

/*
 * libsensors keeps one global state: one backend at a time.  Re-reading
 * the chip list means sensors_cleanup() and sensors_init() again (the
 * library has no other way to learn of a chip registered later).
 */
/*
 * Limits change only when someone sets them: they are read every
 * LIMITS_EVERY passes (and after every re-initialisation), inputs and the
 * alarm and fault flags every pass.  Limits are two thirds of the values a
 * chip has, and every value is one sysfs read.
 */
#define LIMITS_EVERY	10

struct lib_state {
	char	*config;	/* NULL: /etc/sensors3.conf and sensors.d */
	bool	 inited;
	bool	 stale;		/* re-initialise before the next scan */
	unsigned pass;		/* since the last full read */
	double	*limits;	/* in subfeature order of this initialisation */
	size_t	 n_limits, cap_limits;
	size_t	 at;		/* the next limit of this pass */
};

static bool lib_busy;

static int
lib_init(struct lib_state *st)
{
	FILE *f = NULL;
	int rc;

	if (st->config != NULL && (f = fopen(st->config, "re")) == NULL)
		return -errno;
	rc = sensors_init(f);
	if (f != NULL)
		fclose(f);
	if (rc != 0) {
		log_warnx("sensors: libsensors could not start: %s",
		    sensors_strerror(rc));
		return -EINVAL;
	}
	st->inited = true;
	st->stale = false;
	st->pass = 0;
	st->n_limits = 0;
	return 0;
}

/* A limit: read on a full pass and kept, else the kept value. */
static double
lib_limit(struct lib_state *st, const sensors_chip_name *chip,
    const sensors_subfeature *sf)
{
	double v = NAN;

	if (st->pass == 0) {
		if (sensors_get_value(chip, sf->number, &v) < 0)
			v = NAN;
		if (st->at == st->cap_limits) {
			st->cap_limits = st->cap_limits * 2 + 16;
			st->limits = xreallocarray(st->limits, st->cap_limits,
			    sizeof(*st->limits));
		}
		st->limits[st->at++] = v;
		st->n_limits = st->at;
		return v;
	}
	return st->at < st->n_limits ? st->limits[st->at++] : NAN;
}

static int
lib_open(const char *config, void **ret)
{
	struct lib_state *st;
	int rc;

	if (lib_busy)
		return -EBUSY;
	st = xcalloc(1, sizeof(*st));
	st->config = config != NULL ? xstrdup(config) : NULL;
	if ((rc = lib_init(st)) < 0) {
		free(st->config);
		free(st);
		return rc;
	}
	lib_busy = true;
	*ret = st;
	return 0;
}

static enum sens_type
lib_type(sensors_feature_type t, bool *ret_ok)
{
	*ret_ok = true;
	switch (t) {
	case SENSORS_FEATURE_IN:	return SENS_IN;
	case SENSORS_FEATURE_FAN:	return SENS_FAN;
	case SENSORS_FEATURE_TEMP:	return SENS_TEMP;
	case SENSORS_FEATURE_POWER:	return SENS_POWER;
	case SENSORS_FEATURE_ENERGY:	return SENS_ENERGY;
	case SENSORS_FEATURE_CURR:	return SENS_CURR;
	case SENSORS_FEATURE_HUMIDITY:	return SENS_HUMIDITY;
	case SENSORS_FEATURE_INTRUSION:	return SENS_INTRUSION;
	default:
		*ret_ok = false;
		return SENS_IN;
	}
}

/*
 * A subfeature's name is its sysfs attribute ("temp1_crit_hyst"), so the
 * sysfs backend's table places it; the value comes through libsensors,
 * which applies sensors.conf compute statements and scaling.
 */
static void
lib_subfeature(struct lib_state *st, const sensors_chip_name *chip,
    const sensors_subfeature *sf, struct sens_feature *f)
{
	enum sens_type t;
	unsigned idx;
	bool is_flag;
	double v;
	int what;

	if (!(sf->flags & SENSORS_MODE_R) ||
	    sens_attr_parse(sf->name, &t, &idx, &is_flag, &what) < 0 ||
	    what < 0)
		return;
	if (!is_flag && what != SUB_INPUT && what != SUB_AVERAGE)
		v = lib_limit(st, chip, sf);
	else if (sensors_get_value(chip, sf->number, &v) < 0)
		v = NAN;
	if (!isfinite(v))
		return;		/* unreadable now: absent */
	if (is_flag) {
		f->has_flags |= 1u << what;
		if (v != 0)
			f->flags |= 1u << what;
	} else {
		f->v[what] = v;
	}
}

static void
lib_chip(struct lib_state *st, const sensors_chip_name *chip,
    struct sens_scan *s)
{
	const sensors_feature *feat;
	const sensors_subfeature *sf;
	struct sens_feature *f;
	struct sens_chip *c;
	enum sens_type t;
	int nf = 0, ns;
	char *label;
	bool ok;

	c = sens_scan_add(s);
	if (sensors_snprintf_chip_name(c->name, sizeof(c->name), chip) < 0)
		fw_strlcpy(c->name, chip->prefix, sizeof(c->name));
	fw_strlcpy(c->prefix, chip->prefix, sizeof(c->prefix));
	if (chip->path != NULL && strrchr(chip->path, '/') != NULL)
		fw_strlcpy(c->path, strrchr(chip->path, '/') + 1,
		    sizeof(c->path));
	while ((feat = sensors_get_features(chip, &nf)) != NULL &&
	    c->n_features < SENS_MAX_FEATURES) {
		t = lib_type(feat->type, &ok);
		if (!ok)
			continue;
		f = sens_chip_add(c, t, feat->name);
		if ((label = sensors_get_label(chip, feat)) != NULL) {
			fw_sanitize(f->label, sizeof(f->label), label,
			    strlen(label));
			free(label);
		}
		ns = 0;
		while ((sf = sensors_get_all_subfeatures(chip, feat, &ns)) !=
		    NULL)
			lib_subfeature(st, chip, sf, f);
	}
}

static int
lib_scan(void *b, struct sens_scan *ret)
{
	struct lib_state *st = b;
	const sensors_chip_name *chip;
	int n = 0, rc;

	memset(ret, 0, sizeof(*ret));
	if (st->stale) {
		if (st->inited)
			sensors_cleanup();
		st->inited = false;
		if ((rc = lib_init(st)) < 0)
			return rc;
	}
	st->at = 0;
	while ((chip = sensors_get_detected_chips(NULL, &n)) != NULL &&
	    ret->n_chips < SENS_MAX_CHIPS)
		lib_chip(st, chip, ret);
	st->pass = (st->pass + 1) % LIMITS_EVERY;
	return 0;
}

static void
lib_rescan(void *b)
{
	struct lib_state *st = b;

	st->stale = true;
}

static void
lib_close(void *b)
{
	struct lib_state *st = b;

	if (st == NULL)
		return;
	if (st->inited)
		sensors_cleanup();
	free(st->limits);
	free(st->config);
	free(st);
	lib_busy = false;
}

const struct sens_backend sens_libsensors_backend = {
	.name = "libsensors",
	.open = lib_open,
	.scan = lib_scan,
	.rescan = lib_rescan,
	.close = lib_close,
};

#endif
