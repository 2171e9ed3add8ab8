/* An ATA disk's SMART state, decoded by libatasmart from the probe helper's blob. */
#ifndef FOREWARN_DISKS_ATA_H
#define FOREWARN_DISKS_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATA_ATTRS_MAX 64

struct ata_attr {
	uint8_t		id;
	char		name[40];
	bool		prefail;
	bool		current_valid;
	uint8_t		current;
	uint8_t		worst;
	bool		threshold_valid;
	uint8_t		threshold;
	bool		failing_now;	/* current <= threshold */
	bool		failed_past;	/* worst <= threshold */
	uint64_t	raw;		/* the 48-bit raw value */
};

struct ata_summary {
	char		model[41];
	char		serial[21];
	char		firmware[9];
	bool		smart_available;	/* supported and enabled */
	int		status_good;		/* 1, 0, or -1 unknown */
	int		overall;		/* SkSmartOverall, or -1 */
	bool		has_temperature;
	double		temperature_c;
	int		selftest_status;	/* SMART data byte 363 >> 4, or -1 */
	struct ata_attr	attrs[ATA_ATTRS_MAX];
	unsigned	n_attrs;
};

/* Decode a blob (tags IDFY, SMST, SMDT, SMTH); -EINVAL when malformed. */
int			 ata_summary_from_blob(const uint8_t *blob, size_t len,
			    struct ata_summary *ret);
const struct ata_attr	*ata_attr_find(const struct ata_summary *s, uint8_t id);

#endif
