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

/*
 * Each line's format is the kernel's (6.1): libata-eh.c, blk-core.c
 * (blk_print_req_error), scsi_logging.c, nvme/host/core.c and pci.c,
 * md/raid1.c raid10.c raid5.c, x86 mce, edac_mc.c, pcie/aer.c,
 * therm_throt.c, sch_generic.c (dev_watchdog), e1000e, ext4/super.c, xfs,
 * btrfs.  More specific rules come first: the first match wins.
 */
const struct kmsg_rule kmsg_rules[] = {
	/* libata */
	{ "resetting link", ATA "(hard |soft )?resetting link", 1,
	    "disk.link_resets", KT_ATA, KS_WARNING, "ATA link resets" },
	{ "UNC", ATA "error: \\{.*UNC", 1, "disk.medium_errors", KT_ATA,
	    KS_WARNING, "uncorrectable reads (UNC)" },
	{ "failed command: ", ATA "failed command: ", 1, "disk.io_error_log",
	    KT_ATA, KS_WARNING, "failed ATA commands" },
	/* block layer, SCSI */
	{ "critical medium error, dev ", "critical medium error, dev "
	    "([a-z0-9]+), sector", 1, "disk.medium_errors", KT_BLOCK,
	    KS_WARNING, "medium errors" },
	{ "error, dev ", "(I/O|timeout|critical target|recoverable transport|"
	    "critical nexus|protection|critical space allocation) error, dev "
	    "([a-z0-9]+), sector", 2, "disk.io_error_log", KT_BLOCK, KS_WARNING,
	    "I/O errors" },
	{ "Medium Error", "^sd [0-9:]+: \\[([a-z]+)\\].*Sense Key : Medium "
	    "Error", 1, "disk.medium_errors", KT_BLOCK, KS_WARNING,
	    "medium errors" },
	{ "Unrecovered read error", "^sd [0-9:]+: \\[([a-z]+)\\].*"
	    "Unrecovered read error", 1, "disk.medium_errors", KT_BLOCK,
	    KS_WARNING, "medium errors" },
	{ "rejecting I/O to offline device", "^sd ([0-9]+:[0-9]+:[0-9]+:"
	    "[0-9]+): rejecting I/O to offline device", 1, "disk.rejected_io",
	    KT_SCSI, KS_CRITICAL, "I/O rejected, device offline" },
	{ "Buffer I/O error on dev ", "Buffer I/O error on dev ([a-z0-9]+),",
	    1, "disk.io_error_log", KT_BLOCK, KS_WARNING, "I/O errors" },
	/* NVMe */
	{ "Unrecovered Read Error", "^(nvme[0-9]+n[0-9]+): .*Unrecovered Read "
	    "Error", 1, "disk.medium_errors", KT_BLOCK, KS_WARNING,
	    "medium errors" },
	{ "(sct 0x", "^(nvme[0-9]+n[0-9]+): .*\\(sct 0x", 1,
	    "disk.io_error_log", KT_BLOCK, KS_WARNING, "I/O errors" },
	{ "timeout, ", "^nvme (nvme[0-9]+): I/O .*timeout, ", 1,
	    "disk.nvme_timeouts", KT_NVME, KS_WARNING, "command timeouts" },
	{ "controller is down; will reset", "^nvme (nvme[0-9]+): controller is "
	    "down; will reset", 1, "disk.nvme_resets", KT_NVME, KS_CRITICAL,
	    "controller resets" },
	{ "Removing after probe failure", "^nvme (nvme[0-9]+): Removing after "
	    "probe failure", 1, "disk.nvme_resets", KT_NVME, KS_CRITICAL,
	    "removals after a failed reset" },
	/* md */
	{ "Disk failure on ", "^md/raid[0-9]*:[a-z0-9_]+: Disk failure on "
	    "([a-z0-9]+), disabling device", 1, "disk.raid_member_failed",
	    KT_BLOCK, KS_CRITICAL, "md disabled it" },
	/* machine checks, memory, PCIe, thermal */
	{ "Machine check events logged", "Machine check events logged", 0,
	    "cpu.mce", KT_HOST, KS_WARNING, "machine check events" },
	{ " UE ", "^EDAC MC([0-9]+): [0-9]+ UE ", 1, "memory.edac_ue", KT_MC,
	    KS_CRITICAL, "uncorrected memory errors" },
	{ " CE ", "^EDAC MC([0-9]+): [0-9]+ CE ", 1, "memory.edac_ce", KT_MC,
	    KS_WARNING, "corrected memory errors" },
	{ "PCIe Bus Error: severity=Uncorrect", DRV PCI ": PCIe Bus Error: "
	    "severity=Uncorrect", 1, "pcie.aer_uncorrected", KT_PCI,
	    KS_CRITICAL, "uncorrected PCIe errors" },
	{ "PCIe Bus Error: severity=Correct", DRV PCI ": PCIe Bus Error: "
	    "severity=Correct", 1, "pcie.aer_corrected", KT_PCI, KS_WARNING,
	    "corrected PCIe errors" },
	{ "temperature above threshold", "^CPU[0-9]+: (Core|Package) "
	    "temperature above threshold, cpu clock throttled", 0,
	    "cpu.thermal_throttle", KT_HOST, KS_WARNING, "thermal throttling" },
	/* NICs */
	{ "NETDEV WATCHDOG: ", "^NETDEV WATCHDOG: ([^ ]+) \\(", 1,
	    "net.tx_timeout", KT_NET, KS_WARNING, "transmit timeouts" },
	{ "NETDEV WATCHDOG: CPU", DRV "[0-9a-f:.]+ ([a-z0-9_.@-]+): NETDEV "
	    "WATCHDOG: CPU", 1, "net.tx_timeout", KT_NET, KS_WARNING,
	    "transmit timeouts" },
	{ "Detected Hardware Unit Hang", DRV "[0-9a-f:.]+ ([a-z0-9_.@-]+): "
	    "Detected Hardware Unit Hang", 1, "net.tx_timeout", KT_NET,
	    KS_WARNING, "transmit hangs" },
	/* file systems */
	{ "Remounting filesystem read-only", "^EXT[234]-fs \\(" FSDEV "\\): "
	    "Remounting filesystem read-only", 1, "fs.readonly", KT_FS,
	    KS_CRITICAL, "remounted read-only after errors" },
	{ "-fs error (device ", "^EXT[234]-fs error \\(device " FSDEV "\\)", 1,
	    "fs.errors", KT_FS, KS_CRITICAL, "file system errors" },
	{ "Filesystem has been shut down", "^XFS \\(" FSDEV "\\): Filesystem "
	    "has been shut down", 1, "fs.readonly", KT_FS, KS_CRITICAL,
	    "shut down after errors" },
	{ "XFS (", "^XFS \\(" FSDEV "\\): (metadata I/O error|Corruption "
	    "(of in-memory data|detected)|.*[Cc]orrupt)", 1, "fs.errors", KT_FS,
	    KS_CRITICAL, "file system errors" },
	{ "forced readonly", "^BTRFS [a-z]+ \\(device " FSDEV "[^)]*\\): "
	    "forced readonly", 1, "fs.readonly", KT_FS, KS_CRITICAL,
	    "forced read-only after errors" },
	{ " errs: ", "^BTRFS [a-z]+ \\(device " FSDEV "[^)]*\\): bdev .* "
	    "errs: ", 1, "fs.errors", KT_FS, KS_CRITICAL, "device errors" },
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
		if (c == '\\' && i + 3 < len + 0 && src[i + 1] == 'x' &&
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
	uint64_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*p = s;
	*ret = v;
	return true;
}

int
kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *r)
{
	const char *p = buf, *end = buf + len, *semi, *nl, *line;
	uint64_t pri;

	memset(r, 0, sizeof(*r));
	semi = memchr(buf, ';', len);
	if (semi == NULL || !number(&p, semi, &pri) || pri > 1023 ||
	    p >= semi || *p++ != ',' || !number(&p, semi, &r->seq) ||
	    p >= semi || *p++ != ',' || !number(&p, semi, &r->ts_usec) ||
	    p >= semi || *p++ != ',')
		return -EINVAL;
	/* Flags: '-' none, 'c' continuation (old kernels), '+' fragment. */
	r->continuation = *p == 'c';
	r->level = (unsigned)(pri & 7);
	r->facility = (unsigned)(pri >> 3);
	p = semi + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		nl = end;
	copy_text(r->text, sizeof(r->text), p, (size_t)(nl - p));
	/* The dictionary: " KEY=VALUE" lines. */
	for (line = nl; line < end; line = nl) {
		line++;
		if (line >= end || *line != ' ')
			break;
		line++;
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - line) > 10 && memcmp(line, "SUBSYSTEM=",
		    10) == 0)
			copy_text(r->subsystem, sizeof(r->subsystem), line + 10,
			    (size_t)(nl - line) - 10);
		else if ((size_t)(nl - line) > 7 && memcmp(line, "DEVICE=", 7) ==
		    0)
			copy_text(r->device, sizeof(r->device), line + 7,
			    (size_t)(nl - line) - 7);
	}
	return 0;
}
