/* Tests of the journal sink's native-protocol encoding (sinks/journal.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forewarn/sinkfmt.h"

#define EVENT \
	"{\"schema\":1,\"time\":\"2026-11-24T00:30:43.183Z\",\"host\":\"h1\"," \
	"\"entity\":{\"kind\":\"disk\",\"id\":\"wwn-0x5000\",\"name\":\"sda\"," \
	"\"labels\":{}},\"check\":\"disk.medium_errors\",\"state\":\"critical\"," \
	"\"previous\":\"warning\",\"severity\":\"critical\"," \
	"\"summary\":\"line one\\nline two\",\"fingerprint\":\"0123456789abcdef\"}"

/* Fields as journald parses them: NAME=value\n, or NAME\n<le64>value\n. */
static const char *
field(const char *buf, size_t len, const char *name, size_t *ret_len)
{
	size_t off = 0, nl, n = strlen(name), vlen;
	const char *eq, *line;
	uint64_t le;
	int i;

	while (off < len) {
		line = buf + off;
		nl = (size_t)((const char *)memchr(line, '\n', len - off) - line);
		eq = memchr(line, '=', nl);
		if (eq != NULL) {
			if ((size_t)(eq - line) == n && memcmp(line, name, n) == 0) {
				*ret_len = nl - n - 1;
				return eq + 1;
			}
			off += nl + 1;
			continue;
		}
		assert_true(off + nl + 1 + 8 <= len);
		for (le = 0, i = 7; i >= 0; i--)
			le = le << 8 | (uint8_t)line[nl + 1 + i];
		vlen = (size_t)le;
		assert_true(off + nl + 9 + vlen + 1 <= len);
		assert_int_equal(line[nl + 9 + vlen], '\n');
		if (nl == n && memcmp(line, name, n) == 0) {
			*ret_len = vlen;
			return line + nl + 9;
		}
		off += nl + 9 + vlen + 1;
	}
	return NULL;
}

static void
assert_field(const char *buf, size_t len, const char *name, const char *want)
{
	size_t n = 0;
	const char *v = field(buf, len, name, &n);

	assert_non_null(v);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(v, want, n);
}

static void
test_message_id(void **unused)
{
	char a[FW_MESSAGE_ID_LEN + 1], b[FW_MESSAGE_ID_LEN + 1];

	/* The documented derivation (docs/alerting.md has it in Python). */
	journal_message_id("host.memory", a);
	assert_string_equal(a, "388c708ccd088377883b37466f542a79");
	journal_message_id("disk.medium_errors", a);
	assert_string_equal(a, "7344d1e0966a827c8300619f0ca407b7");
	journal_message_id("raid.at_risk", b);
	assert_string_equal(b, "f95e943981268153a19f3bf4d8e4fa61");
	assert_int_equal(a[12], '8');			/* UUID version 8 */
	assert_true(strchr("89ab", a[16]) != NULL);	/* variant 10 */
}

static void
test_put_field(void **unused)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	journal_put_field(f, "A", "plain\ttext", 10);
	journal_put_field(f, "B", "two\nlines", 9);
	journal_put_field(f, "C", "", 0);
	fclose(f);
	assert_int_equal(n, 13 + 2 + 8 + 9 + 1 + 3);
	assert_memory_equal(buf, "A=plain\ttext\nB\n\x09\0\0\0\0\0\0\0two\nlines\nC=\n",
	    n);
	free(buf);
}

static void
test_format_event(void **unused)
{
	size_t n = 0;
	char *buf = journal_format_event(EVENT, strlen(EVENT), &n);

	assert_non_null(buf);
	assert_field(buf, n, "MESSAGE", "line one\nline two");
	assert_field(buf, n, "MESSAGE_ID", "7344d1e0966a827c8300619f0ca407b7");
	assert_field(buf, n, "PRIORITY", "2");
	assert_field(buf, n, "SYSLOG_IDENTIFIER", "forewarnd");
	assert_field(buf, n, "FOREWARN_CHECK", "disk.medium_errors");
	assert_field(buf, n, "FOREWARN_STATE", "critical");
	assert_field(buf, n, "FOREWARN_PREVIOUS", "warning");
	assert_field(buf, n, "FOREWARN_HOST", "h1");
	assert_field(buf, n, "FOREWARN_ENTITY_KIND", "disk");
	assert_field(buf, n, "FOREWARN_ENTITY_ID", "wwn-0x5000");
	assert_field(buf, n, "FOREWARN_ENTITY_NAME", "sda");
	assert_field(buf, n, "FOREWARN_FINGERPRINT", "0123456789abcdef");
	assert_field(buf, n, "FOREWARN_EVENT", EVENT);
	/* The multi-line MESSAGE took the binary-safe form. */
	assert_non_null(memmem(buf, n, "MESSAGE\n\x11\0\0\0\0\0\0\0line one", 24));
	free(buf);

	assert_int_equal(journal_priority("warning"), 4);
	assert_int_equal(journal_priority("unknown"), 4);
	assert_int_equal(journal_priority("ok"), 6);
	assert_null(journal_format_event("{\"check\":\"x\"}", 13, &n));
	assert_null(journal_format_event("not json", 8, &n));
	assert_null(journal_format_event("[1]", 3, &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_put_field),
		cmocka_unit_test(test_format_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
