/*
 * The sensors collector's model and pure parts: chips and features as a
 * backend (libsensors or sysfs) hands them over, hwmon attribute names and
 * values, and the temperature trend fit.
 */
#ifndef FOREWARN_SENSORS_PARSE_H
#define FOREWARN_SENSORS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sens_type {
	SENS_IN,		/* volts */
	SENS_FAN,		/* RPM */
	SENS_TEMP,		/* degrees Celsius */
	SENS_POWER,		/* watts */
	SENS_ENERGY,		/* joules */
	SENS_CURR,		/* amperes */
	SENS_HUMIDITY,		/* percent */
	SENS_INTRUSION,		/* a flag only */
	SENS_TYPE_COUNT
};

/* The values of a feature, NAN when the chip does not have them. */
enum sens_sub {
	SUB_INPUT,
	SUB_MIN,
	SUB_MAX,
	SUB_LCRIT,
	SUB_CRIT,
	SUB_EMERGENCY,
	SUB_MIN_HYST,
	SUB_MAX_HYST,
	SUB_LCRIT_HYST,
	SUB_CRIT_HYST,
	SUB_EMERGENCY_HYST,
	SUB_AVERAGE,
	SUB_CAP,
	SUB_COUNT
};

/* The driver's own flags, one bit each. */
enum sens_flag {
	FLAG_ALARM,
	FLAG_MIN_ALARM,
	FLAG_MAX_ALARM,
	FLAG_LCRIT_ALARM,
	FLAG_CRIT_ALARM,
	FLAG_EMERGENCY_ALARM,
	FLAG_FAULT,
	FLAG_BEEP,
	FLAG_COUNT
};

#define SENS_FLAG_ALARMS	((1u << FLAG_ALARM) | (1u << FLAG_MIN_ALARM) | \
	(1u << FLAG_MAX_ALARM) | (1u << FLAG_LCRIT_ALARM) | \
	(1u << FLAG_CRIT_ALARM) | (1u << FLAG_EMERGENCY_ALARM))

struct sens_feature {
	enum sens_type	 type;
	char		 name[32];	/* "temp1" */
	char		 label[64];	/* sensors.conf or *_label, else name */
	double		 v[SUB_COUNT];
	unsigned	 has_flags;	/* bits of enum sens_flag */
	unsigned	 flags;		/* those set */
};

struct sens_chip {
	char			 name[96];	/* "lm75-i2c-0-48" as libsensors says */
	char			 prefix[32];	/* the driver's name: "lm75" */
	char			 path[64];	/* "hwmon3" */
	struct sens_feature	*features;
	size_t			 n_features;
};

struct sens_scan {
	struct sens_chip	*chips;
	size_t			 n_chips;
};

/* A fresh feature: every value NAN, no flags. */
void	sens_feature_init(struct sens_feature *f, enum sens_type type,
	    const char *name);
struct sens_feature *sens_chip_add(struct sens_chip *c, enum sens_type type,
	    const char *name);
struct sens_chip *sens_scan_add(struct sens_scan *s);
void	sens_scan_clear(struct sens_scan *s);

const char *sens_type_name(enum sens_type t);	/* "temp" ... */
const char *sens_sub_name(enum sens_sub s);	/* "input", "max_hyst" ... */
const char *sens_flag_name(enum sens_flag f);	/* "alarm", "fault" ... */

/*
 * A hwmon attribute name: "temp1_crit_hyst" is (SENS_TEMP, 1, a value,
 * SUB_CRIT_HYST); "fan2_fault" a flag; "in0_label" is the label (*ret_what
 * -1).  0 or -EINVAL for anything else.
 */
int	sens_attr_parse(const char *name, enum sens_type *ret_type,
	    unsigned *ret_index, bool *ret_is_flag, int *ret_what);

/*
 * A hwmon value as sysfs prints it (an integer in milli-units, micro for
 * power and energy, RPM for fans) into base units.  0, -EINVAL or -ERANGE.
 */
int	sens_value_parse(const char *s, size_t len, enum sens_type t,
	    double *ret);
/* A flag file: "0" or "1" (any non-zero integer is set). */
int	sens_flag_parse(const char *s, size_t len, bool *ret);
/* An EDAC counter or other unsigned decimal of sysfs. */
int	sens_count_parse(const char *s, size_t len, uint64_t *ret);

/*
 * The recent samples of one temperature and a least-squares line through
 * them.  Times are monotonic seconds.
 */
#define TREND_MAX	64

struct trend {
	double	 t[TREND_MAX];
	double	 v[TREND_MAX];
	unsigned head;		/* oldest */
	unsigned n;
};

struct trend_fit {
	double	 slope;		/* per second */
	double	 slope_se;	/* its standard error */
	double	 now;		/* the line's value at the newest sample */
	double	 span;		/* seconds between oldest and newest */
	unsigned n;
};

void	trend_reset(struct trend *tr);
/*
 * Add a sample, forgetting those older than window seconds.  A sample
 * after a gap longer than max_gap seconds, or not after the newest, starts
 * a new series (a sensor unreadable for a while, a clock or suspend).
 */
void	trend_add(struct trend *tr, double t, double v, double window,
	    double max_gap);
/* 0, or -EAGAIN when there are too few samples for a line. */
int	trend_fit(const struct trend *tr, struct trend_fit *ret);
/*
 * Seconds until the fitted line reaches limit: INFINITY when it is not
 * rising significantly (the slope within two standard errors of zero, so
 * noise on a flat reading is not a trend), 0 when already there.
 */
double	trend_eta(const struct trend_fit *f, double limit);

/* One thermal zone trip point: "critical", "hot", "passive", "active". */
enum trip_type {
	TRIP_ACTIVE,
	TRIP_PASSIVE,
	TRIP_HOT,
	TRIP_CRITICAL,
	TRIP_UNKNOWN
};
enum trip_type	trip_type_parse(const char *s);

#endif
