/* Tests of event records: schema v1 fields and order, escaping, hostile strings, fingerprints. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "forewarn/events.h"
#include "forewarn/inventory.h"
#include "forewarn/report.h"
#include "forewarn/util.h"

static const struct fw_check_def defs[] = {
	{ "disk.smart.pending", "pending sectors", FW_CMP_ABOVE, 1, 1, 0, 1, 1,
	    "count" },
	{ .code = NULL }
};

struct fixture {
	struct fw_inventory	*inv;
	struct fw_report	 r;
	struct fw_entity	*e;
	struct fw_check		*c;
	struct fw_transition	 tr;
	struct fw_check_params	 p;
	struct fw_event_input	 in;
};

static void
fixture_init(struct fixture *f, const char *serial, const char *msg)
{
	memset(f, 0, sizeof(*f));
	f->inv = inventory_new();
	report_open(&f->r, f->inv, "disks", defs, 0);
	f->e = report_entity(&f->r, FW_KIND_DISK, "WD-WCC4N0XYZ", "sda");
	entity_label(f->e, "model", "WDC WD40EFRX");
	f->e->labels = realloc(f->e->labels, 2 * sizeof(*f->e->labels));
	/* Raw bytes as a device might hand them over, past the sanitiser. */
	f->e->labels[1].key = strdup("serial");
	f->e->labels[1].value = strdup(serial);
	f->e->n_labels = 2;
	entity_relate(f->e, "member_of", FW_KIND_ARRAY, "a1b2:c3d4");
	f->c = report_value(&f->r, f->e, "disk.smart.pending", 8, "%s", msg);
	check_detail_num(f->c, "baseline", 0);
	check_detail_num(f->c, "ratio", 0.25);
	check_detail_num(f->c, "nan", NAN);
	check_detail_str(f->c, "attr", "Current_Pending_Sector");
	f->tr.type = FW_TR_CHANGE;
	f->tr.state = FW_STATE_CRITICAL;
	f->tr.previous = FW_STATE_OK;
	f->tr.since_ms = 1767225600000LL;
	f->p.cmp = FW_CMP_ABOVE;
	f->p.warning = NAN;
	f->p.critical = 1;
	f->in.host = "db1";
	f->in.entity = f->e;
	f->in.check = "disk.smart.pending";
	f->in.tr = &f->tr;
	f->in.result = f->c;
	f->in.params = &f->p;
	f->in.time_ms = 1767225600042LL;
}

static void
fixture_free(struct fixture *f)
{
	report_close(&f->r);
	inventory_free(f->inv);
}

static json_t *
build(const struct fixture *f, char **ret_text)
{
	char fp[FW_FINGERPRINT_LEN + 1];
	json_error_t err;
	size_t len;
	char *text;
	json_t *j;

	text = event_build(&f->in, &len, fp);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_null(strchr(text, '\n'));
	j = json_loads(text, 0, &err);
	if (j == NULL)
		fail_msg("invalid JSON: %s: %s", err.text, text);
	assert_string_equal(json_string_value(json_object_get(j,
	    "fingerprint")), fp);
	*ret_text = text;
	return j;
}

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	return json_string_value(v);
}

static const char *
fp_of(const char *host, const char *key, const char *check)
{
	static char fp[FW_FINGERPRINT_LEN + 1];

	event_fingerprint(host, key, check, fp);
	return fp;
}

static void
test_fields(void **unused)
{
	struct fixture f;
	json_t *j, *e, *d, *rel;
	char *text;

	fixture_init(&f, "WD-WCC4N0XYZ", "disk sda (WD-WCC4N0XYZ): 8 pending "
	    "sectors");
	j = build(&f, &text);
	assert_int_equal(json_integer_value(json_object_get(j, "schema")), 1);
	assert_int_equal(strlen(str(j, "id")), 36);
	assert_string_equal(str(j, "time"), "2026-01-01T00:00:00.042Z");
	assert_string_equal(str(j, "since"), "2026-01-01T00:00:00.000Z");
	assert_string_equal(str(j, "host"), "db1");
	assert_string_equal(str(j, "check"), "disk.smart.pending");
	assert_string_equal(str(j, "state"), "critical");
	assert_string_equal(str(j, "previous"), "ok");
	assert_string_equal(str(j, "severity"), "critical");
	assert_string_equal(str(j, "transition"), "change");
	assert_string_equal(str(j, "summary"), "disk sda (WD-WCC4N0XYZ): 8 "
	    "pending sectors");
	e = json_object_get(j, "entity");
	assert_string_equal(str(e, "kind"), "disk");
	assert_string_equal(str(e, "id"), "WD-WCC4N0XYZ");
	assert_string_equal(str(e, "name"), "sda");
	assert_string_equal(str(json_object_get(e, "labels"), "model"),
	    "WDC WD40EFRX");
	assert_string_equal(str(json_object_get(e, "labels"), "serial"),
	    "WD-WCC4N0XYZ");
	assert_int_equal(json_object_size(json_object_get(e, "labels")), 2);
	d = json_object_get(j, "details");
	assert_true(json_is_integer(json_object_get(d, "value")));
	assert_int_equal(json_integer_value(json_object_get(d, "value")), 8);
	assert_string_equal(str(d, "unit"), "count");
	assert_string_equal(str(d, "comparison"), "above");
	assert_null(json_object_get(d, "warning"));	/* NAN: left out */
	assert_int_equal(json_integer_value(json_object_get(d, "critical")), 1);
	assert_true(json_real_value(json_object_get(d, "ratio")) == 0.25);
	assert_null(json_object_get(d, "nan"));
	assert_string_equal(str(d, "attr"), "Current_Pending_Sector");
	assert_null(json_object_get(d, "hysteresis"));	/* 0: none */
	assert_int_equal(json_integer_value(json_object_get(d, "baseline")), 0);
	assert_int_equal(json_object_size(d), 7);
	assert_int_equal(json_array_size(json_object_get(j, "related")), 1);
	assert_string_equal(str(j, "fingerprint"), fp_of("db1",
	    "disk/WD-WCC4N0XYZ", "disk.smart.pending"));
	rel = json_array_get(json_object_get(j, "related"), 0);
	assert_string_equal(str(rel, "relation"), "member_of");
	assert_string_equal(str(rel, "kind"), "array");
	assert_string_equal(str(rel, "id"), "a1b2:c3d4");
	json_decref(j);
	free(text);
	fixture_free(&f);
}

/* jansson keeps an object's keys in the order of the text it parsed. */
static void
assert_keys(json_t *o, const char *const *keys, size_t n)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	json_object_foreach(o, k, v) {
		assert_true(i < n);
		assert_string_equal(k, keys[i]);
		i++;
	}
	assert_int_equal(i, n);
}

static void
test_key_order(void **unused)
{
	static const char *const top[] = { "schema", "id", "time", "host",
	    "entity", "check", "state", "previous", "severity", "transition",
	    "since", "summary", "details", "related", "fingerprint" };
	static const char *const entity[] = { "kind", "id", "name", "labels" };
	static const char *const related[] = { "relation", "kind", "id" };
	static const char *const details[] = { "value", "unit", "comparison",
	    "critical", "hysteresis", "baseline", "ratio", "attr" };
	struct fixture f;
	char *text;
	json_t *j;

	fixture_init(&f, "S", "m");
	f.p.hysteresis = 0.5;
	j = build(&f, &text);
	assert_keys(j, top, FW_ARRAY_SIZE(top));
	assert_keys(json_object_get(j, "entity"), entity,
	    FW_ARRAY_SIZE(entity));
	assert_keys(json_array_get(json_object_get(j, "related"), 0), related,
	    FW_ARRAY_SIZE(related));
	assert_keys(json_object_get(j, "details"), details,
	    FW_ARRAY_SIZE(details));
	assert_true(json_real_value(json_object_get(json_object_get(j,
	    "details"), "hysteresis")) == 0.5);
	json_decref(j);
	free(text);
	fixture_free(&f);
}

static void
test_escaping_and_bad_utf8(void **unused)
{
	struct fixture f;
	char *text;
	json_t *j;

	fixture_init(&f, "WD\xff\xfe-\"q\"\\", "line1\nline2\t\"quoted\" "
	    "\\back \x01 caf\xc3\xa9 \xe2\x82 \xed\xa0\x80");
	j = build(&f, &text);
	assert_string_equal(str(json_object_get(json_object_get(j, "entity"),
	    "labels"), "serial"), "WD\xef\xbf\xbd\xef\xbf\xbd-\"q\"\\");
	/* Valid UTF-8 kept; a truncated sequence and a surrogate replaced. */
	assert_string_equal(str(j, "summary"), "line1\nline2\t\"quoted\" "
	    "\\back \x01 caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_null(strstr(text, "\n"));
	assert_non_null(strstr(text, "\\u0001"));
	json_decref(j);
	free(text);
	fixture_free(&f);
}

static void
test_transitions_and_summary(void **unused)
{
	struct fixture f;
	json_t *j, *d;
	char *text;

	fixture_init(&f, "S", "disk sda: 8 pending sectors");
	f.tr.type = FW_TR_RENOTIFY;
	f.tr.previous = FW_STATE_CRITICAL;
	j = build(&f, &text);
	assert_string_equal(str(j, "transition"), "renotify");
	assert_string_equal(str(j, "summary"), "still critical: disk sda: 8 "
	    "pending sectors");
	json_decref(j);
	free(text);
	f.tr.type = FW_TR_FLAP_START;
	f.tr.changes = 6;
	j = build(&f, &text);
	assert_string_equal(str(j, "transition"), "flap_start");
	assert_string_equal(str(j, "summary"), "flapping: disk sda: 8 pending "
	    "sectors");
	d = json_object_get(j, "details");
	assert_int_equal(json_integer_value(json_object_get(d, "changes")), 6);
	json_decref(j);
	free(text);
	f.tr.type = FW_TR_FLAP_END;
	f.tr.state = FW_STATE_WARNING;
	j = build(&f, &text);
	assert_string_equal(str(j, "transition"), "flap_end");
	assert_string_equal(str(j, "severity"), "warning");
	assert_string_equal(str(j, "summary"), "disk sda: 8 pending sectors");
	d = json_object_get(j, "details");
	assert_int_equal(json_integer_value(json_object_get(d, "changes")), 6);
	json_decref(j);
	free(text);
	/* An empty message counts as none; unknown is routed as a warning. */
	free(f.c->message);
	f.c->message = strdup("");
	f.tr.type = FW_TR_RENOTIFY;
	f.tr.state = FW_STATE_UNKNOWN;
	j = build(&f, &text);
	assert_string_equal(str(j, "summary"), "still unknown: disk sda: "
	    "disk.smart.pending is unknown");
	assert_string_equal(str(j, "severity"), "warning");
	assert_null(json_object_get(json_object_get(j, "details"), "changes"));
	json_decref(j);
	free(text);
	/* Without a result: a generated line, and no details to speak of. */
	f.in.result = NULL;
	f.in.params = NULL;
	f.tr.type = FW_TR_CHANGE;
	f.tr.state = FW_STATE_OK;
	j = build(&f, &text);
	assert_string_equal(str(j, "summary"), "disk sda: disk.smart.pending "
	    "is ok");
	assert_string_equal(str(j, "severity"), "info");
	assert_int_equal(json_object_size(json_object_get(j, "details")), 0);
	json_decref(j);
	free(text);
	/* No relations: an empty array, not a missing key. */
	f.e->n_relations = 0;
	j = build(&f, &text);
	assert_true(json_is_array(json_object_get(j, "related")));
	assert_int_equal(json_array_size(json_object_get(j, "related")), 0);
	json_decref(j);
	free(text);
	f.e->n_relations = 1;
	fixture_free(&f);
}

static void
test_fingerprint(void **unused)
{
	char a[17], b[17], c[17], d[17], e[17];

	event_fingerprint("h1", "disk/S1", "disk.x", a);
	event_fingerprint("h1", "disk/S1", "disk.x", b);
	event_fingerprint("h2", "disk/S1", "disk.x", c);
	event_fingerprint("h1", "disk/S2", "disk.x", d);
	event_fingerprint("h1", "disk/S1", "disk.y", e);
	assert_int_equal(strlen(a), 16);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_string_not_equal(a, e);
	/* The separator keeps "ab"+"c" apart from "a"+"bc". */
	event_fingerprint("ab", "c", "x", c);
	event_fingerprint("a", "bc", "x", d);
	assert_string_not_equal(c, d);
}

static void
assert_uuid_v4(const char *id)
{
	size_t i;

	assert_int_equal(strlen(id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(id[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", id[i]));
	}
	assert_int_equal(id[14], '4');			/* version 4 */
	assert_non_null(strchr("89ab", id[19]));	/* RFC 4122 variant */
}

static void
test_ids_unique_and_time(void **unused)
{
	struct fixture f;
	char *t1, *t2, ts[32];
	json_t *j1, *j2;

	fixture_init(&f, "S", "m");
	j1 = build(&f, &t1);
	j2 = build(&f, &t2);
	assert_string_not_equal(str(j1, "id"), str(j2, "id"));
	assert_uuid_v4(str(j1, "id"));
	assert_uuid_v4(str(j2, "id"));
	event_format_time(0, ts);
	assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
	event_format_time(1767225599999LL, ts);
	assert_string_equal(ts, "2025-12-31T23:59:59.999Z");
	event_format_time(951782400007LL, ts);		/* a leap day */
	assert_string_equal(ts, "2000-02-29T00:00:00.007Z");
	event_format_time(-1, ts);			/* before the epoch */
	assert_string_equal(ts, "1969-12-31T23:59:59.999Z");
	json_decref(j1);
	json_decref(j2);
	free(t1);
	free(t2);
	fixture_free(&f);
}

static void
test_parse_time(void **unused)
{
	char buf[32];
	int64_t t;

	/* What event_format_time writes reads back exactly. */
	for (t = 0; t < 4000000000000LL; t += 123456789012LL) {
		event_format_time(t, buf);
		assert_true(event_parse_time(buf) == t);
	}
	assert_true(event_parse_time("2026-11-23T23:39:31.042Z") ==
	    1795477171042LL);
	assert_true(event_parse_time("2026-11-23T23:39:31Z") ==
	    1795477171000LL);
	assert_true(event_parse_time("2026-11-23T23:39:31.5Z") ==
	    1795477171500LL);
	assert_true(event_parse_time("2026-11-23T23:39:31.042+01:00") == -1);
	assert_true(event_parse_time("2026-11-23 23:39:31Z") == -1);
	assert_true(event_parse_time("") == -1);
	assert_true(event_parse_time(NULL) == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_escaping_and_bad_utf8),
		cmocka_unit_test(test_transitions_and_summary),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_ids_unique_and_time),
		cmocka_unit_test(test_parse_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
