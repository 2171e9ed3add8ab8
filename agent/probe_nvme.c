/* The NVMe SMART / Health Information log page through the kernel's admin-command ioctl. */
#include <errno.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "forewarn/probe_ops.h"

#define NVME_ADMIN_GET_LOG_PAGE	0x02
#define NVME_LOG_SMART		0x02
#define NVME_SMART_LOG_LEN	512
#define NVME_NSID_ALL		0xffffffffu

int
nvme_smart_log(int fd, uint8_t *out, size_t size, size_t *ret_len)
{
	struct nvme_admin_cmd cmd;
	uint32_t numd;
	int rc;

	if (size < NVME_SMART_LOG_LEN)
		return -ENOSPC;
	memset(out, 0, NVME_SMART_LOG_LEN);
	memset(&cmd, 0, sizeof(cmd));
	/* Exactly 512 bytes: the buffer and data_len agree (NUMD is 0-based). */
	numd = NVME_SMART_LOG_LEN / 4 - 1;
	cmd.opcode = NVME_ADMIN_GET_LOG_PAGE;
	cmd.nsid = NVME_NSID_ALL;
	cmd.addr = (uint64_t)(uintptr_t)out;
	cmd.data_len = NVME_SMART_LOG_LEN;
	cmd.cdw10 = NVME_LOG_SMART | ((numd & 0xffff) << 16);
	cmd.cdw11 = numd >> 16;
	cmd.timeout_ms = 15000;
	rc = ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd);
	if (rc < 0)
		return -errno;
	if (rc > 0)
		return -EIO;	/* an NVMe status: the controller refused */
	*ret_len = NVME_SMART_LOG_LEN;
	return 0;
}
