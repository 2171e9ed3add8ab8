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

static void
test_mdadm_conf(void **unused)
{
	/* The shape of Debian's generated file, with continuations. */
	static const char conf[] =
	    "# mdadm.conf\n"
	    "DEVICE partitions\n"
	    "HOMEHOST <system>\n"
	    "MAILADDR root\n"
	    "ARRAY /dev/md/0  metadata=1.2 UUID=5f1262d6:b6ce8866:598d8591:"
	    "fd3caa47\n"
	    "   name=host:0 spares=1   # a spare is kept\n"
	    "arr /dev/md1 uuid=0123456789abcdef0123456789ABCDEF\r\n"
	    "\n"
	    "ARRAY /dev/md2 UUID=01234567:89abcdef:01234567:89abcdef "
	    "spares=x\n"
	    "ARRAY /dev/md3 name=host:3\n"
	    "AR /dev/md4 UUID=11111111:22222222:33333333:44444444\n"
	    "ARRAY <ignore> UUID=a1b2c3d4:00000000:00000000:00000000 "
	    "Spares=2";
	struct md_conf_array a[8];
	char err[128], u[33];
	size_t n;

	n = md_conf_parse(conf, strlen(conf), a, 8, err, sizeof(err));
	assert_int_equal(n, 3);
	assert_string_equal(a[0].uuid, "5f1262d6b6ce8866598d8591fd3caa47");
	assert_string_equal(a[0].devname, "/dev/md/0");
	assert_int_equal(a[0].spares, 1);
	assert_int_equal(a[0].line, 5);
	assert_string_equal(a[1].uuid, "0123456789abcdef0123456789abcdef");
	assert_int_equal(a[1].spares, -1);
	assert_int_equal(a[1].line, 7);
	assert_string_equal(a[2].devname, "<ignore>");
	assert_int_equal(a[2].spares, 2);
	/* md2's bad count is told by line and skipped; md3 has no UUID;
	 * "AR" is too short a keyword to be ARRAY. */
	assert_string_equal(err, "line 9: ARRAY with a bad spares count 'x'");
	/* Only as many as asked for. */
	assert_int_equal(md_conf_parse(conf, strlen(conf), a, 1, NULL, 0), 1);
	assert_int_equal(md_conf_parse("", 0, a, 8, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* The kernel's form matches mdadm's; 0.90's word order too. */
	assert_int_equal(md_uuid_norm("5f1262d6-b6ce-8866-598d-8591fd3caa47",
	    u), 0);
	assert_true(md_uuid_same(u, a[0].uuid));
	assert_true(md_uuid_same("d662125f6688ceb691858d5947aa3cfd",
	    a[0].uuid));
	assert_false(md_uuid_same("d662125f6688ceb691858d5947aa3cfe",
	    a[0].uuid));
	assert_false(md_uuid_same("", a[0].uuid));
	assert_int_equal(md_uuid_norm("5f1262d6", u), -EINVAL);
	assert_int_equal(md_uuid_norm("zf1262d6b6ce8866598d8591fd3caa47", u),
	    -EINVAL);
	assert_int_equal(md_uuid_norm("5f1262d6b6ce8866598d8591fd3caa4711",
	    u), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_completed),
		cmocka_unit_test(test_member_flags),
		cmocka_unit_test(test_redundancy),
		cmocka_unit_test(test_mdadm_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
