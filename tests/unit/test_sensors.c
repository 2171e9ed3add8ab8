/* Tests of the sensors collector: hwmon names and values, the trend fit, the sysfs backend, thermal zones, EDAC, and the check logic over a fixture root. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../collectors/sensors_source.h"
#include "forewarn/collector.h"
#include "forewarn/inventory.h"
#include "forewarn/path.h"
#include "fake_clock.h"
#include "testutil.h"

extern const struct fw_collector sensors_collector;

static void
test_attr_names(void **unused)
{
	static const struct {
		const char	*name;
		enum sens_type	 type;
		unsigned	 index;
		bool		 flag;
		int		 what;
	} ok[] = {
		{ "temp1_input", SENS_TEMP, 1, false, SUB_INPUT },
		{ "temp12_crit_hyst", SENS_TEMP, 12, false, SUB_CRIT_HYST },
		{ "temp1_max_hyst", SENS_TEMP, 1, false, SUB_MAX_HYST },
		{ "in0_label", SENS_IN, 0, false, -1 },
		{ "in0_lcrit", SENS_IN, 0, false, SUB_LCRIT },
		{ "fan2_fault", SENS_FAN, 2, true, FLAG_FAULT },
		{ "fan1_min_alarm", SENS_FAN, 1, true, FLAG_MIN_ALARM },
		{ "intrusion0_alarm", SENS_INTRUSION, 0, true, FLAG_ALARM },
		{ "power1_cap", SENS_POWER, 1, false, SUB_CAP },
		{ "power1_average", SENS_POWER, 1, false, SUB_AVERAGE },
		{ "curr3_crit_alarm", SENS_CURR, 3, true, FLAG_CRIT_ALARM },
		{ "humidity1_input", SENS_HUMIDITY, 1, false, SUB_INPUT },
		{ "temp3_emergency_alarm", SENS_TEMP, 3, true,
		    FLAG_EMERGENCY_ALARM },
		{ "temp1_beep", SENS_TEMP, 1, true, FLAG_BEEP },
	};
	static const char *const bad[] = {
		"name", "temp_input", "temp1", "temp1_", "temp1_inputx",
		"tempX_input", "intrusion_alarm", "fan1_div", "uevent",
		"temp12345_input", "in0_input_", "power1_cap_alarm",
	};
	enum sens_type t;
	unsigned idx, i;
	bool flag;
	int what;

	for (i = 0; i < FW_ARRAY_SIZE(ok); i++) {
		assert_int_equal(sens_attr_parse(ok[i].name, &t, &idx, &flag,
		    &what), 0);
		assert_int_equal(t, ok[i].type);
		assert_int_equal(idx, ok[i].index);
		assert_int_equal(flag, ok[i].flag);
		assert_int_equal(what, ok[i].what);
	}
	for (i = 0; i < FW_ARRAY_SIZE(bad); i++)
		assert_int_equal(sens_attr_parse(bad[i], &t, &idx, &flag,
		    &what), -EINVAL);
}

static void
test_values(void **unused)
{
	double v = 42;
	bool b;
	uint64_t n;

	assert_int_equal(sens_value_parse("45500\n", 6, SENS_TEMP, &v), 0);
	assert_true(v == 45.5);
	assert_int_equal(sens_value_parse("-273150", 7, SENS_TEMP, &v), 0);
	assert_true(fabs(v + 273.15) < 1e-9);
	assert_int_equal(sens_value_parse("1250", 4, SENS_FAN, &v), 0);
	assert_true(v == 1250);
	assert_int_equal(sens_value_parse("42000000", 8, SENS_POWER, &v), 0);
	assert_true(v == 42);
	assert_int_equal(sens_value_parse("3312", 4, SENS_IN, &v), 0);
	assert_true(fabs(v - 3.312) < 1e-12);
	/* Junk, fractions, empty, NUL inside, overflow: v untouched. */
	v = 7;
	assert_true(sens_value_parse("", 0, SENS_TEMP, &v) < 0);
	assert_true(sens_value_parse("45.5", 4, SENS_TEMP, &v) < 0);
	assert_true(sens_value_parse("4a", 2, SENS_TEMP, &v) < 0);
	assert_true(sens_value_parse("4\0" "5", 3, SENS_TEMP, &v) < 0);
	assert_true(sens_value_parse("99999999999999999999", 20, SENS_TEMP,
	    &v) < 0);
	assert_true(sens_value_parse("1", 1, SENS_TYPE_COUNT, &v) < 0);
	assert_true(v == 7);
	assert_int_equal(sens_flag_parse("1\n", 2, &b), 0);
	assert_true(b);
	assert_int_equal(sens_flag_parse("0", 1, &b), 0);
	assert_false(b);
	assert_true(sens_flag_parse("yes", 3, &b) < 0);
	assert_int_equal(sens_count_parse("18446744073709551615", 20, &n), 0);
	assert_true(n == UINT64_MAX);
	assert_true(sens_count_parse("-1", 2, &n) < 0);
	assert_true(sens_count_parse("18446744073709551616", 20, &n) < 0);
}

/* A normal variate from the seeded generator (Box-Muller). */
static double
noise(double sd)
{
	double u1 = (rand() + 1.0) / (RAND_MAX + 2.0);
	double u2 = (rand() + 1.0) / (RAND_MAX + 2.0);

	return sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void
test_trend_line(void **unused)
{
	struct trend tr;
	struct trend_fit f;
	int i;

	trend_reset(&tr);
	/* 0.5 °C a minute from 50 °C, sampled every 30 s for 10 min. */
	for (i = 0; i < 3; i++)
		trend_add(&tr, i * 30.0, 50 + i * 0.25, 600, 100);
	assert_int_equal(trend_fit(&tr, &f), -EAGAIN);
	for (; i <= 20; i++)
		trend_add(&tr, i * 30.0, 50 + i * 0.25, 600, 100);
	assert_int_equal(trend_fit(&tr, &f), 0);
	assert_true(fabs(f.slope * 60 - 0.5) < 1e-9);
	assert_true(fabs(f.now - 55) < 1e-9);
	/* 80 °C is 25 °C away: 50 minutes. */
	assert_true(fabs(trend_eta(&f, 80) - 3000) < 1e-6);
	assert_true(trend_eta(&f, 55) == 0);
	assert_true(isinf(trend_eta(&f, NAN)));
	/* The window keeps the last 10 minutes: 21 samples. */
	assert_int_equal(f.n, 21);
	trend_add(&tr, 21 * 30.0, 55.25, 600, 100);
	assert_int_equal(trend_fit(&tr, &f), 0);
	assert_int_equal(f.n, 21);
}

static void
test_trend_noise(void **unused)
{
	struct trend tr;
	struct trend_fit f;
	unsigned seed = test_seed();
	int i, fired = 0, run;

	srand(seed);
	/* A flat 60 °C with 1 °C of noise (and 0.5 °C steps) is no trend. */
	for (run = 0; run < 200; run++) {
		trend_reset(&tr);
		for (i = 0; i < 20; i++)
			trend_add(&tr, i * 30.0,
			    round((60 + noise(1)) * 2) / 2, 600, 100);
		assert_int_equal(trend_fit(&tr, &f), 0);
		fired += trend_eta(&f, 80) < 900;
	}
	assert_true(fired <= 2);
	/* A real rise of 2 °C a minute through the same noise is seen. */
	trend_reset(&tr);
	for (i = 0; i < 20; i++)
		trend_add(&tr, i * 30.0, 50 + i + noise(1), 600, 100);
	assert_int_equal(trend_fit(&tr, &f), 0);
	assert_true(f.slope * 60 > 1.5 && f.slope * 60 < 2.5);
	assert_true(trend_eta(&f, 80) < 900);
}

static void
test_trend_gaps(void **unused)
{
	struct trend tr;
	struct trend_fit f;
	int i;

	trend_reset(&tr);
	for (i = 0; i < 10; i++)
		trend_add(&tr, i * 30.0, 40 + i, 600, 100);
	/* Unread for five minutes (more than max_gap): a new series. */
	trend_add(&tr, 600, 30, 600, 100);
	assert_int_equal(trend_fit(&tr, &f), -EAGAIN);
	assert_int_equal(tr.n, 1);
	/* Time going back (a clock, a restored state): a new series too. */
	trend_add(&tr, 630, 31, 600, 100);
	trend_add(&tr, 620, 31, 600, 100);
	assert_int_equal(tr.n, 1);
	/* The same instant twice is not a second sample. */
	trend_add(&tr, 620, 32, 600, 100);
	assert_int_equal(tr.n, 1);
	/* NAN readings are skipped, not fitted. */
	trend_add(&tr, 650, NAN, 600, 100);
	assert_int_equal(tr.n, 1);
	/* The ring keeps the newest TREND_MAX samples in a long window. */
	trend_reset(&tr);
	for (i = 0; i < TREND_MAX * 3; i++)
		trend_add(&tr, i, i * 0.1, 1e9, 100);
	assert_int_equal(tr.n, TREND_MAX);
	assert_int_equal(trend_fit(&tr, &f), 0);
	assert_true(fabs(f.slope - 0.1) < 1e-9);
	assert_true(fabs(f.now - (TREND_MAX * 3 - 1) * 0.1) < 1e-6);
	/* A falling temperature never reaches crit. */
	trend_reset(&tr);
	for (i = 0; i < 10; i++)
		trend_add(&tr, i * 30.0, 70 - i, 600, 100);
	assert_int_equal(trend_fit(&tr, &f), 0);
	assert_true(isinf(trend_eta(&f, 80)));
}

/* Copy the committed fixture so the test may change it. */
static const char *
fixture_root(void)
{
	const char *dir = test_tmpdir();
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/* && cp -R %s/tests/fixtures/"
	    "sensors/root/. %s", dir, getenv("FW_SRCDIR") ?
	    getenv("FW_SRCDIR") : ".", dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

static const struct sens_feature *
find_feature(const struct sens_scan *s, const char *chip, const char *name)
{
	size_t i, j;

	for (i = 0; i < s->n_chips; i++)
		for (j = 0; j < s->chips[i].n_features; j++)
			if (strcmp(s->chips[i].name, chip) == 0 &&
			    strcmp(s->chips[i].features[j].name, name) == 0)
				return &s->chips[i].features[j];
	return NULL;
}

static void
test_sysfs_backend(void **unused)
{
	const struct sens_feature *f;
	struct sens_scan s;
	void *b;

	assert_int_equal(path_set_root(fixture_root()), 0);
	assert_int_equal(sens_hwmon_count(), 3);
	assert_int_equal(sens_sysfs_backend.open(NULL, &b), 0);
	assert_int_equal(sens_sysfs_backend.scan(b, &s), 0);
	assert_int_equal(s.n_chips, 3);
	/* Names as libsensors prints them: i2c bus-address, PCI, ISA hex. */
	assert_string_equal(s.chips[0].name, "lm75-i2c-0-48");
	assert_string_equal(s.chips[1].name, "nvme-pci-0100");
	assert_string_equal(s.chips[2].name, "nct6775-isa-0290");
	f = find_feature(&s, "lm75-i2c-0-48", "temp1");
	assert_non_null(f);
	assert_true(f->v[SUB_INPUT] == 45 && f->v[SUB_MAX] == 80 &&
	    f->v[SUB_MAX_HYST] == 75 && isnan(f->v[SUB_CRIT]));
	f = find_feature(&s, "nvme-pci-0100", "temp1");
	assert_string_equal(f->label, "Composite");
	assert_true(f->has_flags == 1u << FLAG_ALARM && f->flags == 0);
	f = find_feature(&s, "nct6775-isa-0290", "fan1");
	assert_string_equal(f->label, "CPU fan");
	assert_true(f->v[SUB_INPUT] == 1250 && f->v[SUB_MIN] == 300);
	assert_true(f->has_flags == ((1u << FLAG_ALARM) | (1u << FLAG_BEEP)));
	f = find_feature(&s, "nct6775-isa-0290", "power1");
	assert_true(f->v[SUB_INPUT] == 42 && f->v[SUB_CAP] == 120);
	f = find_feature(&s, "nct6775-isa-0290", "energy1");
	assert_true(fabs(f->v[SUB_INPUT] - 123.456789) < 1e-9);
	f = find_feature(&s, "nct6775-isa-0290", "humidity1");
	assert_true(f->v[SUB_INPUT] == 45.5);
	assert_non_null(find_feature(&s, "nct6775-isa-0290", "intrusion0"));
	sens_scan_clear(&s);
	sens_sysfs_backend.close(b);
	path_set_root(NULL);
}

static void
test_thermal_zones(void **unused)
{
	struct thermal_zone *z;
	size_t n;

	assert_int_equal(path_set_root(fixture_root()), 0);
	assert_int_equal(thermal_read(&z, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(z[0].type, "acpitz");
	assert_true(z[0].temp == 27.8);
	assert_int_equal(z[0].n_trips, 2);
	assert_int_equal(z[0].trips[0].type, TRIP_CRITICAL);
	assert_true(z[0].trips[0].temp == 105);
	assert_int_equal(z[0].trips[1].type, TRIP_PASSIVE);
	assert_true(z[0].trips[1].hyst == 2);
	/* x86_pkg_temp's unset trip at 0 °C is no trip. */
	assert_string_equal(z[1].type, "x86_pkg_temp");
	assert_int_equal(z[1].n_trips, 0);
	free(z);
	/* No /sys/class/thermal at all: nothing, not an error. */
	path_set_root("/nonexistent");
	assert_int_equal(thermal_read(&z, &n), 0);
	assert_int_equal(n, 0);
	path_set_root(NULL);
}

static void
test_edac(void **unused)
{
	struct edac_mc *mcs;
	char loc[64];
	size_t n;

	edac_location_id(loc, sizeof(loc), "csrow 0 channel 1 ");
	assert_string_equal(loc, "csrow0-channel1");
	edac_location_id(loc, sizeof(loc), "channel 1 slot 0");
	assert_string_equal(loc, "channel1-slot0");
	edac_location_id(loc, sizeof(loc), "memory 3 ");
	assert_string_equal(loc, "memory3");
	assert_int_equal(path_set_root(fixture_root()), 0);
	assert_int_equal(edac_read(&mcs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mcs[0].index, 0);
	assert_int_equal(mcs[0].n_dimms, 2);
	assert_string_equal(mcs[0].dimms[1].location, "channel1-slot0");
	assert_string_equal(mcs[0].dimms[1].label,
	    "CPU_SrcID#0_MC#0_Chan#1_DIMM#0");
	assert_true(mcs[0].dimms[1].size_mb == 16384);
	assert_true(mcs[0].dimms[1].has_ue);
	/* The csrow layout: one entry per channel, the csrow's UEs on each. */
	assert_int_equal(mcs[1].n_dimms, 2);
	assert_string_equal(mcs[1].dimms[0].location, "csrow0-channel0");
	assert_string_equal(mcs[1].dimms[0].label, "DIMM_A1");
	assert_true(mcs[1].dimms[0].ce == 3 && mcs[1].dimms[1].ce == 0);
	edac_free(mcs, n);
	path_set_root("/nonexistent");
	assert_int_equal(edac_read(&mcs, &n), -ENOENT);
	path_set_root(NULL);
}

/* ---- the check logic, one poll at a time over the fixture ---- */

struct rig {
	const char		*root;
	struct fw_inventory	*inv;
	struct fw_report	 r;
	void			*st;
};

static void
rig_poll(struct rig *g)
{
	if (g->inv != NULL)
		report_close(&g->r);
	else
		g->inv = inventory_new();
	report_open(&g->r, g->inv, "sensors", sensors_collector.checks, 0);
	assert_int_equal(sensors_collector.poll(g->st, &g->r), 0);
}

static void
rig_start(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	g->root = fixture_root();
	assert_int_equal(path_set_root(g->root), 0);
	assert_int_equal(sensors_collector.init(NULL, NULL, &g->st), 0);
	rig_poll(g);
}

static void
rig_stop(struct rig *g)
{
	report_close(&g->r);
	sensors_collector.teardown(g->st);
	inventory_free(g->inv);
	path_set_root(NULL);
}

static void
rig_set(struct rig *g, const char *rel, const char *value)
{
	test_write_file(g->root, rel, value);
}

static const struct fw_check *
result(const struct rig *g, const char *id, const char *code)
{
	size_t i;

	for (i = 0; i < g->r.n_checks; i++)
		if (strcmp(g->r.checks[i]->code, code) == 0 &&
		    strcmp(g->r.checks[i]->entity->id, id) == 0)
			return g->r.checks[i];
	return NULL;
}

static enum fw_state
state_of(const struct rig *g, const char *id, const char *code)
{
	const struct fw_check *c = result(g, id, code);

	assert_non_null(c);
	return c->state;
}

#define LM75	"sys/devices/pci0000:00/0000:00:1f.3/i2c-0/0-0048/hwmon/hwmon0/"
#define NCT	"sys/devices/platform/nct6775.656/hwmon/hwmon2/"
#define NVME	"sys/devices/pci0000:00/0000:00:1d.0/0000:01:00.0/nvme/nvme0/" \
		"hwmon1/"

static void
test_temp_limits(void **unused)
{
	struct rig g;

	rig_start(&g);
	/* lm75 has only max (80, hyst 75): critical there, warning at 75. */
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_OK);
	rig_set(&g, LM75 "temp1_input", "76000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_WARNING);
	rig_set(&g, LM75 "temp1_input", "80000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_CRITICAL);
	assert_non_null(strstr(result(&g, "lm75-i2c-0-48/temp1",
	    "sensor.temp")->message, "max limit 80.0"));
	/* Below 80 but above the chip's hysteresis (75): still critical. */
	rig_set(&g, LM75 "temp1_input", "77000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_CRITICAL);
	rig_set(&g, LM75 "temp1_input", "74000");
	rig_poll(&g);
	/* Out of critical; 74 is above the warning's clear point (72). */
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_WARNING);
	rig_set(&g, LM75 "temp1_input", "71500");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "lm75-i2c-0-48/temp1", "sensor.temp"),
	    FW_STATE_OK);
	/* nct6775 temp1: max 80 is the warning, crit 95 the critical. */
	rig_set(&g, NCT "temp1_input", "81000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/SYSTIN",
	    "sensor.temp"), FW_STATE_WARNING);
	rig_set(&g, NCT "temp1_input", "95000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/SYSTIN",
	    "sensor.temp"), FW_STATE_CRITICAL);
	/* Unreadable now: unknown, not ok. */
	rig_set(&g, NCT "temp1_input", "garbage");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/SYSTIN",
	    "sensor.temp"), FW_STATE_UNKNOWN);
	rig_stop(&g);
}

static void
test_flags_and_fans(void **unused)
{
	struct rig g;
	const struct fw_entity *e;

	rig_start(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/CPU fan",
	    "sensor.fan"), FW_STATE_OK);
	/* fan2 reads 0 with no minimum: an empty header, not a failure. */
	assert_int_equal(state_of(&g, "nct6775-isa-0290/fan2", "sensor.fan"),
	    FW_STATE_OK);
	rig_set(&g, NCT "fan1_input", "200");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/CPU fan",
	    "sensor.fan"), FW_STATE_WARNING);
	/* Stopped, and the driver says so: fan critical, alarm a warning. */
	rig_set(&g, NCT "fan1_input", "0");
	rig_set(&g, NCT "fan1_alarm", "1");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/CPU fan",
	    "sensor.fan"), FW_STATE_CRITICAL);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/CPU fan",
	    "sensor.alarm"), FW_STATE_WARNING);
	/* ...and the temperatures of that chip are linked to the fan. */
	rig_set(&g, NCT "temp1_input", "82000");
	rig_poll(&g);
	assert_non_null(strstr(result(&g, "nct6775-isa-0290/SYSTIN",
	    "sensor.temp")->message, "CPU fan on the same chip has failed"));
	e = inventory_find(g.inv, FW_KIND_SENSOR, "nct6775-isa-0290/SYSTIN");
	assert_int_equal(e->n_relations, 1);
	assert_string_equal(e->relations[0].id, "nct6775-isa-0290/CPU fan");
	rig_set(&g, NCT "fan1_input", "1300");
	rig_set(&g, NCT "fan1_alarm", "0");
	rig_poll(&g);
	assert_int_equal(e->n_relations, 0);
	/* A crit alarm is critical; fault and intrusion flags. */
	rig_set(&g, NVME "temp1_alarm", "1");
	rig_set(&g, NCT "temp2_fault", "1");
	rig_set(&g, NCT "intrusion0_alarm", "1");
	rig_set(&g, NCT "in0_input", "1300");
	rig_set(&g, NCT "power1_input", "130000000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nvme-pci-0100/Composite",
	    "sensor.alarm"), FW_STATE_WARNING);
	assert_non_null(strstr(result(&g, "nvme-pci-0100/Composite",
	    "sensor.alarm")->message, "set its alarm flag"));
	assert_int_equal(state_of(&g, "nct6775-isa-0290/CPUTIN",
	    "sensor.fault"), FW_STATE_CRITICAL);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/intrusion0",
	    "sensor.intrusion"), FW_STATE_WARNING);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/Vcore",
	    "sensor.voltage"), FW_STATE_WARNING);
	/* in1 has min = max = 0: no limits, no judgement. */
	assert_int_equal(state_of(&g, "nct6775-isa-0290/in1",
	    "sensor.voltage"), FW_STATE_OK);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/power1",
	    "sensor.power"), FW_STATE_WARNING);
	rig_set(&g, NCT "temp1_crit_alarm", "1");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "nct6775-isa-0290/SYSTIN",
	    "sensor.alarm"), FW_STATE_CRITICAL);
	rig_stop(&g);
}

static void
test_zones_and_edac(void **unused)
{
	struct rig g;
	const struct fw_entity *e;

	rig_start(&g);
	/* acpitz: passive trip 95 warns, critical trip 105. */
	rig_set(&g, "sys/devices/virtual/thermal/thermal_zone0/temp", "96000");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "thermal:acpitz", "sensor.temp"),
	    FW_STATE_WARNING);
	/* The lm75 zone has a hwmon twin: reported once, as the chip. */
	assert_null(inventory_find(g.inv, FW_KIND_SENSOR, "thermal:lm75"));
	e = inventory_find(g.inv, FW_KIND_MEMORY, "edac:mc0/channel1-slot0");
	assert_non_null(e);
	assert_string_equal(e->name, "CPU_SrcID#0_MC#0_Chan#1_DIMM#0");
	assert_string_equal(e->relations[0].relation, "member_of");
	assert_string_equal(e->relations[0].id, "edac:mc0");
	assert_non_null(inventory_find(g.inv, FW_KIND_MEMORY, "edac:mc0"));
	rig_set(&g, "sys/devices/system/edac/mc/mc0/dimm1/dimm_ue_count",
	    "1");
	rig_poll(&g);
	assert_int_equal(state_of(&g, "edac:mc0/channel1-slot0",
	    "memory.ecc_uncorrected"), FW_STATE_CRITICAL);
	rig_stop(&g);
}

/* lm75 temp1 heated by celsius every 30 s step, polled once a step. */
static void
heat(struct rig *g, double *t, double per_step, int steps)
{
	char buf[32];
	int i;

	for (i = 0; i < steps; i++) {
		*t += per_step;
		snprintf(buf, sizeof(buf), "%.0f", *t * 1000);
		rig_set(g, LM75 "temp1_input", buf);
		fake_clock_advance_ms(30000);
		rig_poll(g);
	}
}

static void
test_trend_check(void **unused)
{
	const char *id = "lm75-i2c-0-48/temp1";
	const struct fw_check *c;
	struct rig g;
	double t = 45;

	fake_clock_reset();
	rig_start(&g);
	/* 0.5 °C a minute toward 80: 70 min away, no warning. */
	heat(&g, &t, 0.25, 10);
	assert_int_equal(state_of(&g, id, "sensor.temp_trend"), FW_STATE_OK);
	/* 3 °C a minute from about 48: crit within 15 min. */
	heat(&g, &t, 1.5, 12);
	c = result(&g, id, "sensor.temp_trend");
	assert_int_equal(c->state, FW_STATE_WARNING);
	assert_non_null(strstr(c->message, "reaches max 80.0"));
	assert_int_equal(state_of(&g, id, "sensor.temp"), FW_STATE_OK);
	/* Asleep for an hour (wall ahead of monotonic): a new series. */
	fake_clock_suspend_ms(3600 * 1000);
	heat(&g, &t, 0, 1);
	c = result(&g, id, "sensor.temp_trend");
	assert_int_equal(c->state, FW_STATE_OK);
	assert_non_null(strstr(c->message, "too few"));
	/* Unread for longer than three intervals: a new series too. */
	heat(&g, &t, 1.5, 5);
	assert_int_equal(state_of(&g, id, "sensor.temp_trend"),
	    FW_STATE_WARNING);
	fake_clock_advance_ms(10 * 60 * 1000);
	heat(&g, &t, 0, 1);
	assert_non_null(strstr(result(&g, id, "sensor.temp_trend")->message,
	    "too few"));
	/* Cooling: no trend however close to the limit. */
	heat(&g, &t, -1, 6);
	assert_int_equal(state_of(&g, id, "sensor.temp_trend"), FW_STATE_OK);
	rig_stop(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_trend_line),
		cmocka_unit_test(test_trend_noise),
		cmocka_unit_test(test_trend_gaps),
		cmocka_unit_test(test_sysfs_backend),
		cmocka_unit_test(test_thermal_zones),
		cmocka_unit_test(test_edac),
		cmocka_unit_test(test_temp_limits),
		cmocka_unit_test(test_flags_and_fans),
		cmocka_unit_test(test_zones_and_edac),
		cmocka_unit_test(test_trend_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
