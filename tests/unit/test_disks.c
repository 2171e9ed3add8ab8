/* Tests of the disks collector's decoders: real SMART blobs, NVMe log pages, sysfs identity. */
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

#include "../../collectors/disks_ata.h"
#include "../../collectors/disks_nvme.h"
#include "../../collectors/disks_stats.h"
#include "../../collectors/disks_sysfs.h"
#include "forewarn/path.h"
#include "testutil.h"

static size_t
load_blob(const char *name, uint8_t *buf, size_t size)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/fixtures/smart-blobs/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static uint64_t
raw_of(const struct ata_summary *s, uint8_t id)
{
	const struct ata_attr *a = ata_attr_find(s, id);

	assert_non_null(a);
	return a->raw;
}

/* The expected values are what skdump --load shows for these files. */
static void
test_real_blobs(void **unused)
{
	static const struct {
		const char	*file, *model, *serial;
		uint64_t	 realloc, pending;
		int		 overall;
	} cases[] = {
		{ "WDC_WD5000AAKS--00TMA0-12.01C01", "WDC WD5000AAKS-00TMA0",
		    "WD-WCAPW0493929", 63, 529, 2 },
		{ "Maxtor_96147H8--BAC51KJ0", "Maxtor 96147H8", "N80BR8EC", 69,
		    2, 2 },
		{ "SAMSUNG_HD501LJ--CR100-12", "SAMSUNG HD501LJ",
		    "S0MUJ1NQ110060", 1, 1, 2 },
		{ "ST9160821AS--3.CLH", "ST9160821AS", "5MAC2QTA", 0, 1, 2 },
		{ "INTEL_SSDSA2CW120G3--4PC10302", "INTEL SSDSA2CW120G3",
		    "CVPR109301UZ120LGN", 0, UINT64_MAX, 0 },
	};
	struct ata_summary *s = malloc(sizeof(*s));
	uint8_t blob[4096];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = load_blob(cases[i].file, blob, sizeof(blob));
		assert_int_equal(ata_summary_from_blob(blob, n, s), 0);
		assert_string_equal(s->model, cases[i].model);
		assert_string_equal(s->serial, cases[i].serial);
		assert_true(s->smart_available);
		assert_int_equal(s->overall, cases[i].overall);
		assert_true(raw_of(s, 5) == cases[i].realloc);
		if (cases[i].pending != UINT64_MAX)
			assert_true(raw_of(s, 197) == cases[i].pending);
		assert_true(s->n_attrs > 5);
	}
	/* The Toshiba's 1 reallocated sector, and a temperature. */
	n = load_blob("TOSHIBA_MK1651GSY--38IGT0G5T", blob, sizeof(blob));
	assert_int_equal(ata_summary_from_blob(blob, n, s), 0);
	assert_true(raw_of(s, 5) == 1);
	assert_true(s->has_temperature);
	assert_true(s->temperature_c > 0 && s->temperature_c < 80);
	free(s);
}

static void
test_bad_blobs(void **unused)
{
	struct ata_summary *s = malloc(sizeof(*s));
	uint8_t blob[4096];
	size_t n;

	n = load_blob("SAMSUNG_HD501LJ--CR100-12", blob, sizeof(blob));
	/* Truncated inside a record, a length past the end, nothing. */
	assert_int_equal(ata_summary_from_blob(blob, n - 100, s), -EINVAL);
	blob[4] = 0x7f;
	assert_int_equal(ata_summary_from_blob(blob, n, s), -EINVAL);
	assert_int_equal(ata_summary_from_blob(blob, 0, s), -EINVAL);
	memset(blob, 'x', sizeof(blob));
	assert_int_equal(ata_summary_from_blob(blob, 64, s), -EINVAL);
	free(s);
}

static void
test_nvme_log(void **unused)
{
	uint8_t page[NVME_LOG_LEN];
	struct nvme_health h;
	char names[96];

	memset(page, 0, sizeof(page));
	page[0] = NVME_CW_SPARE | NVME_CW_RELIABILITY;
	page[1] = 0x43;		/* 323 K */
	page[2] = 0x01;
	page[3] = 4;
	page[4] = 10;
	page[5] = 107;		/* past the rated endurance */
	page[160] = 3;		/* media errors */
	page[144] = 0x10;	/* unsafe shutdowns 0x0110 */
	page[145] = 0x01;
	page[176 + 9] = 1;	/* error log entries beyond 64 bits */
	page[192] = 0x2c;	/* warning temperature time 300 min */
	page[193] = 0x01;
	page[202] = 0x40;	/* sensor 2: 320 K */
	page[203] = 0x01;
	assert_int_equal(nvme_health_parse(page, sizeof(page), &h), 0);
	assert_int_equal(h.critical_warning, 0x05);
	assert_int_equal(h.temperature_k, 323);
	assert_int_equal(h.spare, 4);
	assert_int_equal(h.spare_threshold, 10);
	assert_int_equal(h.percent_used, 107);
	assert_true(h.media_errors == 3);
	assert_true(h.unsafe_shutdowns == 0x110);
	assert_true(h.error_log_entries == UINT64_MAX);
	assert_int_equal(h.warning_temp_minutes, 300);
	assert_int_equal(h.sensor_k[0], 0);
	assert_int_equal(h.sensor_k[1], 320);
	/* A short page is refused: never read past what came back. */
	assert_int_equal(nvme_health_parse(page, 511, &h), -EINVAL);
	assert_int_equal(nvme_health_parse(NULL, 512, &h), -EINVAL);
	nvme_cw_names(0x05, names, sizeof(names));
	assert_string_equal(names, "spare,reliability");
	nvme_cw_names(0x3a, names, sizeof(names));
	assert_string_equal(names, "temperature,read_only,volatile_backup,"
	    "pmr_read_only");
	nvme_cw_names(0xff, names, 12);
	assert_string_equal(names, "spare");
}

static void
test_sysfs_identity(void **unused)
{
	const char *root = test_tmpdir();
	char names[16][DISK_NAME_MAX], path[PATH_MAX], target[PATH_MAX];
	struct disk_info d;
	size_t n, i;
	const char vpd[] = "\x00\x80\x00\x0d  WD-WCC4N0XY";
	FILE *f;

	test_write_file(root, "sys/block/sda/device/vendor", "ATA     \n");
	test_write_file(root, "sys/block/sda/device/model",
	    "WDC WD40EFRX-68N\n");
	test_write_file(root, "sys/block/sda/wwid", "naa.50014ee2b5a1c3d4\n");
	snprintf(path, sizeof(path), "%s/sys/block/sda/device/vpd_pg80", root);
	f = fopen(path, "wb");
	fwrite(vpd, 1, sizeof(vpd) - 1, f);
	fclose(f);
	test_write_file(root, "sys/block/sdb/device/vendor", "SEAGATE \n");
	test_write_file(root, "sys/block/sdb/device/model", "ST4000NM0023\n");
	test_write_file(root, "sys/block/sdb/wwid", "t10.SEAGATE ST4000\n");
	test_write_file(root, "sys/class/nvme/nvme0/serial", "S4EWNX0N123456 \n");
	test_write_file(root, "sys/class/nvme/nvme0/model",
	    "Samsung SSD 970 EVO Plus 1TB\n");
	test_write_file(root, "sys/block/nvme0n1/wwid", "eui.0025388b91b2c3d4\n");
	test_write_file(root, "sys/devices/nvme0/x", "");
	snprintf(path, sizeof(path), "%s/sys/block/nvme0n1/device", root);
	snprintf(target, sizeof(target), "../../devices/nvme0");
	assert_int_equal(symlink(target, path), 0);
	test_write_file(root, "sys/block/vda/serial", "disk-7\n");
	test_write_file(root, "sys/block/loop0/size", "0\n");
	test_write_file(root, "sys/block/dm-0/size", "0\n");
	test_write_file(root, "sys/block/md127/size", "0\n");
	assert_int_equal(path_set_root(root), 0);

	n = disk_list(names, 16);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_true(strcmp(names[i], "loop0") && strcmp(names[i],
		    "dm-0") && strcmp(names[i], "md127"));

	assert_int_equal(disk_info_read("sda", &d), 0);
	assert_int_equal(d.type, DISK_ATA);
	assert_string_equal(d.serial, "WD-WCC4N0XY");
	assert_string_equal(d.id, "naa.50014ee2b5a1c3d4");
	assert_string_equal(d.bus, "ata");

	/* A SCSI disk without a world-wide name: model and serial. */
	assert_int_equal(disk_info_read("sdb", &d), 0);
	assert_int_equal(d.type, DISK_SCSI);
	assert_string_equal(d.id, "kernel_sdb");

	assert_int_equal(disk_info_read("nvme0n1", &d), 0);
	assert_int_equal(d.type, DISK_NVME);
	assert_string_equal(d.controller, "nvme0");
	assert_string_equal(d.serial, "S4EWNX0N123456");
	assert_string_equal(d.model, "Samsung SSD 970 EVO Plus 1TB");
	assert_string_equal(d.id, "eui.0025388b91b2c3d4");

	assert_int_equal(disk_info_read("vda", &d), 0);
	assert_int_equal(d.type, DISK_OTHER);
	assert_string_equal(d.id, "disk_disk-7");
	assert_string_equal(d.bus, "virtio");
	path_set_root(NULL);
}

static void
test_diskstats(void **unused)
{
	/* Real lines: a 4.18+ kernel (20 fields) and an old one (14). */
	const char *t =
	    "   8       0 sda 1052 33 84012 1800 2001 300 64000 4200 0 3100 6000 0 0 0 0 120 40\n"
	    "   8       1 sda1 100 0 800 10 0 0 0 0 0 10 10\n"
	    " 259       0 nvme0n1 5000 0 400000 500 1000 0 80000 250 2 700 750\n"
	    "garbage line\n"
	    "   8      16 sdb 1 2 3\n"
	    "   8      32 sdc x 0 0 0 0 0 0 0 0 0 0\n";
	struct diskstat d[8], later;
	size_t n;

	n = diskstats_parse(t, strlen(t), d, 8);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].name, "sda");
	assert_true(d[0].ios == 3053 && d[0].io_ms == 6000);
	assert_string_equal(d[2].name, "nvme0n1");
	assert_true(d[2].in_flight == 2);
	/* The bound holds. */
	assert_int_equal(diskstats_parse(t, strlen(t), d, 1), 1);
	later = d[0];
	later.ios += 100;
	later.io_ms += 2500;
	assert_true(diskstat_await(&d[0], &later) == 25.0);
	/* No I/O, or a counter that went back: no judgement. */
	assert_true(diskstat_await(&d[0], &d[0]) < 0);
	later.io_ms = 0;
	assert_true(diskstat_await(&d[0], &later) < 0);
}

static void
test_scsi_counters(void **unused)
{
	const char *root = test_tmpdir();
	struct disk_counters k;

	test_write_file(root, "sys/block/sda/device/ioerr_cnt", "0x1f\n");
	test_write_file(root, "sys/block/sda/device/iotmo_cnt", "0x2\n");
	test_write_file(root, "sys/block/sda/device/state", "offline\n");
	test_write_file(root, "sys/block/sdb/device/ioerr_cnt", "0x0\n");
	test_write_file(root, "sys/block/sdc/device/ioerr_cnt", "zz\n");
	assert_int_equal(path_set_root(root), 0);
	disk_counters_read("sda", &k);
	assert_true(k.valid && k.ioerr == 31 && k.has_iotmo && k.iotmo == 2);
	assert_string_equal(k.state, "offline");
	/* Older kernels have no iotmo_cnt. */
	disk_counters_read("sdb", &k);
	assert_true(k.valid && k.ioerr == 0 && !k.has_iotmo);
	assert_string_equal(k.state, "");
	disk_counters_read("sdc", &k);
	assert_false(k.valid);
	disk_counters_read("nvme0n1", &k);
	assert_false(k.valid);
	path_set_root(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_blobs),
		cmocka_unit_test(test_bad_blobs),
		cmocka_unit_test(test_nvme_log),
		cmocka_unit_test(test_sysfs_identity),
		cmocka_unit_test(test_diskstats),
		cmocka_unit_test(test_scsi_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
