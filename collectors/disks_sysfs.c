/* Disk discovery and identity from /sys/block (under --root), with udev's properties when udevd keeps them. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "forewarn/path.h"
#include "forewarn/util.h"
#include "disks_sysfs.h"

/* Not physical disks: virtual, stacked, optical, network. */
static const char *const skip_prefix[] = {
	"loop", "ram", "zram", "dm-", "md", "sr", "nbd", "fd", "mtdblock",
	"zd", "rbd", "drbd", "bcache", "nullb", "pmem",
};

bool
disk_name_wanted(const char *name)
{
	size_t i;

	if (name[0] == '.' || name[0] == '\0')
		return false;
	for (i = 0; i < FW_ARRAY_SIZE(skip_prefix); i++)
		if (strncmp(name, skip_prefix[i], strlen(skip_prefix[i])) == 0)
			return false;
	return true;
}

/* One sysfs attribute, sanitised; empty when absent. */
static void
read_attr(const char *path, char *buf, size_t size)
{
	char raw[512];

	buf[0] = '\0';
	if (path_read_line(path, raw, sizeof(raw)) < 0)
		return;
	fw_sanitize(buf, size, raw, sizeof(raw));
}

#define READ_ATTR(buf, ...) do {					\
	char p_[PATH_MAX];						\
	if (fw_snprintf(p_, sizeof(p_), __VA_ARGS__) == 0)		\
		read_attr(p_, buf, sizeof(buf));			\
	else								\
		(buf)[0] = '\0';					\
} while (0)

/* VPD page 80h: the unit serial number, bytes 4.. (SPC). */
static void
read_vpd80(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	unsigned char raw[260];
	size_t len = 0, n;

	buf[0] = '\0';
	if (fw_snprintf(path, sizeof(path), "/sys/block/%s/device/vpd_pg80",
	    name) < 0 || path_read(path, (char *)raw, sizeof(raw), &len) < 0 ||
	    len < 4 || raw[1] != 0x80)
		return;
	n = raw[3];
	if (n > len - 4)
		n = len - 4;
	fw_sanitize(buf, size, (const char *)raw + 4, n);
}

/* The NVMe controller behind a namespace: the name of device/ ("nvme0"). */
static void
nvme_controller(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	buf[0] = '\0';
	if (path_build(path, sizeof(path), "/sys/block/%s/device", name) < 0)
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	fw_strlcpy(buf, base, size);
}

static void
from_udev(struct disk_info *d)
{
	struct udev *u;
	struct udev_device *dev;
	const char *v;

	/* libudev reads the real /sys and /run/udev: not with --root. */
	if (strcmp(path_root(), "/") != 0 || (u = udev_new()) == NULL)
		return;
	dev = udev_device_new_from_subsystem_sysname(u, "block", d->name);
	if (dev != NULL) {
		if ((v = udev_device_get_property_value(dev, "ID_WWN")) != NULL)
			fw_sanitize(d->wwn, sizeof(d->wwn), v, strlen(v));
		if ((v = udev_device_get_property_value(dev,
		    "ID_SERIAL_SHORT")) != NULL && d->serial[0] == '\0')
			fw_sanitize(d->serial, sizeof(d->serial), v, strlen(v));
		if ((v = udev_device_get_property_value(dev, "ID_BUS")) != NULL)
			fw_sanitize(d->bus, sizeof(d->bus), v, strlen(v));
		udev_device_unref(dev);
	}
	udev_unref(u);
}

/* "MODEL SERIAL" with spaces folded to '_', or the WWN when there is one. */
static void
make_id(struct disk_info *d)
{
	size_t i;

	if (d->wwn[0] != '\0') {
		fw_snprintf(d->id, sizeof(d->id), "%s", d->wwn);
		return;
	}
	if (d->serial[0] != '\0')
		fw_snprintf(d->id, sizeof(d->id), "%s_%s", d->model[0] ?
		    d->model : "disk", d->serial);
	else
		fw_snprintf(d->id, sizeof(d->id), "kernel_%s", d->name);
	for (i = 0; d->id[i] != '\0'; i++)
		if (isspace((unsigned char)d->id[i]))
			d->id[i] = '_';
}

int
disk_info_read(const char *name, struct disk_info *d)
{
	char wwid[256];

	memset(d, 0, sizeof(*d));
	if (fw_strlcpy(d->name, name, sizeof(d->name)) < 0)
		return -ENAMETOOLONG;
	if (strncmp(name, "nvme", 4) == 0) {
		d->type = DISK_NVME;
		nvme_controller(name, d->controller, sizeof(d->controller));
		READ_ATTR(d->serial, "/sys/class/nvme/%s/serial", d->controller);
		READ_ATTR(d->model, "/sys/class/nvme/%s/model", d->controller);
		fw_strlcpy(d->bus, "nvme", sizeof(d->bus));
	} else if (strncmp(name, "sd", 2) == 0) {
		d->type = DISK_SCSI;
		READ_ATTR(d->vendor, "/sys/block/%s/device/vendor", name);
		READ_ATTR(d->model, "/sys/block/%s/device/model", name);
		read_vpd80(name, d->serial, sizeof(d->serial));
		/* libata disks say vendor "ATA": SMART goes through SAT. */
		if (strcmp(d->vendor, "ATA") == 0)
			d->type = DISK_ATA;
		fw_strlcpy(d->bus, d->type == DISK_ATA ? "ata" : "scsi",
		    sizeof(d->bus));
	} else {
		d->type = DISK_OTHER;
		READ_ATTR(d->serial, "/sys/block/%s/serial", name);
		READ_ATTR(d->model, "/sys/block/%s/device/model", name);
		fw_strlcpy(d->bus, strncmp(name, "vd", 2) == 0 ? "virtio" :
		    strncmp(name, "mmcblk", 6) == 0 ? "mmc" : "other",
		    sizeof(d->bus));
	}
	READ_ATTR(wwid, "/sys/block/%s/wwid", name);
	/* Only a world-wide name is an identity; "t10." strings are not. */
	if (strncmp(wwid, "naa.", 4) == 0 || strncmp(wwid, "eui.", 4) == 0)
		fw_strlcpy(d->wwn, wwid, sizeof(d->wwn));
	from_udev(d);
	make_id(d);
	return 0;
}

size_t
disk_list(char names[][DISK_NAME_MAX], size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	dir = path_opendir("/sys/block");
	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL && n < max) {
		if (!disk_name_wanted(de->d_name) ||
		    strlen(de->d_name) >= DISK_NAME_MAX)
			continue;
		fw_strlcpy(names[n++], de->d_name, DISK_NAME_MAX);
	}
	closedir(dir);
	return n;
}

void
disk_counters_read(const char *name, struct disk_counters *c)
{
	char path[PATH_MAX];

	memset(c, 0, sizeof(*c));
	if (fw_snprintf(path, sizeof(path), "/sys/block/%s/device/ioerr_cnt",
	    name) < 0 || path_read_u64(path, 16, &c->ioerr) < 0)
		return;
	c->valid = true;
	if (fw_snprintf(path, sizeof(path), "/sys/block/%s/device/iotmo_cnt",
	    name) == 0 && path_read_u64(path, 16, &c->iotmo) == 0)
		c->has_iotmo = true;
	READ_ATTR(c->state, "/sys/block/%s/device/state", name);
}
