/* /dev/kmsg records and the classifier table: kernel messages about failing parts, by the kernel's own formats. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/util.h"
#include "kmsg_parse.h"

#define ATA	"^ata([0-9]+)(\\.[0-9]+)?: "
#define PCI	"([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7])"
#define DRV	"^[a-z0-9_-]+ "
#define FSDEV	"([a-z0-9_.-]+)"
/* The parent netdev_printk names: "0000:03:00.0", "1e100000.ethernet". */
#define PARENT	"[^ ]+"
#define IFNAME	"([a-z0-9_.@-]+)"
/*
 * Disks only, by the kernel's names for them: not loop, fd, sr, nbd, zram,
 * dm-N or md (a loop device over a file, an empty floppy drive in a VM or a
 * CD are no failing part, and dm and md errors repeat their members' own).
 * DISK is a whole disk (blk_print_req_error names the gendisk), PARTDEV
 * may be a partition (buffer.c prints the bdev).
 */
#define DISK	"((sd|vd|xvd|hd)[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+)"
#define PARTDEV	"((sd|vd|xvd|hd)[a-z]+[0-9]*|nvme[0-9]+n[0-9]+(p[0-9]+)?|" \
		"mmcblk[0-9]+(p[0-9]+)?)"

/*
 * Each line's format is the kernel's (6.1, and the older forms still in
 * use): libata-eh.c, blk-core.c (blk_print_req_error), scsi_logging.c,
 * nvme/host/core.c and pci.c, md/raid1.c raid10.c raid5.c, x86 mce,
 * edac_mc.c, pcie/aer.c, therm_throt.c, sch_generic.c (dev_watchdog),
 * e1000e, igb, ixgbe, ext4/super.c, xfs, btrfs.  tests/fixtures/kmsg has
 * the real lines each rule is proved against.  More specific rules come
 * first: the first match wins.  A part's group must be below 4.
 */
const struct kmsg_rule kmsg_rules[] = {
	/* libata */
	{ "resetting link", ATA "(hard |soft )?resetting link", 1,
	    "disk.link_resets", KT_ATA, "ATA link resets" },
	{ "UNC", ATA "error: \\{.*UNC", 1, "disk.medium_errors", KT_ATA, "uncorrectable reads (UNC)" },
	{ "failed command: ", ATA "failed command: ", 1, "disk.io_error_log",
	    KT_ATA, "failed ATA commands" },
	/* block layer, SCSI: 3.x "end_request: ", 4.x "blk_update_request: " */
	{ "critical medium error, dev ", "critical medium error, dev " DISK
	    ", sector", 1, "disk.medium_errors", KT_BLOCK,
	    "medium errors" },
	{ "error, dev ", "(I/O|timeout|critical target|recoverable transport|"
	    "critical nexus|protection|critical space allocation) error, dev "
	    DISK ", sector", 2, "disk.io_error_log", KT_BLOCK,
	    "I/O errors" },
	{ "Medium Error", "^sd [0-9:]+: \\[([a-z]+)\\].*Sense Key : Medium "
	    "Error", 1, "disk.medium_errors", KT_BLOCK,
	    "medium errors" },
	{ "Unrecovered read error", "^sd [0-9:]+: \\[([a-z]+)\\].*"
	    "Unrecovered read error", 1, "disk.medium_errors", KT_BLOCK, "medium errors" },
	{ "rejecting I/O to offline device", "^sd ([0-9]+:[0-9]+:[0-9]+:"
	    "[0-9]+): rejecting I/O to offline device", 1, "disk.rejected_io",
	    KT_SCSI, "I/O rejected, device offline" },
	/* "on device " before 3.19 */
	{ "Buffer I/O error on dev", "Buffer I/O error on dev(ice)? " PARTDEV
	    ",", 2, "disk.io_error_log", KT_BLOCK, "I/O errors" },
	/* NVMe */
	{ "Unrecovered Read Error", "^(nvme[0-9]+n[0-9]+): .*Unrecovered Read "
	    "Error", 1, "disk.medium_errors", KT_BLOCK,
	    "medium errors" },
	{ "(sct 0x", "^(nvme[0-9]+n[0-9]+): .*\\(sct 0x", 1,
	    "disk.io_error_log", KT_BLOCK, "I/O errors" },
	{ "timeout, ", "^nvme (nvme[0-9]+): I/O .*timeout, ", 1,
	    "disk.nvme_timeouts", KT_NVME, "command timeouts" },
	{ "controller is down; will reset", "^nvme (nvme[0-9]+): controller is "
	    "down; will reset", 1, "disk.nvme_resets", KT_NVME,
	    "controller resets" },
	{ "Removing after probe failure", "^nvme (nvme[0-9]+): Removing after "
	    "probe failure", 1, "disk.nvme_resets", KT_NVME,
	    "removals after a failed reset" },
	/* md: a member may be a partition or a dm device */
	{ "Disk failure on ", "^md/raid[0-9]*:[a-z0-9_]+: Disk failure on "
	    "([a-z0-9_-]+), disabling device", 1, "disk.raid_member_failed",
	    KT_BLOCK, "md disabled it" },
	/* machine checks, memory, PCIe, thermal */
	{ "Machine check events logged", "Machine check events logged", 0,
	    "cpu.mce", KT_HOST, "machine check events" },
	{ " UE ", "^EDAC MC([0-9]+): [0-9]+ UE ", 1, "memory.edac_ue", KT_MC, "uncorrected memory errors" },
	{ " CE ", "^EDAC MC([0-9]+): [0-9]+ CE ", 1, "memory.edac_ce", KT_MC, "corrected memory errors" },
	/* "AER: " where the line is pci_err()'s (5.0 on), not aer_printk()'s */
	{ "PCIe Bus Error: severity=Uncorrect", DRV PCI ": (AER: )?PCIe Bus "
	    "Error: severity=Uncorrect", 1, "pcie.aer_uncorrected", KT_PCI, "uncorrected PCIe errors" },
	{ "PCIe Bus Error: severity=Correct", DRV PCI ": (AER: )?PCIe Bus "
	    "Error: severity=Correct", 1, "pcie.aer_corrected", KT_PCI, "corrected PCIe errors" },
	/* "mce: " 5.0 to 5.17, "is above ... is throttled" from 5.6 */
	{ "above threshold, cpu clock ", "^(mce: )?CPU[0-9]+: (Core|Package) "
	    "temperature (is )?above threshold, cpu clock (is )?throttled", 0,
	    "cpu.thermal_throttle", KT_HOST, "thermal throttling" },
	/* NICs: the WARN of dev_watchdog, netdev_crit() from 6.7 */
	{ "NETDEV WATCHDOG: ", "^NETDEV WATCHDOG: ([^ ]+) \\(", 1,
	    "net.tx_timeout", KT_NET, "transmit timeouts" },
	{ "NETDEV WATCHDOG: CPU", DRV PARENT " " IFNAME ": NETDEV WATCHDOG: "
	    "CPU", 1, "net.tx_timeout", KT_NET,
	    "transmit timeouts" },
	{ "Detected Hardware Unit Hang", DRV PARENT " " IFNAME ": Detected "
	    "Hardware Unit Hang", 1, "net.tx_timeout", KT_NET,
	    "transmit hangs" },
	/* ixgbe, e1000 by netdev; igb by its PCI function */
	{ "Detected Tx Unit Hang", DRV PARENT " " IFNAME ": Detected Tx Unit "
	    "Hang", 1, "net.tx_timeout", KT_NET,
	    "transmit hangs" },
	{ "Detected Tx Unit Hang", DRV PCI ": Detected Tx Unit Hang", 1,
	    "net.tx_timeout", KT_PCI, "transmit hangs" },
	/* file systems */
	{ "Remounting filesystem read-only", "^EXT[234]-fs \\(" FSDEV "\\): "
	    "Remounting filesystem read-only", 1, "fs.readonly", KT_FS, "remounted read-only after errors" },
	{ "-fs error (device ", "^EXT[234]-fs error \\(device " FSDEV "\\)", 1,
	    "fs.errors", KT_FS, "file system errors" },
	{ "Filesystem has been shut down", "^XFS \\(" FSDEV "\\): Filesystem "
	    "has been shut down", 1, "fs.readonly", KT_FS,
	    "shut down after errors" },
	/* Not "User initiated shutdown received. Shutting down filesystem". */
	{ "Shutting down filesystem", "^XFS \\(" FSDEV "\\): (Corruption|"
	    "Log I/O|Metadata I/O|I/O|Block device removal).*Shutting down "
	    "filesystem", 1, "fs.readonly", KT_FS,
	    "shut down after errors" },
	{ "XFS (", "^XFS \\(" FSDEV "\\): ([Mm]etadata I/O error|log I/O "
	    "error|Metadata CRC error|Internal error|Corruption (of in-memory "
	    "data|detected)|.*[Cc]orrupt)", 1, "fs.errors", KT_FS, "file system errors" },
	{ "forced readonly", "^BTRFS [a-z]+ \\(device " FSDEV "[^)]*\\): "
	    "forced readonly", 1, "fs.readonly", KT_FS,
	    "forced read-only after errors" },
	/* Not "BTRFS info": the counters a mount prints again. */
	{ " errs: ", "^BTRFS error \\(device " FSDEV "[^)]*\\): bdev .* "
	    "errs: ", 1, "fs.errors", KT_FS, "device errors" },
	/* __btrfs_handle_fs_error, a transaction abort */
	{ "BTRFS: error (device ", "^BTRFS: error \\(device " FSDEV "[^)]*\\) "
	    "in ", 1, "fs.errors", KT_FS, "file system errors" },
	{ "corrupt ", "^BTRFS critical \\(device " FSDEV "[^)]*\\): corrupt "
	    "(leaf|node)", 1, "fs.errors", KT_FS,
	    "file system errors" },
	{ .needle = NULL }
};

struct kmsg_classifier {
	size_t	 n;
	regex_t	*re;
};

struct kmsg_classifier *
kmsg_classifier_new(void)
{
	struct kmsg_classifier *k = xcalloc(1, sizeof(*k));
	size_t i;

	for (i = 0; kmsg_rules[i].needle != NULL; i++)
		;
	k->re = xcalloc(i, sizeof(*k->re));
	for (k->n = 0; k->n < i; k->n++)
		if (regcomp(&k->re[k->n], kmsg_rules[k->n].regex,
		    REG_EXTENDED) != 0) {
			kmsg_classifier_free(k);
			return NULL;
		}
	return k;
}

void
kmsg_classifier_free(struct kmsg_classifier *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		regfree(&k->re[i]);
	free(k->re);
	free(k);
}

bool
kmsg_classify(const struct kmsg_classifier *k, const char *text,
    struct kmsg_match *ret)
{
	regmatch_t m[4];
	size_t i, n;
	int g;

	for (i = 0; i < k->n; i++) {
		if (strstr(text, kmsg_rules[i].needle) == NULL ||
		    regexec(&k->re[i], text, 4, m, 0) != 0)
			continue;
		ret->rule = &kmsg_rules[i];
		ret->part[0] = '\0';
		g = kmsg_rules[i].group;
		if (g > 0 && g < 4 && m[g].rm_so >= 0) {
			n = (size_t)(m[g].rm_eo - m[g].rm_so);
			if (n >= sizeof(ret->part))
				n = sizeof(ret->part) - 1;
			memcpy(ret->part, text + m[g].rm_so, n);
			ret->part[n] = '\0';
		}
		return true;
	}
	return false;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape \xNN; keep printable ASCII, anything else becomes '?'. */
static void
copy_text(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, o = 0;
	int c;

	for (i = 0; i < len && o + 1 < size; i++) {
		c = (unsigned char)src[i];
		if (c == '\\' && i + 3 < len && src[i + 1] == 'x' &&
		    hexval(src[i + 2]) >= 0 && hexval(src[i + 3]) >= 0) {
			c = hexval(src[i + 2]) * 16 + hexval(src[i + 3]);
			i += 3;
		}
		dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : c == '\t' ? ' ' :
		    '?';
	}
	dst[o] = '\0';
}

static bool
number(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0, d;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
	}
	*p = s;
	*ret = v;
	return true;
}

/* The dictionary: " KEY=VALUE" lines after the text's newline. */
static void
parse_dict(struct kmsg_record *r, const char *line, const char *end)
{
	const char *nl;
	size_t n;

	for (;;) {
		if (line >= end || *line != ' ')
			return;
		line++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		n = (size_t)(nl - line);
		if (n > 10 && memcmp(line, "SUBSYSTEM=", 10) == 0)
			copy_text(r->subsystem, sizeof(r->subsystem), line + 10,
			    n - 10);
		else if (n > 7 && memcmp(line, "DEVICE=", 7) == 0)
			copy_text(r->device, sizeof(r->device), line + 7, n - 7);
		if (nl == end)
			return;
		line = nl + 1;
	}
}

int
kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *ret)
{
	const char *p = buf, *end = buf + len, *semi, *nl;
	struct kmsg_record r;
	uint64_t pri;

	if (buf == NULL || len == 0)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	/* The prefix ends at the first ';' of the first line. */
	if ((nl = memchr(buf, '\n', len)) == NULL)
		nl = end;
	semi = memchr(buf, ';', (size_t)(nl - buf));
	if (semi == NULL || !number(&p, semi, &pri) || pri > 1023 ||
	    p >= semi || *p++ != ',' || !number(&p, semi, &r.seq) ||
	    p >= semi || *p++ != ',' || !number(&p, semi, &r.ts_usec) ||
	    p >= semi || *p++ != ',')
		return -EINVAL;
	/*
	 * Flags: '-' none; before 4.6 'c' the first fragment of a line
	 * continued, '+' a later fragment.  Fields may follow (",caller=").
	 */
	r.continuation = *p == 'c';
	r.fragment = *p == '+';
	r.level = (unsigned)(pri & 7);
	r.facility = (unsigned)(pri >> 3);
	copy_text(r.text, sizeof(r.text), semi + 1, (size_t)(nl - semi - 1));
	if (nl < end)
		parse_dict(&r, nl + 1, end);
	*ret = r;
	return 0;
}
