/* The NVMe SMART / Health Information log page (log identifier 02h), decoded. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "disks_nvme.h"

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* A 128-bit counter; beyond 64 bits it saturates (decades of I/O away). */
static uint64_t
le128(const uint8_t *p)
{
	uint64_t lo = 0;
	int i;

	for (i = 8; i < 16; i++)
		if (p[i] != 0)
			return UINT64_MAX;
	for (i = 7; i >= 0; i--)
		lo = lo << 8 | p[i];
	return lo;
}

int
nvme_health_parse(const uint8_t *b, size_t len, struct nvme_health *ret)
{
	struct nvme_health h;
	int i;

	if (b == NULL || len < NVME_LOG_LEN)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.critical_warning = b[0];
	h.temperature_k = le16(b + 1);
	h.spare = b[3];
	h.spare_threshold = b[4];
	h.percent_used = b[5];
	h.data_units_read = le128(b + 32);
	h.data_units_written = le128(b + 48);
	h.power_cycles = le128(b + 112);
	h.power_on_hours = le128(b + 128);
	h.unsafe_shutdowns = le128(b + 144);
	h.media_errors = le128(b + 160);
	h.error_log_entries = le128(b + 176);
	h.warning_temp_minutes = le32(b + 192);
	h.critical_temp_minutes = le32(b + 196);
	for (i = 0; i < 8; i++)
		h.sensor_k[i] = le16(b + 200 + 2 * i);
	*ret = h;
	return 0;
}

void
nvme_cw_names(uint8_t cw, char *buf, size_t size)
{
	static const char *const names[] = { "spare", "temperature",
	    "reliability", "read_only", "volatile_backup", "pmr_read_only",
	    "bit6", "bit7" };
	size_t off = 0;
	int i, n;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (!(cw & (1u << i)))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? "," : "",
		    names[i]);
		if (n < 0 || (size_t)n >= size - off) {
			buf[off] = '\0';	/* whole names only */
			return;
		}
		off += (size_t)n;
	}
}
