/* Disk discovery and identity from /sys/block (under --root), with udev's properties when udevd keeps them. */
#ifndef FOREWARN_DISKS_SYSFS_H
#define FOREWARN_DISKS_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_NAME_MAX	32
#define DISKS_MAX	512

enum disk_type {
	DISK_ATA,	/* SATA/PATA through libata (SAT): ATA SMART */
	DISK_NVME,	/* NVMe namespace: the controller's SMART log */
	DISK_SCSI,	/* SAS/SCSI or a bridge that is not ATA */
	DISK_OTHER,	/* virtio, MMC, ...: no SMART at all */
};

struct disk_info {
	char		name[DISK_NAME_MAX];	/* "sda" */
	enum disk_type	type;
	char		controller[DISK_NAME_MAX];	/* NVMe: "nvme0" */
	char		vendor[32];
	char		model[64];
	char		serial[64];
	char		wwn[80];
	char		bus[16];
	char		id[160];	/* the identity: WWN, or MODEL_SERIAL */
};

/* SCSI midlayer counters of an sd disk (sysfs prints them in hex). */
struct disk_counters {
	bool		valid;
	uint64_t	ioerr;		/* commands that ended in error */
	uint64_t	iotmo;		/* commands that timed out (5.x+) */
	bool		has_iotmo;
	char		state[24];	/* "running", "offline", "blocked" */
};

bool	disk_name_wanted(const char *name);
void	disk_counters_read(const char *name, struct disk_counters *ret);
/* The whole disks in /sys/block, in directory order. */
size_t	disk_list(char names[][DISK_NAME_MAX], size_t max);
int	disk_info_read(const char *name, struct disk_info *ret);

#endif
