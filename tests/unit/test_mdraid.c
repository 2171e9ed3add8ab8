/* Tests of the mdraid collector's decoding and of one scan over a sysfs fixture. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../collectors/mdraid_parse.h"

static void
test_sync_completed(void **unused)
{
	uint64_t d = 7, t = 7;

	assert_int_equal(md_sync_completed_parse("20480 / 129024", &d, &t), 0);
	assert_true(d == 20480 && t == 129024);
	assert_int_equal(md_sync_completed_parse("none", &d, &t), -ENODATA);
	assert_int_equal(md_sync_completed_parse("5 / 0", &d, &t), -EINVAL);
	assert_int_equal(md_sync_completed_parse("9 / 5", &d, &t), -EINVAL);
	assert_int_equal(md_sync_completed_parse("x / 5", &d, &t), -EINVAL);
	assert_int_equal(md_sync_completed_parse(NULL, &d, &t), -EINVAL);
	assert_true(d == 20480 && t == 129024);
}

static void
test_member_flags(void **unused)
{
	assert_int_equal(md_member_flags("in_sync\n"), MD_IN_SYNC);
	assert_int_equal(md_member_flags("faulty,write_error"),
	    MD_FAULTY | MD_WRITE_ERROR);
	assert_int_equal(md_member_flags("spare,want_replacement"),
	    MD_SPARE | MD_WANT_REPLACEMENT);
	assert_int_equal(md_member_flags("blocked"), MD_BLOCKED);
	assert_int_equal(md_member_flags("external_bbl,whatever"), 0);
	assert_int_equal(md_member_flags(""), 0);
	assert_int_equal(md_member_flags(NULL), 0);
}

static void
test_redundancy(void **unused)
{
	assert_int_equal(md_redundancy_left("raid1", 2, 0), 1);
	assert_int_equal(md_redundancy_left("raid1", 2, 1), 0);
	assert_int_equal(md_redundancy_left("raid1", 3, 1), 1);
	assert_int_equal(md_redundancy_left("raid1", 3, 3), 0);
	assert_int_equal(md_redundancy_left("raid5", 4, 0), 1);
	assert_int_equal(md_redundancy_left("raid5", 4, 1), 0);
	assert_int_equal(md_redundancy_left("raid6", 6, 1), 1);
	assert_int_equal(md_redundancy_left("raid6", 6, 2), 0);
	assert_int_equal(md_redundancy_left("raid10", 4, 0), 1);
	assert_int_equal(md_redundancy_left("raid10", 4, 1), 0);
	assert_int_equal(md_redundancy_left("raid0", 2, 0), -1);
	assert_int_equal(md_redundancy_left("linear", 2, 0), -1);
	assert_int_equal(md_redundancy_left("raid1", 0, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_completed),
		cmocka_unit_test(test_member_flags),
		cmocka_unit_test(test_redundancy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
