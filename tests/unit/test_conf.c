/* Tests of configuration parsing, validation with file:line errors, overrides and merging. */
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

#include "forewarn/collector.h"
#include "forewarn/conf.h"
#include "forewarn/sink.h"
#include "testutil.h"

/* A schema of our own: the tests must not depend on the built collectors. */
static const char *const modes[] = { "fast", "slow", NULL };

static const struct fw_conf_key disk_keys[] = {
	{ "device", FW_CONF_PATH, "/dev/sda", 0, 0, NULL, "" },
	{ "mode", FW_CONF_ENUM, "fast", 0, 0, modes, "" },
	{ "retries", FW_CONF_INT, "3", 0, 10, NULL, "" },
	{ "standby", FW_CONF_BOOL, "yes", 0, 0, NULL, "" },
	{ .name = NULL }
};

static const struct fw_check_def disk_checks[] = {
	{ "disk.temp", "t", FW_CMP_ABOVE, 55, 60, 2, 1, 1, "celsius" },
	{ "disk.health", "h", FW_CMP_NONE, NAN, NAN, 0, 2, 3, NULL },
	{ .code = NULL }
};

static const struct fw_collector disk_c = {
	.name = "disk", .interval_ms = 60000, .keys = disk_keys,
	.checks = disk_checks,
};

static const struct fw_conf_key snmp_keys[] = {
	{ "address", FW_CONF_STRING, NULL, 0, 0, NULL, "" },
	{ "timeout", FW_CONF_DURATION, "2s", 100, 60000, NULL, "" },
	{ .name = NULL }
};

static const struct fw_collector snmp_c = {
	.name = "snmp", .interval_ms = 30000, .instances = true,
	.keys = snmp_keys,
};

static const struct fw_conf_key hook_keys[] = {
	{ "url", FW_CONF_STRING, NULL, 0, 0, NULL, "" },
	{ .name = NULL }
};

static const struct fw_sink_type hook_t = { .type = "webhook",
	.keys = hook_keys };

static const struct fw_collector *const collectors[] = { &disk_c, &snmp_c };
static const struct fw_sink_type *const sinks[] = { &hook_t };
static const struct fw_conf_schema schema = { .collectors = collectors,
	.n_collectors = 2, .sinks = sinks, .n_sinks = 1 };

static struct fw_conf *
load_ok(const char *text)
{
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;
	size_t i;

	if (conf_load_string("t.conf", text, strlen(text), &schema, &conf,
	    &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "unexpected: %s\n", errs.msgs[i]);
		fail();
	}
	assert_int_equal(errs.n, 0);
	return conf;
}

/* Load text that must fail with exactly one error, equal to want. */
static void
expect_error(const char *text, const char *want)
{
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;

	assert_int_equal(conf_load_string("t.conf", text, strlen(text), &schema,
	    &conf, &errs), -EINVAL);
	assert_null(conf);
	if (errs.n != 1 || strcmp(errs.msgs[0], want) != 0) {
		size_t i;

		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "got: %s\n", errs.msgs[i]);
		fprintf(stderr, "want: %s\n", want);
		fail();
	}
	conf_errors_clear(&errs);
}

static void
test_defaults_and_getters(void **unused)
{
	struct fw_conf *conf = load_ok("[agent]\nhost = h1\n\n[disk]\n"
	    "retries = 7\nmode = slow\ninterval = 90s\n\n[snmp:core1]\n"
	    "address = 10.0.0.1\n");
	const struct fw_conf_section *cs;

	assert_string_equal(conf->agent.host, "h1");
	assert_string_equal(conf->agent.state_dir, "/var/lib/forewarn");
	assert_int_equal(conf->agent.history_max, 10000);
	assert_true(conf->agent.renotify_ms[FW_STATE_CRITICAL] == 4 * 3600000ULL);
	assert_true(conf->agent.renotify_ms[FW_STATE_WARNING] == 24 * 3600000ULL);
	assert_int_equal(conf->agent.flap_changes, 6);
	assert_true(conf->agent.flap_window_ms == 30 * 60000ULL);
	assert_true(conf->agent.stuck_ms == 5000);
	cs = conf_section(conf, "disk");
	assert_non_null(cs);
	assert_int_equal(cs->line, 4);
	assert_int_equal(conf_get_int(cs, disk_keys, "retries"), 7);
	assert_string_equal(conf_get_str(cs, disk_keys, "mode"), "slow");
	assert_string_equal(conf_get_str(cs, disk_keys, "device"), "/dev/sda");
	assert_true(conf_get_bool(cs, disk_keys, "standby"));
	assert_true(conf_collector_interval_ms(cs, &disk_c) == 90000);
	assert_true(conf_collector_interval_ms(NULL, &disk_c) == 60000);
	/* No section: defaults only. */
	assert_int_equal(conf_get_int(NULL, disk_keys, "retries"), 3);
	cs = conf_section(conf, "snmp:core1");
	assert_string_equal(cs->kind, "snmp");
	assert_string_equal(cs->instance, "core1");
	assert_true(conf_get_duration_ms(cs, snmp_keys, "timeout") == 2000);
	assert_true(conf_collector_enabled(conf, "disk"));
	conf_free(conf);
	conf = load_ok("[disk]\nenabled = no\n");
	assert_false(conf_collector_enabled(conf, "disk"));
	conf_free(conf);
}

static void
test_check_params(void **unused)
{
	struct fw_conf *conf = load_ok("[agent]\nrenotify_critical = 1h\n"
	    "flap_changes = 3\n[check:disk.temp]\nwarning = 50\nraise_after = 4\n"
	    "[check:disk.temp:WD-*]\ncritical = 58\n[check:disk.temp:sdb]\n"
	    "enabled = no\n[check:disk.health]\nrenotify = 10m\n");
	struct fw_check_params p;

	conf_check_params(conf, &disk_checks[0], "ST-1", "sda", &p);
	assert_true(p.enabled);
	assert_int_equal(p.cmp, FW_CMP_ABOVE);
	assert_true(p.warning == 50 && p.critical == 60 && p.hysteresis == 2);
	assert_int_equal(p.raise_after, 4);
	assert_int_equal(p.clear_after, 1);
	assert_true(p.renotify_ms[FW_STATE_CRITICAL] == 3600000);
	assert_true(p.renotify_ms[FW_STATE_OK] == 0);
	assert_int_equal(p.flap_changes, 3);
	/* The entity glob matches the id... */
	conf_check_params(conf, &disk_checks[0], "WD-123", "sda", &p);
	assert_true(p.warning == 50 && p.critical == 58);
	/* ...or the name. */
	conf_check_params(conf, &disk_checks[0], "ST-2", "sdb", &p);
	assert_false(p.enabled);
	conf_check_params(conf, &disk_checks[1], "ST-1", "sda", &p);
	assert_int_equal(p.raise_after, 2);
	assert_int_equal(p.clear_after, 3);
	assert_true(p.renotify_ms[FW_STATE_WARNING] == 600000);
	assert_true(p.renotify_ms[FW_STATE_CRITICAL] == 600000);
	assert_true(isnan(p.warning));
	conf_free(conf);
}

static void
test_bad_values(void **unused)
{
	expect_error("[disk]\nretries = many\n",
	    "t.conf:2: [disk] retries: 'many' is not an integer");
	expect_error("\n[disk]\nretries = 11\n",
	    "t.conf:3: [disk] retries: '11' is out of range (0..10)");
	expect_error("[disk]\nstandby = perhaps\n",
	    "t.conf:2: [disk] standby: 'perhaps' is not a boolean (yes/no)");
	expect_error("[disk]\ninterval = soon\n",
	    "t.conf:2: [disk] interval: 'soon' is not a duration (like 250ms, "
	    "30s, 5m, 2h, 1d)");
	expect_error("[disk]\ninterval = 10ms\n",
	    "t.conf:2: [disk] interval: '10ms' is too short (at least 100 ms)");
	expect_error("[disk]\nmode = turbo\n",
	    "t.conf:2: [disk] mode: 'turbo' is not one of the allowed values");
	expect_error("[disk]\ndevice = sda\n",
	    "t.conf:2: [disk] device: 'sda' is not an absolute path");
	expect_error("[agent]\nflap_changes = 40\n",
	    "t.conf:2: [agent] flap_changes: '40' is out of range (0..32)");
	expect_error("[check:disk.temp]\nwarning = hot\n",
	    "t.conf:2: [check:disk.temp] warning: 'hot' is not a number");
	expect_error("[snmp:r1]\ntimeout = 2m\n",
	    "t.conf:2: [snmp:r1] timeout: '2m' is too long (at most 60000 ms)");
}

static void
test_bad_structure(void **unused)
{
	expect_error("[dsik]\n", "t.conf:1: unknown section [dsik]");
	expect_error("[disk]\nretires = 3\n",
	    "t.conf:2: [disk] unknown key 'retires' (did you mean 'retries'?)");
	expect_error("[disk]\nintervall = 3s\n",
	    "t.conf:2: [disk] unknown key 'intervall' (did you mean "
	    "'interval'?)");
	expect_error("[disk]\nxyzzy = 3\n",
	    "t.conf:2: [disk] unknown key 'xyzzy'");
	expect_error("[snmp]\naddress = x\n",
	    "t.conf:1: [snmp] needs an instance name: [snmp:NAME]");
	expect_error("[disk:a]\n",
	    "t.conf:1: [disk:a] takes no instance name: [disk]");
	expect_error("[sink:x]\nurl = u\n", "t.conf:1: [sink:x] has no 'type'");
	expect_error("[sink:x]\ntype = pager\n",
	    "t.conf:1: [sink:x] unknown sink type 'pager'");
	expect_error("[sink:x]\ntype = webhook\nurll = u\n",
	    "t.conf:3: [sink:x] unknown key 'urll' (did you mean 'url'?)");
	expect_error("[check:disk.tmp]\n",
	    "t.conf:1: [check:disk.tmp] unknown check code 'disk.tmp'");
	expect_error("[disk]\nretries = 1\nretries = 2\n",
	    "t.conf:3: [disk] duplicate key 'retries' (first at t.conf:2)");
	expect_error("key = value\n", "t.conf:1: key 'key' outside any section");
	expect_error("[disk]\nthis line has no equals sign\n",
	    "t.conf:2: syntax error (expected '[section]', 'key = value' or a "
	    "comment)");
	expect_error("[disk\n", "t.conf:1: section header without ']'");
}

static void
test_long_line(void **unused)
{
	char text[600];

	snprintf(text, sizeof(text), "[disk]\n\nmode = %0400d\nretries = 2\n", 0);
	expect_error(text, "t.conf:3: line longer than 198 characters");
}

static void
test_many_errors_at_once(void **unused)
{
	const char *text = "[agent]\nhots = x\n[disk]\nretries = -1\n[nope]\n";
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;

	assert_int_equal(conf_load_string("t.conf", text, strlen(text), &schema,
	    &conf, &errs), -EINVAL);
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.msgs[0], "t.conf:2: [agent] unknown key "
	    "'hots' (did you mean 'host'?)");
	assert_string_equal(errs.msgs[1], "t.conf:4: [disk] retries: '-1' is "
	    "out of range (0..10)");
	assert_string_equal(errs.msgs[2], "t.conf:5: unknown section [nope]");
	conf_errors_clear(&errs);
}

static void
test_files_and_conf_d(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;
	char path[PATH_MAX];

	test_write_file(dir, "forewarn.conf", "[agent]\nhost = main\n"
	    "[disk]\nretries = 1\n");
	/* conf.d files in name order; later ones override earlier ones. */
	test_write_file(dir, "conf.d/20-b.conf", "[disk]\nretries = 3\n");
	test_write_file(dir, "conf.d/10-a.conf", "[disk]\nretries = 2\n"
	    "mode = slow\n");
	test_write_file(dir, "conf.d/ignored.txt", "[bogus]\n");
	snprintf(path, sizeof(path), "%s/forewarn.conf", dir);
	assert_int_equal(conf_load(path, &schema, &conf, &errs), 0);
	assert_int_equal(conf_get_int(conf_section(conf, "disk"), disk_keys,
	    "retries"), 3);
	assert_string_equal(conf_get_str(conf_section(conf, "disk"), disk_keys,
	    "mode"), "slow");
	assert_int_equal(conf->n_files, 3);
	conf_free(conf);

	/* An error in a conf.d file names that file. */
	test_write_file(dir, "conf.d/30-c.conf", "\n[disk]\nmode = warp\n");
	assert_int_equal(conf_load(path, &schema, &conf, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], "conf.d/30-c.conf:3: [disk] mode"));
	conf_errors_clear(&errs);

	snprintf(path, sizeof(path), "%s/conf.d/30-c.conf", dir);
	assert_int_equal(remove(path), 0);
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	assert_int_equal(conf_load(path, &schema, &conf, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], "missing.conf: cannot read: No "
	    "such file"));
	conf_errors_clear(&errs);
}

/* What a build switch left out is named as such, with the switch. */
static void
test_absent_parts(void **unused)
{
	static const struct fw_conf_absent ac[] = {
		{ "disks", "WITH_DISKS=0" }, { "kmsg", "WITH_DISKS=0" },
		{ NULL, NULL } };
	static const struct fw_conf_absent as[] = {
		{ "alertmanager", "WITH_CURL=0" }, { NULL, NULL } };
	static const struct fw_conf_schema sch = { .collectors = collectors,
		.n_collectors = 2, .sinks = sinks, .n_sinks = 1,
		.absent_collectors = ac, .absent_sinks = as };
	static const char *const want[] = {
		"t.conf:1: [disks] the disks collector is not built in "
		    "(built with WITH_DISKS=0)",
		"t.conf:2: [sink:am] sink type 'alertmanager' is not built in "
		    "(built with WITH_CURL=0)",
		"t.conf:4: [sink:x] unknown sink type 'pager'",
		"t.conf:6: [check:disk.tmp] unknown check code 'disk.tmp' "
		    "(this build leaves out the collectors disks, kmsg)",
		"t.conf:7: unknown section [nope]",
	};
	const char *text = "[disks]\n[sink:am]\ntype = alertmanager\n"
	    "[sink:x]\ntype = pager\n[check:disk.tmp]\n[nope]\n";
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;
	size_t i;

	assert_int_equal(conf_load_string("t.conf", text, strlen(text), &sch,
	    &conf, &errs), -EINVAL);
	assert_null(conf);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "got: %s\n", errs.msgs[i]);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < errs.n; i++)
		assert_string_equal(errs.msgs[i], want[i]);
	conf_errors_clear(&errs);
}

static void
test_embedded_default(void **unused)
{
	static const struct fw_sink_type stdout_t = { .type = "stdout",
		.keys = hook_keys + 1 };
	static const struct fw_sink_type *const s2[] = { &stdout_t };
	static const struct fw_conf_schema sch = { .collectors = collectors,
		.n_collectors = 2, .sinks = s2, .n_sinks = 1 };
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;

	assert_int_equal(conf_load_string("<embedded>", conf_embedded_default,
	    strlen(conf_embedded_default), &sch, &conf, &errs), 0);
	assert_string_equal(conf_sink_type(conf_section(conf, "sink:stdout")),
	    "stdout");
	assert_non_null(conf->agent.host);
	conf_free(conf);
}

static void
test_print(void **unused)
{
	struct fw_conf *conf = load_ok("[agent]\nhost = h\n[disk]\nretries = 5\n"
	    "[sink:hook]\ntype = webhook\nurl = http://x\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_print(conf, &schema, f);
	fclose(f);
	assert_non_null(strstr(buf, "[agent]\nhost = h\nstate_dir = "
	    "/var/lib/forewarn\nhistory_max = 10000\t# default\n"));
	assert_non_null(strstr(buf, "[disk]\nenabled = yes\t# default\n"
	    "device = /dev/sda\t# default\nmode = fast\t# default\n"
	    "retries = 5\nstandby = yes\t# default\n"));
	assert_non_null(strstr(buf, "[sink:hook]\ntype = webhook\n"
	    "enabled = yes\t# default\nurl = http://x\n"));
	free(buf);
	conf_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_getters),
		cmocka_unit_test(test_check_params),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_structure),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_many_errors_at_once),
		cmocka_unit_test(test_files_and_conf_d),
		cmocka_unit_test(test_absent_parts),
		cmocka_unit_test(test_embedded_default),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
