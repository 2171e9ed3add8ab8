/* Tests of the kernel log parser: real kernel lines (tests/fixtures/kmsg, see SOURCES.md) through the classifier table, and /dev/kmsg records. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../collectors/kmsg_parse.h"

#define LINES	"tests/fixtures/kmsg/lines.tsv"

static struct kmsg_classifier *cls;

static int
setup(void **unused)
{
	cls = kmsg_classifier_new();
	return cls == NULL ? -1 : 0;
}

static int
teardown(void **unused)
{
	kmsg_classifier_free(cls);
	cls = NULL;
	return 0;
}

static size_t
n_rules(void)
{
	size_t n;

	for (n = 0; kmsg_rules[n].needle != NULL; n++)
		;
	return n;
}

/* One TSV case: 1 when it is as expected, 0 when not (printed), -1 bad. */
static int
check_case(unsigned lineno, char *line, unsigned *hits)
{
	char *code = line, *part, *text;
	struct kmsg_match m;
	bool got;

	if ((part = strchr(code, '\t')) == NULL ||
	    (text = strchr(part + 1, '\t')) == NULL) {
		print_error("lines.tsv:%u: not CODE<TAB>PART<TAB>TEXT\n",
		    lineno);
		return -1;
	}
	*part++ = '\0';
	*text++ = '\0';
	memset(&m, 0, sizeof(m));
	got = kmsg_classify(cls, text, &m);
	if (got)
		hits[m.rule - kmsg_rules]++;
	if (strcmp(code, "-") == 0) {
		if (!got)
			return 1;
		print_error("lines.tsv:%u: expected no match, got %s '%s': "
		    "%s\n", lineno, m.rule->code, m.part, text);
		return 0;
	}
	if (!got) {
		print_error("lines.tsv:%u: expected %s '%s', got no match: "
		    "%s\n", lineno, code, part, text);
		return 0;
	}
	if (strcmp(m.rule->code, code) != 0 ||
	    strcmp(m.part, strcmp(part, "-") == 0 ? "" : part) != 0) {
		print_error("lines.tsv:%u: expected %s '%s', got %s '%s': "
		    "%s\n", lineno, code, part, m.rule->code, m.part, text);
		return 0;
	}
	return 1;
}

/* Every real line gives exactly its code and part; every rule is proved. */
static void
test_real_lines(void **unused)
{
	unsigned *hits = calloc(n_rules() + 1, sizeof(*hits));
	unsigned lineno = 0, cases = 0, bad = 0, matching = 0;
	char line[4096];
	size_t i, len;
	FILE *f;
	int rc;

	assert_non_null(hits);
	f = fopen(LINES, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		assert_true(len > 0 && line[len - 1] == '\n');
		line[len - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		cases++;
		matching += strncmp(line, "-\t", 2) != 0;
		if ((rc = check_case(lineno, line, hits)) != 1)
			bad++;
		assert_true(rc >= 0);
	}
	fclose(f);
	for (i = 0; i < n_rules(); i++)
		if (hits[i] == 0) {
			print_error("rule %zu (%s, needle '%s') has no real "
			    "line in lines.tsv\n", i, kmsg_rules[i].code,
			    kmsg_rules[i].needle);
			bad++;
		}
	free(hits);
	print_message("lines.tsv: %u cases, %u to match, %u mismatches\n",
	    cases, matching, bad);
	assert_true(cases >= 200);
	assert_int_equal(bad, 0);
}

/* The table's own invariants: the needle is in every match, groups fit. */
static void
test_table(void **unused)
{
	size_t i;

	assert_true(n_rules() > 0);
	for (i = 0; i < n_rules(); i++) {
		assert_non_null(kmsg_rules[i].regex);
		assert_non_null(kmsg_rules[i].code);
		assert_non_null(kmsg_rules[i].what);
		assert_true(kmsg_rules[i].needle[0] != '\0');
		assert_in_range(kmsg_rules[i].group, 0, 3);
	}
}

/* A part longer than the match field is cut, not overrun. */
static void
test_long_part(void **unused)
{
	char text[256];
	struct kmsg_match m;

	snprintf(text, sizeof(text), "EXT4-fs error (device %s): x",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaa");
	assert_true(kmsg_classify(cls, text, &m));
	assert_string_equal(m.rule->code, "fs.errors");
	assert_int_equal(strlen(m.part), sizeof(m.part) - 1);
	assert_false(kmsg_classify(cls, "", &m));
}

static int
parse(const char *s, struct kmsg_record *r)
{
	return kmsg_record_parse(s, strlen(s), r);
}

static void
test_record_plain(void **unused)
{
	struct kmsg_record r;

	assert_int_equal(parse("6,1234,5678901,-;ata1: hard resetting link\n",
	    &r), 0);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.level, 6);
	assert_true(r.seq == 1234);
	assert_true(r.ts_usec == 5678901);
	assert_false(r.continuation);
	assert_false(r.fragment);
	assert_string_equal(r.text, "ata1: hard resetting link");
	assert_string_equal(r.subsystem, "");
	assert_string_equal(r.device, "");

	/* Facility and level: pri 4 is kern.warning, 14 user.info. */
	assert_int_equal(parse("4,1,2,-;x\n", &r), 0);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.level, 4);
	assert_int_equal(parse("14,1,2,-;x\n", &r), 0);
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.level, 6);
	assert_int_equal(parse("1023,1,2,-;x\n", &r), 0);
	assert_int_equal(r.facility, 127);
	assert_int_equal(r.level, 7);

	/* No trailing newline. */
	assert_int_equal(parse("3,7,8,-;EXT4-fs error (device sda1): x", &r),
	    0);
	assert_int_equal(r.level, 3);
	assert_string_equal(r.text, "EXT4-fs error (device sda1): x");

	/* Empty text; fields after the flags (CONFIG_PRINTK_CALLER). */
	assert_int_equal(parse("6,1,2,-;\n", &r), 0);
	assert_string_equal(r.text, "");
	assert_int_equal(parse("6,339,5140900,-,caller=T1;a;b\n", &r), 0);
	assert_true(r.seq == 339);
	assert_string_equal(r.text, "a;b");
}

static void
test_record_dict(void **unused)
{
	static const char rec[] =
	    "3,2471,1171523414,-;sd 2:0:0:0: [sdb] tag#3 Sense Key : Medium "
	    "Error [current] \n"
	    " SUBSYSTEM=scsi\n"
	    " DEVICE=+scsi:2:0:0:0\n";
	struct kmsg_record r;

	assert_int_equal(parse(rec, &r), 0);
	assert_string_equal(r.text, "sd 2:0:0:0: [sdb] tag#3 Sense Key : "
	    "Medium Error [current] ");
	assert_string_equal(r.subsystem, "scsi");
	assert_string_equal(r.device, "+scsi:2:0:0:0");

	/* Unknown keys, a last line without newline, a value too long. */
	assert_int_equal(parse("6,1,2,-;t\n SUBSYSTEM=pci\n X=1\n"
	    " DEVICE=+pci:0000:00:1c.5", &r), 0);
	assert_string_equal(r.subsystem, "pci");
	assert_string_equal(r.device, "+pci:0000:00:1c.5");
	assert_int_equal(parse("6,1,2,-;t\n SUBSYSTEM=0123456789012345678901"
	    "2345678901234567890\n", &r), 0);
	assert_string_equal(r.subsystem, "0123456789012345678901234567890");
	/* A line not starting with a space ends the dictionary. */
	assert_int_equal(parse("6,1,2,-;t\nSUBSYSTEM=scsi\n DEVICE=x\n", &r),
	    0);
	assert_string_equal(r.subsystem, "");
	assert_string_equal(r.device, "");
	/* An empty value is none. */
	assert_int_equal(parse("6,1,2,-;t\n SUBSYSTEM=\n DEVICE=\n", &r), 0);
	assert_string_equal(r.subsystem, "");
	assert_string_equal(r.device, "");
}

static void
test_record_flags(void **unused)
{
	struct kmsg_record r;

	assert_int_equal(parse("4,100,200,c;ata1.00: error: { \n", &r), 0);
	assert_true(r.continuation);
	assert_false(r.fragment);
	assert_int_equal(parse("4,101,200,+;UNC }\n", &r), 0);
	assert_false(r.continuation);
	assert_true(r.fragment);
	assert_string_equal(r.text, "UNC }");
	assert_int_equal(parse("4,102,200,;x\n", &r), 0);
	assert_false(r.continuation);
	assert_false(r.fragment);
}

static void
test_record_escapes(void **unused)
{
	struct kmsg_record r;
	struct kmsg_match m;

	/* md's two lines in one record: the newline is escaped. */
	assert_int_equal(parse("2,5310,912345678,-;md/raid1:md0: Disk failure "
	    "on sdb1, disabling device.\\x0amd/raid1:md0: Operation continuing "
	    "on 1 devices.\n", &r), 0);
	assert_string_equal(r.text, "md/raid1:md0: Disk failure on sdb1, "
	    "disabling device.?md/raid1:md0: Operation continuing on 1 "
	    "devices.");
	assert_true(kmsg_classify(cls, r.text, &m));
	assert_string_equal(m.rule->code, "disk.raid_member_failed");
	assert_string_equal(m.part, "sdb1");

	/* Printable escapes are themselves; a backslash is \x5c. */
	assert_int_equal(parse("6,1,2,-;a\\x41\\x5cb\\x7e\n", &r), 0);
	assert_string_equal(r.text, "aA\\b~");
	/* Tab is a space; control, DEL and 8-bit bytes are '?'. */
	assert_int_equal(parse("6,1,2,-;\\x09\\x01\\x7f\\xc3\\xa9\\xff\n", &r),
	    0);
	assert_string_equal(r.text, " ?????");
	/* Raw bytes the kernel would have escaped: invalid UTF-8 too. */
	assert_int_equal(parse("6,1,2,-;a\xc3\x28\xff\x80\tb\x01\n", &r), 0);
	assert_string_equal(r.text, "a?(?? b?");
	/* Upper-case hex digits. */
	assert_int_equal(parse("6,1,2,-;\\x4A\\x4a\n", &r), 0);
	assert_string_equal(r.text, "JJ");
	/* An escape ending the text exactly, with and without a newline. */
	assert_int_equal(parse("6,1,2,-;ab\\x41\n", &r), 0);
	assert_string_equal(r.text, "abA");
	assert_int_equal(parse("6,1,2,-;ab\\x41", &r), 0);
	assert_string_equal(r.text, "abA");
	assert_int_equal(parse("6,1,2,-;\\x41", &r), 0);
	assert_string_equal(r.text, "A");
	/* Cut escapes and bad hex stay as they are. */
	assert_int_equal(parse("6,1,2,-;ab\\x4", &r), 0);
	assert_string_equal(r.text, "ab\\x4");
	assert_int_equal(parse("6,1,2,-;ab\\x4\n", &r), 0);
	assert_string_equal(r.text, "ab\\x4");
	assert_int_equal(parse("6,1,2,-;ab\\x", &r), 0);
	assert_string_equal(r.text, "ab\\x");
	assert_int_equal(parse("6,1,2,-;\\", &r), 0);
	assert_string_equal(r.text, "\\");
	assert_int_equal(parse("6,1,2,-;\\xg1\\x1g\\y41\n", &r), 0);
	assert_string_equal(r.text, "\\xg1\\x1g\\y41");
	/* Escapes in dictionary values. */
	assert_int_equal(parse("6,1,2,-;t\n DEVICE=+net:e\\x74h0\n", &r), 0);
	assert_string_equal(r.device, "+net:eth0");
}

static void
test_record_long(void **unused)
{
	char buf[4 * KMSG_TEXT_MAX + 64], want[KMSG_TEXT_MAX];
	struct kmsg_record r;
	size_t n;

	/* Text of exactly KMSG_TEXT_MAX - 1 characters fits whole. */
	n = (size_t)snprintf(buf, sizeof(buf), "6,1,2,-;");
	memset(buf + n, 'a', KMSG_TEXT_MAX - 1);
	memcpy(buf + n + KMSG_TEXT_MAX - 1, "\n", 2);
	assert_int_equal(parse(buf, &r), 0);
	assert_int_equal(strlen(r.text), KMSG_TEXT_MAX - 1);

	/* KMSG_TEXT_MAX and longer is cut to KMSG_TEXT_MAX - 1. */
	memset(buf + n, 'b', KMSG_TEXT_MAX);
	memcpy(buf + n + KMSG_TEXT_MAX, "\n SUBSYSTEM=scsi\n", 18);
	assert_int_equal(parse(buf, &r), 0);
	memset(want, 'b', KMSG_TEXT_MAX - 1);
	want[KMSG_TEXT_MAX - 1] = '\0';
	assert_string_equal(r.text, want);
	assert_string_equal(r.subsystem, "scsi");

	memset(buf + n, 'c', 2 * KMSG_TEXT_MAX);
	buf[n + 2 * KMSG_TEXT_MAX] = '\0';
	assert_int_equal(parse(buf, &r), 0);
	assert_int_equal(strlen(r.text), KMSG_TEXT_MAX - 1);

	/* Escapes across the cut: each is one character of the text. */
	n = (size_t)snprintf(buf, sizeof(buf), "6,1,2,-;");
	for (; n + 4 < sizeof(buf) - 1; n += 4)
		memcpy(buf + n, "\\x41", 4);
	buf[n] = '\0';
	assert_int_equal(parse(buf, &r), 0);
	assert_int_equal(strlen(r.text), KMSG_TEXT_MAX - 1);
	assert_int_equal(strspn(r.text, "A"), KMSG_TEXT_MAX - 1);
}

static void
test_record_bad(void **unused)
{
	static const char *const bad[] = {
		"",
		"6,1,2,-",			/* no ';' */
		"6,1,2,-\n SUBSYSTEM=a;b\n",	/* ';' not on the first line */
		";text",
		"6;text",
		"6,1;text",
		"6,1,2;text",			/* no flags field */
		",1,2,-;text",
		"6,,2,-;text",
		"6,1,,-;text",
		"x,1,2,-;text",
		"6 ,1,2,-;text",
		"-6,1,2,-;text",
		"1024,1,2,-;text",		/* pri > 1023 */
		"99999999999999999999,1,2,-;text",
		"6,18446744073709551616,2,-;text",	/* > UINT64_MAX */
		"6,1,184467440737095516150,-;text",
		"6.1,2,-;text",
	};
	struct kmsg_record r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		if (parse(bad[i], &r) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		/* Untouched on failure. */
		assert_int_equal(((unsigned char *)&r)[0], 0x5a);
		assert_int_equal(r.text[0], 0x5a);
	}
	assert_int_equal(kmsg_record_parse(NULL, 0, &r), -EINVAL);
	assert_int_equal(kmsg_record_parse("6,1,2,-;x", 0, &r), -EINVAL);
	/* Only len bytes are read: the record is cut before its ';'. */
	assert_int_equal(kmsg_record_parse("6,1,2,-;x", 7, &r), -EINVAL);

	/* The largest numbers that fit. */
	assert_int_equal(parse("6,18446744073709551615,18446744073709551615,-;"
	    "x", &r), 0);
	assert_true(r.seq == UINT64_MAX && r.ts_usec == UINT64_MAX);
	assert_int_equal(parse("0,0,0,-;x", &r), 0);
	assert_true(r.seq == 0 && r.ts_usec == 0 && r.level == 0);
}

/* Every cut of a real record parses or is refused, and stays in bounds. */
static void
test_record_prefixes(void **unused)
{
	static const char rec[] =
	    "3,2471,1171523414,-;sd 2:0:0:0: [sdb] tag#3 Add. Sense: "
	    "Unrecovered read error\\x0a\n SUBSYSTEM=scsi\n"
	    " DEVICE=+scsi:2:0:0:0\n";
	struct kmsg_record r;
	size_t len;
	char *copy;
	int rc;

	for (len = 0; len <= sizeof(rec) - 1; len++) {
		/* An exact-size heap copy, so ASan sees any over-read. */
		copy = malloc(len + 1);
		assert_non_null(copy);
		memcpy(copy, rec, len);
		rc = kmsg_record_parse(copy, len, &r);
		free(copy);
		/* "3,2471,1171523414,-;" is 20 bytes. */
		if (len < 20)
			assert_int_equal(rc, -EINVAL);
		else
			assert_int_equal(rc, 0);
		if (rc == 0)
			assert_true(strlen(r.text) <= len - 20);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_lines),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_part),
		cmocka_unit_test(test_record_plain),
		cmocka_unit_test(test_record_dict),
		cmocka_unit_test(test_record_flags),
		cmocka_unit_test(test_record_escapes),
		cmocka_unit_test(test_record_long),
		cmocka_unit_test(test_record_bad),
		cmocka_unit_test(test_record_prefixes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
