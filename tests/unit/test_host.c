/* Tests of the host collector's parsers and of one poll over a fixture root. */
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

#include "../../collectors/host_parse.h"
#include "forewarn/collector.h"
#include "forewarn/inventory.h"
#include "forewarn/path.h"
#include "testutil.h"

extern const struct fw_collector host_collector;

static void
test_meminfo(void **unused)
{
	const char *t = "MemTotal:  1000 kB\nMemFree: 100 kB\n"
	    "MemAvailable:   400 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n"
	    "HugePages_Total:       0\n";
	struct meminfo m;

	assert_int_equal(meminfo_parse(t, strlen(t), &m), 0);
	assert_true(m.total == 1024000);
	assert_true(m.available == 409600);
	assert_true(m.free == 102400);
	assert_int_equal(m.has_available, 1);
}

static void
test_meminfo_old_kernel(void **unused)
{
	const char *t = "MemTotal: 1000 kB\nMemFree: 100 kB\n";
	struct meminfo m;

	/* No MemAvailable (before 3.14): MemFree is the floor. */
	assert_int_equal(meminfo_parse(t, strlen(t), &m), 0);
	assert_true(m.available == 102400);
	assert_int_equal(m.has_available, 0);
}

static void
test_meminfo_bad(void **unused)
{
	static const char *const bad[] = {
		"",
		"MemFree: 100 kB\n",			/* no total */
		"MemTotal: x kB\n",
		"MemTotal: 100 MB\n",			/* unknown unit */
		"MemTotal: 99999999999999999999 kB\n",	/* overflow */
		"MemTotal: 18014398509481984 kB\n",	/* overflows as bytes */
		"MemTotal: 100 kB\nMemAvailable: 200 kB\n", /* > total */
		"MemTotal: -5 kB\n",
	};
	struct meminfo m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(meminfo_parse(bad[i], strlen(bad[i]), &m) < 0);
}

static void
test_meminfo_not_terminated(void **unused)
{
	/* A buffer without NUL or newline must not be read past its end. */
	char buf[18];
	struct meminfo m;

	memcpy(buf, "MemTotal: 1000 kB", 17);
	buf[17] = 'X';
	assert_true(meminfo_parse(buf, 17, &m) == 0);
	assert_true(m.total == 1024000);
}

static void
test_loadavg(void **unused)
{
	const char *t = "0.52 0.61 1.70 2/412 31337\n";
	struct loadavg l;

	assert_int_equal(loadavg_parse(t, strlen(t), &l), 0);
	assert_true(l.load[0] == 0.52 && l.load[2] == 1.70);
	assert_int_equal(l.running, 2);
	assert_int_equal(l.total, 412);
	assert_true(loadavg_parse("1 2", 3, &l) < 0);
	assert_true(loadavg_parse("1 2 3 4", 7, &l) < 0);
	assert_true(loadavg_parse("1 2 -3 1/2", 10, &l) < 0);
	assert_true(loadavg_parse("1 2 nan 1/2", 11, &l) < 0);
	assert_true(loadavg_parse("1 2 3 1/99999999999", 19, &l) < 0);
}

static void
test_uptime_and_cpulist(void **unused)
{
	unsigned n;
	double up;

	assert_int_equal(uptime_parse("86400.25 1.0\n", 13, &up), 0);
	assert_true(up == 86400.25);
	assert_true(uptime_parse("", 0, &up) < 0);
	assert_int_equal(cpulist_count("0-3\n", 4, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(cpulist_count("0-3,8,10-11\n", 12, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(cpulist_count("0", 1, &n), 0);
	assert_int_equal(n, 1);
	assert_true(cpulist_count("3-1", 3, &n) < 0);
	assert_true(cpulist_count("", 0, &n) < 0);
	assert_true(cpulist_count("a-b", 3, &n) < 0);
	assert_true(cpulist_count("0-4294967295", 12, &n) < 0);
}

/* Copy the committed fixture so the test may change it. */
static const char *
fixture_root(void)
{
	const char *dir = test_tmpdir();
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "cp -r %s/tests/fixtures/host/ok/. %s",
	    getenv("FW_SRCDIR") ? getenv("FW_SRCDIR") : ".", dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

static const struct fw_check *
find_check(const struct fw_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n_checks; i++)
		if (strcmp(r->checks[i]->code, code) == 0)
			return r->checks[i];
	return NULL;
}

static const struct fw_reading *
find_reading(const struct fw_entity *e, const char *metric)
{
	size_t i;

	for (i = 0; i < e->n_readings; i++)
		if (strcmp(e->readings[i].metric, metric) == 0)
			return &e->readings[i];
	return NULL;
}

static void
test_poll_fixture(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	const struct fw_check *c;
	struct fw_entity *e;
	struct fw_report r;
	void *st;

	assert_int_equal(path_set_root(fixture_root()), 0);
	assert_int_equal(host_collector.init(NULL, NULL, &st), 0);
	report_open(&r, inv, "host", host_collector.checks, 0);
	assert_int_equal(host_collector.poll(st, &r), 0);
	e = inventory_find(inv, FW_KIND_HOST, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	assert_non_null(e);
	assert_string_equal(e->name, "fixture-host");
	assert_string_equal(entity_label_get(e, "kernel"), "6.1.0-40-amd64");
	assert_string_equal(entity_label_get(e, "os"),
	    "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(entity_label_get(e, "cpus"), "4");
	assert_true(find_reading(e, "memory_total_bytes")->value ==
	    8147440.0 * 1024);
	assert_true(find_reading(e, "uptime_seconds")->value == 86400.25);
	assert_true(find_reading(e, "load15")->value == 0.70);
	c = find_check(&r, "host.memory");
	assert_non_null(c);
	assert_true(fabs(c->value - 50.0) < 0.01);
	c = find_check(&r, "host.load");
	assert_true(fabs(c->value - 0.175) < 1e-9);
	c = find_check(&r, "host.swap");
	assert_true(c->value == 0);
	c = find_check(&r, "host.unreadable");
	assert_int_equal(c->state, FW_STATE_OK);
	report_close(&r);
	host_collector.teardown(st);
	inventory_free(inv);
	path_set_root(NULL);
}

static void
test_poll_missing_files(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	const struct fw_check *c;
	struct fw_report r;
	char path[PATH_MAX];
	const char *root;
	void *st;

	root = fixture_root();
	snprintf(path, sizeof(path), "%s/proc/loadavg", root);
	assert_int_equal(remove(path), 0);
	snprintf(path, sizeof(path), "%s/etc/machine-id", root);
	assert_int_equal(remove(path), 0);
	assert_int_equal(path_set_root(root), 0);
	assert_int_equal(host_collector.init(NULL, NULL, &st), 0);
	report_open(&r, inv, "host", host_collector.checks, 0);
	assert_int_equal(host_collector.poll(st, &r), 0);
	/* Without a machine-id the hostname is the identity. */
	assert_non_null(inventory_find(inv, FW_KIND_HOST, "fixture-host"));
	c = find_check(&r, "host.unreadable");
	assert_int_equal(c->state, FW_STATE_UNKNOWN);
	assert_non_null(strstr(c->message, "/proc/loadavg"));
	assert_null(find_check(&r, "host.load"));
	assert_non_null(find_check(&r, "host.memory"));
	report_close(&r);
	host_collector.teardown(st);
	inventory_free(inv);
	path_set_root(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_meminfo_old_kernel),
		cmocka_unit_test(test_meminfo_bad),
		cmocka_unit_test(test_meminfo_not_terminated),
		cmocka_unit_test(test_loadavg),
		cmocka_unit_test(test_uptime_and_cpulist),
		cmocka_unit_test(test_poll_fixture),
		cmocka_unit_test(test_poll_missing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
