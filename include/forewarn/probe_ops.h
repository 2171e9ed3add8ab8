/*
 * The device commands the probe helper runs, and the pure decoding they
 * need.  Only the helper calls the commands (they block); the decoders are
 * exported for unit tests and fuzzing.
 */
#ifndef FOREWARN_PROBE_OPS_H
#define FOREWARN_PROBE_OPS_H

#include <stddef.h>
#include <stdint.h>

/* ATA output registers as returned through SAT sense data. */
struct ata_regs {
	uint8_t	error;
	uint8_t	status;
	uint8_t	device;
	uint8_t	count;
	uint8_t	lba_low;
	uint8_t	lba_mid;
	uint8_t	lba_high;
};

/*
 * Decode the ATA registers from the sense data of an ATA PASS-THROUGH
 * command with CK_COND set, in either format the kernel's SAT layer uses:
 * descriptor (0x72/0x73, ATA Status Return descriptor 09h) or fixed
 * (0x70/0x71 with ASC/ASCQ 00h/1Dh, registers in the INFORMATION and
 * COMMAND-SPECIFIC INFORMATION fields; SAT-3 §12.2.2.6).  Returns 0 or
 * -ENODATA when the sense data carries no registers.
 */
int	ata_sense_regs(const uint8_t *sense, size_t len, struct ata_regs *ret);

/* SMART RETURN STATUS: 1 good, 0 threshold exceeded, -ENODATA unknown. */
int	ata_smart_status_from_regs(const struct ata_regs *r);

/*
 * Append one libatasmart blob record (tag "IDFY", "SMST", "SMDT" or
 * "SMTH"; size big-endian) to out at *off.  -ENOSPC when it does not fit.
 */
int	ata_blob_put(uint8_t *out, size_t size, size_t *off, const char tag[4],
	    const void *data, uint32_t len);

/* In the helper: see FW_PROBE_ATA_SMART and FW_PROBE_NVME_SMART_LOG. */
int	ata_smart_blob(int fd, uint8_t *out, size_t size, size_t *ret_len,
	    uint32_t *ret_self_errors);
int	nvme_smart_log(int fd, uint8_t *out, size_t size, size_t *ret_len);

struct fw_probe_reply;

/*
 * FW_PROBE_EXEC, in the helper.  exec_program_ok(): 0 when path may be run
 * (see probe_exec()), else -errno.  exec_argv_split(): argc NUL-terminated
 * strings filling args exactly, into argv (max slots, NULL-terminated).
 * exec_run(): run it, sending stdout to sock as FW_PROBE_MORE chunks
 * (rep is the frame buffer, id already set); on return rep holds the final
 * frame's flags, wait_status and stderr as data.  0, or -errno.
 */
int	exec_program_ok(const char *path);
int	exec_argv_split(char *args, size_t len, uint32_t argc, char **argv,
	    size_t max);
int	exec_run(int sock, char *args, size_t len, uint32_t argc,
	    uint32_t timeout_ms, struct fw_probe_reply *rep);

#endif
