/* Tests of the syslog sink's RFC 5424 formatting and escaping (sinks/syslog.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forewarn/sinkfmt.h"

static char *
escaped(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	syslog_put_param_value(f, s);
	fclose(f);
	return buf;
}

static void
test_escape(void **unused)
{
	char *s;

	/* RFC 5424 §6.3.3: exactly '"', '\' and ']' get a backslash. */
	s = escaped("a\"b\\c]d[e=f g");
	assert_string_equal(s, "a\\\"b\\\\c\\]d[e=f g");
	free(s);
	s = escaped("");
	assert_string_equal(s, "");
	free(s);
	s = escaped("\xc3\xa9t\xc3\xa9\nnext");
	assert_string_equal(s, "\xc3\xa9t\xc3\xa9\nnext");
	free(s);
}

#define EVENT(host, name, summary, state) \
	"{\"schema\":1,\"time\":\"2026-11-24T00:30:43.183Z\",\"host\":\"" host \
	"\",\"entity\":{\"kind\":\"disk\",\"id\":\"wwn-0x5000\",\"name\":\"" \
	name "\",\"labels\":{}},\"check\":\"disk.medium_errors\",\"state\":\"" \
	state "\",\"previous\":\"ok\",\"severity\":\"" state "\",\"summary\":\"" \
	summary "\",\"fingerprint\":\"0123456789abcdef\"}"

static void
test_format(void **unused)
{
	const char *ev = EVENT("h1", "s\\\\d\\\"a]", "first\\nsecond", "warning");
	size_t n = 0;
	char *msg = syslog_format_event(ev, strlen(ev), 3, 42, &n);

	assert_non_null(msg);
	assert_int_equal(n, strlen(msg));
	assert_string_equal(msg, "<28>1 2026-11-24T00:30:43.183Z h1 forewarnd 42 "
	    "disk.medium_errors [forewarn@32473 check=\"disk.medium_errors\" "
	    "state=\"warning\" previous=\"ok\" severity=\"warning\" "
	    "entity_kind=\"disk\" entity_id=\"wwn-0x5000\" "
	    "entity_name=\"s\\\\d\\\"a\\]\" fingerprint=\"0123456789abcdef\"] "
	    "\xef\xbb\xbf" "first\nsecond");
	free(msg);

	/* critical in local3 = 19: 19 * 8 + 2; a host with a space. */
	ev = EVENT("my host", "sda", "s", "critical");
	msg = syslog_format_event(ev, strlen(ev), 19, 1, &n);
	assert_non_null(msg);
	assert_true(strncmp(msg, "<154>1 2026-11-24T00:30:43.183Z my_host "
	    "forewarnd 1 disk.medium_errors [", 68) == 0);
	free(msg);

	ev = EVENT("", "sda", "s", "ok");
	msg = syslog_format_event(ev, strlen(ev), 3, 1, &n);
	assert_non_null(msg);
	assert_true(strncmp(msg, "<30>1 2026-11-24T00:30:43.183Z - forewarnd",
	    42) == 0);
	free(msg);

	assert_null(syslog_format_event("{\"state\":\"ok\"}", 14, 3, 1, &n));
	assert_null(syslog_format_event("nope", 4, 3, 1, &n));
}

static void
test_header_limits(void **unused)
{
	char ev[1024], *msg;
	size_t n;

	/* MSGID is at most 32 characters; a bad time becomes "-". */
	snprintf(ev, sizeof(ev), "{\"time\":\"yesterday\",\"host\":\"h\","
	    "\"check\":\"%s\",\"state\":\"ok\",\"summary\":\"s\"}",
	    "a.very_long_check_code_of_forty_characters");
	msg = syslog_format_event(ev, strlen(ev), 3, 7, &n);
	assert_non_null(msg);
	assert_true(strncmp(msg, "<30>1 - h forewarnd 7 "
	    "a.very_long_check_code_of_forty_ [forewarn@32473 check=\"a.very_"
	    "long_check_code_of_forty_characters\"", 99) == 0);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_header_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
