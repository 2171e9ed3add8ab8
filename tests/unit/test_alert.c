/* Tests of agent/alert.c: events as alerts (labels, annotations, startsAt, endsAt, a resolution's severity, an escalation), the set, HTTP outcomes, secrets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "forewarn/alert.h"
#include "forewarn/events.h"
#include "forewarn/http.h"
#include "testutil.h"

#define FP	"1583b3849ad8c331"
#define NOW	1764633600000LL		/* 2025-12-02T00:00:00Z */

/* An event record as events.c writes it (the fields alerts use). */
static json_t *
event(const char *state, const char *previous, const char *severity,
    const char *since, const char *time_s)
{
	return json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, "
	    "s:s}}, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:f, s:i}, s:s}",
	    "schema", 1, "time", time_s, "host", "db1",
	    "entity", "kind", "disk", "id", "naa.5000c500a1b2c3d4", "name",
	    "sda", "labels", "serial", "Z1X2", "kernel-name", "sda",
	    "0model", "ST4000", "host", "not-the-host",
	    "check", "disk.medium_errors", "state", state, "previous", previous,
	    "severity", severity, "since", since,
	    "summary", "disk sda (Z1X2): 8 pending sectors",
	    "details", "value", 8.5, "warning", 1,
	    "fingerprint", FP);
}

static struct fw_alert_fmt
am_fmt(void)
{
	struct fw_alert_fmt f = { .ends_ms = NOW + 180000, .end_old = true };

	return f;
}

static const char *
s_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_labels_annotations(void **unused)
{
	struct fw_alert_set set = { NULL };
	struct fw_alert_fmt fmt = am_fmt();
	json_t *ev = event("warning", "ok", "warning",
	    "2025-12-01T23:59:00.000Z", "2025-12-01T23:59:00.000Z");
	json_t *out = alert_set_take(&set, ev, NOW, &fmt), *a, *lab, *ann;

	assert_non_null(out);
	assert_int_equal(json_array_size(out), 1);
	a = json_array_get(out, 0);
	lab = json_object_get(a, "labels");
	assert_string_equal(s_of(lab, "alertname"), "disk.medium_errors");
	assert_string_equal(s_of(lab, "severity"), "warning");
	assert_string_equal(s_of(lab, "host"), "db1");
	assert_string_equal(s_of(lab, "entity_kind"), "disk");
	assert_string_equal(s_of(lab, "entity_id"), "naa.5000c500a1b2c3d4");
	assert_string_equal(s_of(lab, "entity_name"), "sda");
	assert_string_equal(s_of(lab, "serial"), "Z1X2");
	/* Names made safe for Alertmanager; ours win over the entity's. */
	assert_string_equal(s_of(lab, "kernel_name"), "sda");
	assert_string_equal(s_of(lab, "_model"), "ST4000");
	assert_int_equal(json_object_size(lab), 9);
	ann = json_object_get(a, "annotations");
	assert_string_equal(s_of(ann, "summary"),
	    "disk sda (Z1X2): 8 pending sectors");
	assert_string_equal(s_of(ann, "details"), "{\"value\":8.5,"
	    "\"warning\":1}");
	assert_string_equal(s_of(ann, "state"), "warning");
	assert_string_equal(s_of(ann, "fingerprint"), FP);
	assert_string_equal(s_of(a, "startsAt"), "2025-12-01T23:59:00.000Z");
	assert_string_equal(s_of(a, "endsAt"), "2025-12-02T00:03:00.000Z");
	/* Alertmanager's API form has no status or fingerprint. */
	assert_null(json_object_get(a, "status"));
	assert_null(json_object_get(a, "fingerprint"));
	assert_non_null(alert_set_find(&set, FP));
	json_decref(out);
	json_decref(ev);
	alert_set_clear(&set);
	assert_null(set.head);
}

static void
test_escalation(void **unused)
{
	struct fw_alert_set set = { NULL };
	struct fw_alert_fmt fmt = am_fmt(), wh = { .webhook = true };
	json_t *w = event("warning", "ok", "warning", "2025-12-01T23:00:00Z",
	    "2025-12-01T23:00:00Z");
	json_t *c = event("critical", "warning", "critical",
	    "2025-12-01T23:30:00Z", "2025-12-01T23:30:00Z");
	json_t *out;

	json_decref(alert_set_take(&set, w, NOW, &fmt));
	/* The warning label set ends at once, then the critical one. */
	out = alert_set_take(&set, c, NOW, &fmt);
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(s_of(json_object_get(json_array_get(out, 0),
	    "labels"), "severity"), "warning");
	assert_string_equal(s_of(json_array_get(out, 0), "endsAt"),
	    "2025-12-02T00:00:00.000Z");
	assert_string_equal(s_of(json_array_get(out, 0), "startsAt"),
	    "2025-12-01T23:00:00Z");
	assert_string_equal(s_of(json_object_get(json_array_get(out, 1),
	    "labels"), "severity"), "critical");
	assert_string_equal(s_of(json_array_get(out, 1), "startsAt"),
	    "2025-12-01T23:30:00Z");
	json_decref(out);
	/* The same again: labels unchanged, one alert. */
	out = alert_set_take(&set, c, NOW, &fmt);
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	alert_set_clear(&set);

	/* The webhook form: one alert per event, the fingerprint its id. */
	json_decref(alert_set_take(&set, w, NOW, &wh));
	out = alert_set_take(&set, c, NOW, &wh);
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(s_of(json_array_get(out, 0), "status"), "firing");
	assert_string_equal(s_of(json_array_get(out, 0), "fingerprint"), FP);
	assert_string_equal(s_of(json_array_get(out, 0), "generatorURL"), "");
	assert_string_equal(s_of(json_array_get(out, 0), "endsAt"),
	    "0001-01-01T00:00:00Z");
	json_decref(out);
	alert_set_clear(&set);
	json_decref(w);
	json_decref(c);
}

static void
test_resolved(void **unused)
{
	struct fw_alert_set set = { NULL };
	struct fw_alert_fmt wh = { .webhook = true };
	json_t *c = event("critical", "ok", "critical", "2025-12-01T22:00:00Z",
	    "2025-12-01T22:00:00Z");
	json_t *ok = event("ok", "critical", "info", "2025-12-01T23:45:00.500Z",
	    "2025-12-01T23:45:00.500Z");
	json_t *okw = event("ok", "warning", "info", "2025-12-01T23:50:00Z",
	    "2025-12-01T23:50:00Z");
	json_t *out, *out2, *a;

	json_decref(alert_set_take(&set, c, NOW, &wh));
	out = alert_set_take(&set, ok, NOW, &wh);
	assert_int_equal(json_array_size(out), 1);
	a = json_array_get(out, 0);
	/* The severity it had, so it resolves the same label set. */
	assert_string_equal(s_of(json_object_get(a, "labels"), "severity"),
	    "critical");
	assert_string_equal(s_of(a, "status"), "resolved");
	assert_string_equal(s_of(a, "startsAt"), "2025-12-01T22:00:00Z");
	assert_string_equal(s_of(a, "endsAt"), "2025-12-01T23:45:00.500Z");
	/* A retried resolution gives the same alert. */
	out2 = alert_set_take(&set, ok, NOW, &wh);
	assert_true(json_equal(out, out2));
	json_decref(out);
	json_decref(out2);
	alert_set_clear(&set);

	/* From warning, unknown to the set: warning, starting at its end. */
	out = alert_set_take(&set, okw, NOW, &wh);
	a = json_array_get(out, 0);
	assert_string_equal(s_of(json_object_get(a, "labels"), "severity"),
	    "warning");
	assert_string_equal(s_of(a, "startsAt"), "2025-12-01T23:50:00Z");
	assert_string_equal(s_of(a, "endsAt"), "2025-12-01T23:50:00.000Z");
	json_decref(out);

	/* Expiry: resolved 10 min before NOW; kept for 15, not for 5. */
	alert_set_expire(&set, NOW, 15 * 60000);
	assert_non_null(alert_set_find(&set, FP));
	alert_set_expire(&set, NOW, 5 * 60000);
	assert_null(alert_set_find(&set, FP));
	/* An active one is never expired. */
	json_decref(alert_set_take(&set, c, NOW, &wh));
	alert_set_expire(&set, NOW + 86400000LL, 0);
	assert_non_null(alert_set_find(&set, FP));
	alert_set_clear(&set);
	json_decref(c);
	json_decref(ok);
	json_decref(okw);
}

static void
test_not_an_event(void **unused)
{
	struct fw_alert_set set = { NULL };
	struct fw_alert_fmt fmt = am_fmt();
	json_t *ev = event("warning", "ok", "warning", "", "");

	json_object_del(ev, "fingerprint");
	assert_null(alert_set_take(&set, ev, NOW, &fmt));
	json_object_set_new(ev, "fingerprint", json_string(FP));
	json_object_del(ev, "entity");
	assert_null(alert_set_take(&set, ev, NOW, &fmt));
	assert_null(set.head);
	json_decref(ev);
	assert_string_equal(alert_jstr(NULL, "x"), "");
}

static void
test_http_rc(void **unused)
{
	static const struct {
		long	status;
		int	err;
		int	rc;
	} cases[] = {
		{ 200, 0, 0 }, { 202, 0, 0 }, { 299, 0, 0 },
		{ 429, 0, -EAGAIN }, { 500, 0, -EAGAIN }, { 503, 0, -EAGAIN },
		{ 0, 0, -EAGAIN },
		{ 400, 0, -EINVAL }, { 401, 0, -EINVAL }, { 404, 0, -EINVAL },
		{ 301, 0, -EINVAL },
		{ 0, -ECONNREFUSED, -ECONNREFUSED }, { 0, -ETIMEDOUT, -ETIMEDOUT },
	};
	struct fw_http_result res;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&res, 0, sizeof(res));
		res.status = cases[i].status;
		res.err = cases[i].err;
		assert_int_equal(alert_http_rc(&res), cases[i].rc);
	}
}

static void
test_secret(void **unused)
{
	const char *dir = test_tmpdir();
	char path[512], *s = NULL;

	test_write_file(dir, "tok", "s3cret\r\nsecond line\n");
	snprintf(path, sizeof(path), "%s/tok", dir);
	chmod(path, 0600);
	assert_int_equal(alert_read_secret("t", path, &s), 0);
	assert_string_equal(s, "s3cret");
	alert_free_secret(s);
	alert_free_secret(NULL);

	s = NULL;
	test_write_file(dir, "empty", "\n");
	snprintf(path, sizeof(path), "%s/empty", dir);
	assert_int_equal(alert_read_secret("t", path, &s), -EINVAL);
	assert_null(s);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(alert_read_secret("t", path, &s), -ENOENT);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_annotations),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_not_an_event),
		cmocka_unit_test(test_http_rc),
		cmocka_unit_test(test_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
