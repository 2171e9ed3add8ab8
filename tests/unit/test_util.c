/* Tests of the checked parsers and string helpers in agent/util.c and agent/path.c. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "forewarn/path.h"
#include "forewarn/util.h"
#include "testutil.h"

static void
test_parse_u64(void **unused)
{
	uint64_t v = 7;

	assert_int_equal(fw_parse_u64(" 42\n", 10, &v), 0);
	assert_true(v == 42);
	assert_int_equal(fw_parse_u64("0x1f", 16, &v), 0);
	assert_true(v == 31);
	assert_int_equal(fw_parse_u64("1f", 16, &v), 0);
	assert_true(v == 31);
	assert_int_equal(fw_parse_u64("18446744073709551615", 10, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(fw_parse_u64("18446744073709551616", 10, &v), -ERANGE);
	assert_int_equal(fw_parse_u64("-1", 10, &v), -EINVAL);
	assert_int_equal(fw_parse_u64("12abc", 10, &v), -EINVAL);
	assert_int_equal(fw_parse_u64("", 10, &v), -EINVAL);
	assert_int_equal(fw_parse_u64("  ", 10, &v), -EINVAL);
	assert_int_equal(fw_parse_u64(NULL, 10, &v), -EINVAL);
	assert_true(v == 7);	/* untouched on failure */
}

static void
test_parse_i64_double_bool(void **unused)
{
	int64_t i = 0;
	double d = 0;
	bool b = false;

	assert_int_equal(fw_parse_i64("-5", -10, 10, &i), 0);
	assert_true(i == -5);
	assert_int_equal(fw_parse_i64("11", -10, 10, &i), -ERANGE);
	assert_int_equal(fw_parse_i64("9223372036854775808", INT64_MIN,
	    INT64_MAX, &i), -ERANGE);
	assert_int_equal(fw_parse_i64("1.5", 0, 9, &i), -EINVAL);
	assert_int_equal(fw_parse_double("2.5e3\n", &d), 0);
	assert_true(d == 2500);
	assert_int_equal(fw_parse_double("nan", &d), -EINVAL);
	assert_int_equal(fw_parse_double("inf", &d), -EINVAL);
	assert_int_equal(fw_parse_double("1e999", &d), -EINVAL);
	assert_int_equal(fw_parse_double("3 4", &d), -EINVAL);
	assert_int_equal(fw_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(fw_parse_bool("off", &b), 0);
	assert_false(b);
	assert_int_equal(fw_parse_bool("1", &b), 0);
	assert_true(b);
	assert_int_equal(fw_parse_bool("maybe", &b), -EINVAL);
	assert_int_equal(fw_parse_bool("yesyesyes", &b), -EINVAL);
}

static void
test_parse_duration(void **unused)
{
	uint64_t ms = 0;

	assert_int_equal(fw_parse_duration_ms("250ms", &ms), 0);
	assert_true(ms == 250);
	assert_int_equal(fw_parse_duration_ms("30s", &ms), 0);
	assert_true(ms == 30000);
	assert_int_equal(fw_parse_duration_ms("30", &ms), 0);
	assert_true(ms == 30000);
	assert_int_equal(fw_parse_duration_ms("5m", &ms), 0);
	assert_true(ms == 300000);
	assert_int_equal(fw_parse_duration_ms(" 2h ", &ms), 0);
	assert_true(ms == 7200000);
	assert_int_equal(fw_parse_duration_ms("1d", &ms), 0);
	assert_true(ms == 86400000);
	assert_int_equal(fw_parse_duration_ms("0", &ms), 0);
	assert_true(ms == 0);
	assert_int_equal(fw_parse_duration_ms("5 m", &ms), -EINVAL);
	assert_int_equal(fw_parse_duration_ms("5w", &ms), -EINVAL);
	assert_int_equal(fw_parse_duration_ms("m", &ms), -EINVAL);
	assert_int_equal(fw_parse_duration_ms("-5s", &ms), -EINVAL);
	assert_int_equal(fw_parse_duration_ms("1.5s", &ms), -EINVAL);
	assert_int_equal(fw_parse_duration_ms("99999999999999999d", &ms),
	    -ERANGE);
}

static void
test_strings(void **unused)
{
	char buf[8];

	assert_int_equal(fw_strlcpy(buf, "1234567", sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(fw_strlcpy(buf, "12345678", sizeof(buf)),
	    -ENAMETOOLONG);
	assert_string_equal(buf, "1234567");
	assert_int_equal(fw_snprintf(buf, sizeof(buf), "%d", 1234567), 0);
	assert_int_equal(fw_snprintf(buf, sizeof(buf), "%d", 12345678),
	    -ENAMETOOLONG);
	assert_int_equal(fw_sanitize(buf, sizeof(buf), "  a\tb\n\x01\xff c ",
	    13), 5);
	assert_string_equal(buf, "a b c");
	assert_int_equal(fw_sanitize(buf, sizeof(buf), "abcdefghij", 10), 7);
	assert_string_equal(buf, "abcdefg");
	/* srclen bounds the read even without a NUL. */
	assert_int_equal(fw_sanitize(buf, sizeof(buf), "xyz", 2), 2);
	assert_string_equal(buf, "xy");
	assert_true(fw_fnv64(FW_FNV64_SEED, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(fw_fnv64(FW_FNV64_SEED, "a", 1) == 0xaf63dc4c8601ec8cULL);
}

static void
test_path_root(void **unused)
{
	const char *dir = test_tmpdir();
	char buf[PATH_MAX], root[PATH_MAX];
	uint64_t v;
	size_t len;
	int64_t i;

	test_write_file(dir, "sys/block/sda/device/ioerr_cnt", "0x1f\n");
	test_write_file(dir, "sys/x/exact", "1234567");
	test_write_file(dir, "proc/n", "-42\n");
	test_write_file(dir, "proc/lines", "first\nsecond\n");
	snprintf(root, sizeof(root), "%s///", dir);
	assert_int_equal(path_set_root(root), 0);
	assert_string_equal(path_root(), dir);
	assert_int_equal(path_build(buf, sizeof(buf), "/sys/block/%s", "sda"),
	    0);
	assert_true(strncmp(buf, dir, strlen(dir)) == 0);
	assert_string_equal(buf + strlen(dir), "/sys/block/sda");
	assert_int_equal(path_read_u64("/sys/block/sda/device/ioerr_cnt", 16,
	    &v), 0);
	assert_true(v == 31);
	assert_int_equal(path_read_i64("/proc/n", &i), 0);
	assert_true(i == -42);
	/* A file that exactly fills the buffer fits; one byte more does not. */
	assert_int_equal(path_read("/sys/x/exact", buf, 8, &len), 0);
	assert_int_equal(len, 7);
	assert_int_equal(path_read("/sys/x/exact", buf, 7, &len), -EFBIG);
	assert_int_equal(path_read_line("/proc/lines", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "first");
	assert_int_equal(path_read("/nope", buf, sizeof(buf), NULL), -ENOENT);
	memset(root, 'a', sizeof(root) - 1);
	root[0] = '/';
	root[sizeof(root) - 1] = '\0';
	assert_int_equal(path_build(buf, sizeof(buf), "%s", root),
	    -ENAMETOOLONG);
	assert_int_equal(path_set_root("/"), 0);
	assert_string_equal(path_root(), "/");
	assert_int_equal(path_build(buf, sizeof(buf), "/proc/%d", 1), 0);
	assert_string_equal(buf, "/proc/1");
	path_set_root(NULL);
}

static void
test_word_next(void **state)
{
	const char *p = "  eth0\tge-0/*=1000  averyveryverylongword ";
	char w[8];

	(void)state;
	assert_int_equal(fw_word_next(&p, w, sizeof(w)), 4);
	assert_string_equal(w, "eth0");
	assert_int_equal(fw_word_next(&p, w, sizeof(w)), 11);
	assert_string_equal(w, "ge-0/*=");	/* cut: the length says so */
	assert_int_equal(fw_word_next(&p, w, sizeof(w)), 21);
	assert_int_equal(fw_word_next(&p, w, sizeof(w)), 0);
	assert_string_equal(w, "");
	p = NULL;
	assert_int_equal(fw_word_next(&p, w, sizeof(w)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_next),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_i64_double_bool),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_path_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
