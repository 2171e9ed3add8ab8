/* The NVMe SMART / Health Information log page (log identifier 02h), decoded. */
#ifndef FOREWARN_DISKS_NVME_H
#define FOREWARN_DISKS_NVME_H

#include <stddef.h>
#include <stdint.h>

#define NVME_LOG_LEN 512

/* Critical Warning bits (NVMe base specification, SMART / Health log). */
#define NVME_CW_SPARE		0x01	/* available spare below threshold */
#define NVME_CW_TEMPERATURE	0x02	/* over or under a temperature threshold */
#define NVME_CW_RELIABILITY	0x04	/* NVM subsystem reliability degraded */
#define NVME_CW_READ_ONLY	0x08	/* media placed in read-only mode */
#define NVME_CW_VOLATILE_BACKUP	0x10	/* volatile memory backup failed */
#define NVME_CW_PMR_READ_ONLY	0x20	/* persistent memory region read-only */

struct nvme_health {
	uint8_t		critical_warning;
	uint16_t	temperature_k;		/* composite; 0 = not reported */
	uint8_t		spare;			/* percent */
	uint8_t		spare_threshold;	/* percent */
	uint8_t		percent_used;		/* may exceed 100 */
	uint64_t	data_units_read;	/* 1000 x 512 bytes; saturated */
	uint64_t	data_units_written;
	uint64_t	power_cycles;
	uint64_t	power_on_hours;
	uint64_t	unsafe_shutdowns;
	uint64_t	media_errors;
	uint64_t	error_log_entries;
	uint32_t	warning_temp_minutes;
	uint32_t	critical_temp_minutes;
	uint16_t	sensor_k[8];		/* 0 = no such sensor on this controller */
};

/* Decode a log page; -EINVAL when shorter than 512 bytes. */
int		 nvme_health_parse(const uint8_t *buf, size_t len,
		    struct nvme_health *ret);
/* "spare,read_only" for the set bits, into buf. */
void		 nvme_cw_names(uint8_t cw, char *buf, size_t size);

#endif
