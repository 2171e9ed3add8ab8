/* ATA SMART over SG_IO (SAT ATA PASS-THROUGH), accepting fixed and descriptor sense, answered as a libatasmart blob. */
#include <errno.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>

#include "forewarn/probe_ops.h"

#define ATA_PT16		0x85
#define ATA_PROTO_NONDATA	(3 << 1)
#define ATA_PROTO_PIO_IN	(4 << 1)
#define ATA_CK_COND		0x20
#define ATA_T_DIR_IN		0x08
#define ATA_BYT_BLOK		0x04
#define ATA_TLEN_COUNT		0x02

#define ATA_IDENTIFY		0xec
#define ATA_CHECK_POWER_MODE	0xe5
#define ATA_SMART		0xb0
#define SMART_READ_DATA		0xd0
#define SMART_READ_THRESHOLDS	0xd1
#define SMART_RETURN_STATUS	0xda

#define SG_TIMEOUT_MS		15000

int
ata_sense_regs(const uint8_t *sb, size_t len, struct ata_regs *ret)
{
	const uint8_t *d, *end;
	size_t add;

	if (len < 8)
		return -ENODATA;
	switch (sb[0] & 0x7f) {
	case 0x72:
	case 0x73:
		/* Descriptors follow the 8-byte header, sb[7] bytes of them. */
		add = sb[7];
		end = sb + (8 + add < len ? 8 + add : len);
		for (d = sb + 8; d + 2 <= end; d += 2 + d[1]) {
			if (d[0] != 0x09 || d[1] < 0x0c || d + 14 > end)
				continue;
			ret->error = d[3];
			ret->count = d[5];
			ret->lba_low = d[7];
			ret->lba_mid = d[9];
			ret->lba_high = d[11];
			ret->device = d[12];
			ret->status = d[13];
			return 0;
		}
		return -ENODATA;
	case 0x70:
	case 0x71:
		/* ATA PASS-THROUGH INFORMATION AVAILABLE: 00h/1Dh. */
		if (len < 14 || sb[12] != 0x00 || sb[13] != 0x1d)
			return -ENODATA;
		ret->error = sb[3];
		ret->status = sb[4];
		ret->device = sb[5];
		ret->count = sb[6];
		ret->lba_low = sb[9];
		ret->lba_mid = sb[10];
		ret->lba_high = sb[11];
		return 0;
	default:
		return -ENODATA;
	}
}

int
ata_smart_status_from_regs(const struct ata_regs *r)
{
	if (r->lba_mid == 0x4f && r->lba_high == 0xc2)
		return 1;
	if (r->lba_mid == 0xf4 && r->lba_high == 0x2c)
		return 0;
	return -ENODATA;
}

int
ata_blob_put(uint8_t *out, size_t size, size_t *off, const char tag[4],
    const void *data, uint32_t len)
{
	if (*off > size || size - *off < 8 || size - *off - 8 < len)
		return -ENOSPC;
	memcpy(out + *off, tag, 4);
	out[*off + 4] = (uint8_t)(len >> 24);
	out[*off + 5] = (uint8_t)(len >> 16);
	out[*off + 6] = (uint8_t)(len >> 8);
	out[*off + 7] = (uint8_t)len;
	memcpy(out + *off + 8, data, len);
	*off += 8 + len;
	return 0;
}

/*
 * One ATA command through ATA PASS-THROUGH (16).  With data, a 512-byte
 * PIO data-in; without, a non-data command whose output registers come
 * back in the sense data (CK_COND).
 */
static int
ata_cmd(int fd, uint8_t cmd, uint8_t features, uint8_t lba_mid,
    uint8_t lba_high, uint8_t *data, struct ata_regs *regs,
    uint32_t *self_errors)
{
	uint8_t cdb[16], sense[64];
	struct sg_io_hdr io;
	int rc;

	memset(cdb, 0, sizeof(cdb));
	memset(sense, 0, sizeof(sense));
	memset(&io, 0, sizeof(io));
	cdb[0] = ATA_PT16;
	if (data != NULL) {
		cdb[1] = ATA_PROTO_PIO_IN;
		cdb[2] = ATA_T_DIR_IN | ATA_BYT_BLOK | ATA_TLEN_COUNT;
		cdb[6] = 1;	/* one sector */
		io.dxfer_direction = SG_DXFER_FROM_DEV;
		io.dxferp = data;
		io.dxfer_len = 512;
	} else {
		cdb[1] = ATA_PROTO_NONDATA;
		cdb[2] = ATA_CK_COND;
		io.dxfer_direction = SG_DXFER_NONE;
	}
	cdb[4] = features;
	cdb[10] = lba_mid;
	cdb[12] = lba_high;
	cdb[14] = cmd;
	io.interface_id = 'S';
	io.cmd_len = sizeof(cdb);
	io.cmdp = cdb;
	io.sbp = sense;
	io.mx_sb_len = sizeof(sense);
	io.timeout = SG_TIMEOUT_MS;
	if (ioctl(fd, SG_IO, &io) < 0)
		return -errno;
	/* The low bits of driver_status are errors; 0x08 only says "sense". */
	if (io.host_status != 0 || (io.driver_status & 0x07) != 0)
		return -EIO;
	if (io.status != 0)
		(*self_errors)++;	/* the midlayer counts it in ioerr_cnt */
	if (data != NULL) {
		/* Data-in: anything but GOOD means the drive refused. */
		return io.status == 0 ? 0 : -EOPNOTSUPP;
	}
	rc = ata_sense_regs(sense, io.sb_len_wr, regs);
	if (rc < 0)
		return -EOPNOTSUPP;	/* no ATA behind this SCSI device */
	return (regs->status & 0x01) ? -EIO : 0;	/* ERR bit */
}

int
ata_smart_blob(int fd, uint8_t *out, size_t size, size_t *ret_len,
    uint32_t *self)
{
	uint8_t identify[512], data[512], thresholds[512];
	struct ata_regs r;
	uint32_t good;
	size_t off = 0;
	int rc, st;

	/* A disk in standby stays asleep (smartd -n standby). */
	memset(&r, 0, sizeof(r));
	*self = 0;
	rc = ata_cmd(fd, ATA_CHECK_POWER_MODE, 0, 0, 0, NULL, &r, self);
	if (rc == 0 && r.count == 0x00)
		return -EAGAIN;
	rc = ata_cmd(fd, ATA_IDENTIFY, 0, 0, 0, identify, NULL, self);
	if (rc < 0)
		return rc;
	rc = ata_blob_put(out, size, &off, "IDFY", identify, sizeof(identify));
	/* Word 82 bit 0: SMART supported; word 85 bit 0: enabled. */
	if (rc < 0 || !(identify[164] & 1) || !(identify[170] & 1))
		goto done;
	memset(&r, 0, sizeof(r));
	if (ata_cmd(fd, ATA_SMART, SMART_RETURN_STATUS, 0x4f, 0xc2, NULL,
	    &r, self) == 0 && (st = ata_smart_status_from_regs(&r)) >= 0) {
		/* libatasmart reads this word in host order, non-zero = good. */
		good = (uint32_t)st;
		ata_blob_put(out, size, &off, "SMST", &good, sizeof(good));
	}
	if (ata_cmd(fd, ATA_SMART, SMART_READ_DATA, 0x4f, 0xc2, data,
	    NULL, self) == 0)
		ata_blob_put(out, size, &off, "SMDT", data, sizeof(data));
	/* READ THRESHOLDS is obsolete since ATA-8 but still answered. */
	if (ata_cmd(fd, ATA_SMART, SMART_READ_THRESHOLDS, 0x4f, 0xc2,
	    thresholds, NULL, self) == 0)
		ata_blob_put(out, size, &off, "SMTH", thresholds,
		    sizeof(thresholds));
done:
	*ret_len = off;
	return 0;
}
