/* Tests of the file system state beside the kernel log: mountinfo lines and btrfs error_stats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../collectors/kmsg_fs.h"

static void
test_mountinfo_fields(void **unused)
{
	struct mountinfo m;

	/* proc(5)'s own example: optional fields, then "-". */
	assert_int_equal(mountinfo_parse("36 35 98:0 /mnt1 /mnt2 rw,noatime "
	    "master:1 - ext3 /dev/root rw,errors=continue\n", &m), 0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.mountpoint, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.source, "/dev/root");
	assert_false(m.mnt_ro);
	assert_false(m.sb_ro);
	assert_false(mountinfo_forced_ro(&m));

	/* No optional field at all, and a space escaped as \040. */
	assert_int_equal(mountinfo_parse("29 1 254:17 / /srv/my\\040data "
	    "rw,relatime - ext4 /dev/vdb1 rw", &m), 0);
	assert_string_equal(m.mountpoint, "/srv/my data");
	assert_int_equal(m.minor, 17);

	/* Several optional fields. */
	assert_int_equal(mountinfo_parse("40 29 0:35 / /run/user/0 rw,nosuid "
	    "shared:7 master:3 propagate_from:2 - tmpfs tmpfs rw,size=1k",
	    &m), 0);
	assert_string_equal(m.fstype, "tmpfs");
	assert_int_equal(m.major, 0);
}

static void
test_mountinfo_forced_ro(void **unused)
{
	struct mountinfo m;

	/* ext4 errors=remount-ro: the superblock turned, the mount did not. */
	assert_int_equal(mountinfo_parse("25 1 8:1 / / rw,relatime shared:1 - "
	    "ext4 /dev/sda1 ro,errors=remount-ro", &m), 0);
	assert_false(m.mnt_ro);
	assert_true(m.sb_ro);
	assert_true(mountinfo_forced_ro(&m));

	/* Mounted read-only on purpose: both say ro. */
	assert_int_equal(mountinfo_parse("25 1 8:1 / /backup ro,relatime - "
	    "xfs /dev/sdb1 ro,attr2", &m), 0);
	assert_false(mountinfo_forced_ro(&m));

	/* squashfs is read-only by nature, whatever the mount says. */
	assert_int_equal(mountinfo_parse("99 25 7:3 / /snap/core/1 rw,nodev - "
	    "squashfs /dev/loop3 ro,errors=continue", &m), 0);
	assert_false(mountinfo_forced_ro(&m));

	/* "rodent" is not "ro". */
	assert_int_equal(mountinfo_parse("25 1 8:1 / / rw - ext4 /dev/sda1 "
	    "rodent", &m), -EINVAL);
}

static void
test_mountinfo_bad(void **unused)
{
	struct mountinfo m;

	assert_int_equal(mountinfo_parse("", &m), -EINVAL);
	/* No "-" separator. */
	assert_int_equal(mountinfo_parse("25 1 8:1 / / rw,relatime shared:1 "
	    "ext4 /dev/sda1 rw", &m), -EINVAL);
	/* "-" but fewer than three fields after it. */
	assert_int_equal(mountinfo_parse("25 1 8:1 / / rw shared:1 x - ext4 "
	    "/dev/sda1", &m), -EINVAL);
	/* A device number that is not one. */
	assert_int_equal(mountinfo_parse("25 1 8-1 / / rw - ext4 /dev/sda1 rw",
	    &m), -EINVAL);
	assert_int_equal(mountinfo_parse("25 1 8:99999999999 / / rw - ext4 "
	    "/dev/sda1 rw", &m), -EINVAL);
	/* An escape cut short at the end of a field stays as it is. */
	assert_int_equal(mountinfo_parse("25 1 8:1 / /a\\04 rw - ext4 "
	    "/dev/sda1 rw", &m), 0);
	assert_string_equal(m.mountpoint, "/a\\04");
}

static void
test_btrfs_errors(void **unused)
{
	struct btrfs_errors b;
	const char *s = "write_errs 0\nread_errs 3\nflush_errs 1\n"
	    "corruption_errs 7\ngeneration_errs 2\n";

	assert_int_equal(btrfs_errors_parse(s, strlen(s), &b), 0);
	assert_true(b.write == 0 && b.read == 3 && b.flush == 1 &&
	    b.corruption == 7 && b.generation == 2);
	assert_true(btrfs_errors_total(&b) == 13);

	/* Unknown lines are passed over; no known line at all is an error. */
	s = "future_errs 9\nread_errs 4";
	assert_int_equal(btrfs_errors_parse(s, strlen(s), &b), 0);
	assert_true(b.read == 4 && btrfs_errors_total(&b) == 4);
	s = "nothing here\n";
	assert_int_equal(btrfs_errors_parse(s, strlen(s), &b), -EINVAL);
	s = "read_errs many\n";
	assert_int_equal(btrfs_errors_parse(s, strlen(s), &b), -EINVAL);
	assert_int_equal(btrfs_errors_parse("", 0, &b), -EINVAL);

	/* The total saturates instead of wrapping. */
	s = "write_errs 18446744073709551615\nread_errs 5\n";
	assert_int_equal(btrfs_errors_parse(s, strlen(s), &b), 0);
	assert_true(btrfs_errors_total(&b) == UINT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_fields),
		cmocka_unit_test(test_mountinfo_forced_ro),
		cmocka_unit_test(test_mountinfo_bad),
		cmocka_unit_test(test_btrfs_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
