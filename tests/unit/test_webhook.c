/* Tests of the webhook sink's pieces: HMAC-SHA256 (RFC 4231), the signature over timestamp and body, the Alertmanager webhook body, PagerDuty Events v2 events. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "forewarn/alert.h"
#include "forewarn/webhook.h"

#define FP	"1583b3849ad8c331"
#define NOW	1764633600000LL

static void
test_hmac_rfc4231(void **unused)
{
	unsigned char key1[20];
	char hex[65];

	/* RFC 4231 test case 2: a short key and data. */
	assert_int_equal(webhook_hmac_hex("Jefe", 4,
	    "what do ya want for nothing?", 28, hex), 0);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	/* Test case 1: 20 bytes of 0x0b, "Hi There". */
	memset(key1, 0x0b, sizeof(key1));
	assert_int_equal(webhook_hmac_hex(key1, sizeof(key1), "Hi There", 8,
	    hex), 0);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
}

static void
test_signature(void **unused)
{
	static const char body[] = "{\"version\":\"4\"}";
	char sig[WEBHOOK_SIG_LEN + 1], other[WEBHOOK_SIG_LEN + 1], hex[65];
	const char *msg = "1700000000.{\"version\":\"4\"}";

	assert_int_equal(webhook_signature("k", 1, 1700000000, body,
	    strlen(body), sig), 0);
	assert_int_equal(strlen(sig), WEBHOOK_SIG_LEN);
	assert_memory_equal(sig, "sha256=", 7);
	assert_int_equal(webhook_hmac_hex("k", 1, msg, strlen(msg), hex), 0);
	assert_string_equal(sig + 7, hex);
	/* The timestamp is signed: another second, another signature. */
	assert_int_equal(webhook_signature("k", 1, 1700000001, body,
	    strlen(body), other), 0);
	assert_string_not_equal(sig, other);
	/* The exact bytes: a body holding a NUL is signed whole. */
	assert_int_equal(webhook_signature("k", 1, 1700000000, "a\0b", 3,
	    other), 0);
	assert_int_equal(webhook_signature("k", 1, 1700000000, "a\0c", 3,
	    sig), 0);
	assert_string_not_equal(sig, other);
}

static json_t *
event(const char *state, const char *previous, const char *severity,
    const char *id)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:{}}, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:{s:i}, s:s}",
	    "time", "2025-12-01T23:59:00.000Z", "host", "db1",
	    "entity", "kind", "disk", "id", id, "name", "sda", "labels",
	    "check", "disk.medium_errors", "state", state, "previous", previous,
	    "severity", severity, "since", "2025-12-01T23:59:00.000Z",
	    "summary", "disk sda: 8 pending sectors",
	    "details", "pending", 8, "fingerprint", FP);
}

static void
test_body(void **unused)
{
	struct fw_alert_set set = { NULL };
	struct fw_alert_fmt fmt = { .webhook = true };
	json_t *ev = event("warning", "ok", "warning", "id\"with\\quote");
	json_t *alerts = alert_set_take(&set, ev, NOW, &fmt), *b, *more, *gl;

	b = webhook_body("hook", "https://fw.example/", alerts);
	assert_string_equal(json_string_value(json_object_get(b, "version")),
	    "4");
	assert_string_equal(json_string_value(json_object_get(b, "status")),
	    "firing");
	assert_string_equal(json_string_value(json_object_get(b, "receiver")),
	    "hook");
	assert_string_equal(json_string_value(json_object_get(b,
	    "externalURL")), "https://fw.example/");
	assert_int_equal(json_integer_value(json_object_get(b,
	    "truncatedAlerts")), 0);
	assert_string_equal(json_string_value(json_object_get(b, "groupKey")),
	    "{}:{alertname=\"disk.medium_errors\", entity_id=\"id\\\"with"
	    "\\\\quote\", entity_kind=\"disk\", host=\"db1\"}");
	gl = json_object_get(b, "groupLabels");
	assert_int_equal(json_object_size(gl), 4);
	assert_true(json_equal(json_object_get(b, "commonLabels"),
	    json_object_get(json_array_get(alerts, 0), "labels")));
	assert_true(json_equal(json_object_get(b, "commonAnnotations"),
	    json_object_get(json_array_get(alerts, 0), "annotations")));
	assert_true(json_object_get(b, "alerts") == alerts);
	json_decref(b);

	/* Two alerts: common is what they share; firing if one fires. */
	more = json_deep_copy(alerts);
	json_object_set_new(json_array_get(more, 0), "status",
	    json_string("resolved"));
	json_object_set_new(json_object_get(json_array_get(more, 0), "labels"),
	    "severity", json_string("critical"));
	json_array_extend(more, alerts);
	b = webhook_body("hook", NULL, more);
	assert_string_equal(json_string_value(json_object_get(b, "status")),
	    "firing");
	assert_null(json_object_get(json_object_get(b, "commonLabels"),
	    "severity"));
	assert_non_null(json_object_get(json_object_get(b, "commonLabels"),
	    "alertname"));
	assert_string_equal(json_string_value(json_object_get(b,
	    "externalURL")), "");
	json_decref(b);
	json_decref(more);
	json_decref(alerts);
	alert_set_clear(&set);
	json_decref(ev);
}

static const char *
pd_str(json_t *o, const char *a, const char *b)
{
	if (b != NULL)
		o = json_object_get(o, a);
	return json_string_value(json_object_get(o, b != NULL ? b : a));
}

static void
test_pagerduty(void **unused)
{
	static const char *const sev[][2] = {
		{ "critical", "critical" }, { "warning", "warning" },
		{ "info", "info" }, { "bogus", "info" },
	};
	json_t *ev, *pd, *p;
	char big[1100];
	size_t i;

	ev = event("warning", "ok", "warning", "naa.5000");
	pd = webhook_pagerduty(ev, "RK");
	assert_string_equal(pd_str(pd, "routing_key", NULL), "RK");
	assert_string_equal(pd_str(pd, "event_action", NULL), "trigger");
	assert_string_equal(pd_str(pd, "dedup_key", NULL), FP);
	p = json_object_get(pd, "payload");
	assert_string_equal(pd_str(p, "summary", NULL),
	    "disk sda: 8 pending sectors");
	assert_string_equal(pd_str(p, "source", NULL), "db1");
	assert_string_equal(pd_str(p, "severity", NULL), "warning");
	assert_string_equal(pd_str(p, "component", NULL), "sda");
	assert_string_equal(pd_str(p, "group", NULL), "disk");
	assert_string_equal(pd_str(p, "class", NULL), "disk.medium_errors");
	assert_string_equal(pd_str(p, "timestamp", NULL),
	    "2025-12-01T23:59:00.000Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p,
	    "custom_details"), "pending")), 8);
	json_decref(pd);

	for (i = 0; i < sizeof(sev) / sizeof(sev[0]); i++) {
		json_object_set_new(ev, "severity", json_string(sev[i][0]));
		pd = webhook_pagerduty(ev, "RK");
		assert_string_equal(pd_str(pd, "payload", "severity"),
		    sev[i][1]);
		json_decref(pd);
	}

	/* A long summary is cut to 1024 bytes, not inside a character. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 1023, "\xc3\xa9", 2);	/* é over bytes 1023-1024 */
	big[sizeof(big) - 1] = '\0';
	json_object_set_new(ev, "summary", json_string(big));
	pd = webhook_pagerduty(ev, "RK");
	assert_int_equal(strlen(pd_str(pd, "payload", "summary")), 1023);
	json_decref(pd);
	json_decref(ev);

	/* Cleared: resolve with the same key and no payload. */
	ev = event("ok", "critical", "info", "naa.5000");
	pd = webhook_pagerduty(ev, "RK");
	assert_string_equal(pd_str(pd, "event_action", NULL), "resolve");
	assert_string_equal(pd_str(pd, "dedup_key", NULL), FP);
	assert_null(json_object_get(pd, "payload"));
	json_decref(pd);
	json_object_del(ev, "check");
	assert_null(webhook_pagerduty(ev, "RK"));
	json_decref(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_pagerduty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
