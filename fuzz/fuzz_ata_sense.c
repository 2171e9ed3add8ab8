/* libFuzzer target: SAT sense data decoding (fixed and descriptor formats) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "forewarn/probe_ops.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ata_regs r;

	/* The decoder must stay inside size whatever the length bytes say. */
	if (ata_sense_regs(data, size, &r) == 0)
		ata_smart_status_from_regs(&r);
	return 0;
}
