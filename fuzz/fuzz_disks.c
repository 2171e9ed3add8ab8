/* libFuzzer target: the disks collector's decoders (NVMe log page, SMART blob through libatasmart). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../collectors/disks_ata.h"
#include "../collectors/disks_nvme.h"
#include "../collectors/disks_stats.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ata_summary s;
	static struct diskstat ds[64];
	struct nvme_health h;
	char names[96];

	if (nvme_health_parse(data, size, &h) == 0)
		nvme_cw_names(h.critical_warning, names, sizeof(names));
	diskstats_parse((const char *)data, size, ds, 64);
	/* libatasmart compiles regexes per parse: keep runs affordable. */
	if (size >= 1000 && size <= 2048)
		ata_summary_from_blob(data, size, &s);
	return 0;
}
