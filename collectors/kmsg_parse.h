/*
 * The kernel log: /dev/kmsg records (Documentation/ABI/testing/dev-kmsg) and
 * the table of classifiers that turns a message into a check on a part.
 * Pure functions, for the unit tests and the fuzzer.
 */
#ifndef KMSG_PARSE_H
#define KMSG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSG_TEXT_MAX	512

struct kmsg_record {
	unsigned	level;		/* 0 emerg .. 7 debug */
	unsigned	facility;	/* 0 kernel; user space writes others */
	uint64_t	seq;
	uint64_t	ts_usec;	/* since boot */
	bool		continuation;	/* flags 'c' (old kernels) */
	bool		fragment;	/* flags '+': a later piece (old) */
	char		text[KMSG_TEXT_MAX];	/* unescaped \xNN, printable */
	char		subsystem[32];	/* SUBSYSTEM= of the dictionary */
	char		device[64];	/* DEVICE= */
};

/*
 * One record as read(2) from /dev/kmsg returns it: "PRI,SEQ,TS,FLAGS[,..];
 * TEXT\n" then dictionary lines " KEY=VALUE\n".  0, or -EINVAL when the
 * prefix is not that (the text is not looked at then, and *ret is left
 * alone).  Text and values are unescaped and cut to their fields.
 */
int	kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *ret);

/* Where a classified message points: which part, named how. */
enum kmsg_target {
	KT_HOST,	/* the machine itself: MCE, thermal */
	KT_ATA,		/* an ATA port number: the disk on it */
	KT_BLOCK,	/* a block device name: sda, sda1, nvme0n1 */
	KT_NVME,	/* an NVMe controller: nvme0 */
	KT_FS,		/* a file system by its device: sda1, dm-0 */
	KT_NET,		/* a network interface: eth0 */
	KT_PCI,		/* a PCI address: the disk or NIC behind it, else host */
	KT_MC,		/* an EDAC memory controller number */
	KT_SCSI,	/* a SCSI address H:C:T:L: the disk on it */
};

struct kmsg_rule {
	const char	*needle;	/* literal that must occur: cheap pre-filter */
	const char	*regex;		/* POSIX ERE */
	int		 group;		/* its group naming the part; 0: none */
	const char	*code;		/* the check (its thresholds: kmsg.c) */
	enum kmsg_target target;
	const char	*what;		/* "link resets": for the summary */
};

/* The table (kmsg_parse.c), ended by { NULL }. */
extern const struct kmsg_rule kmsg_rules[];

struct kmsg_classifier;

/* Compile the table.  NULL when a pattern does not compile (a bug). */
struct kmsg_classifier *kmsg_classifier_new(void);
void	kmsg_classifier_free(struct kmsg_classifier *k);

struct kmsg_match {
	const struct kmsg_rule *rule;
	char		part[64];	/* "3", "sda", "0000:03:00.0"; "" */
};

/* The first rule text matches, or false. */
bool	kmsg_classify(const struct kmsg_classifier *k, const char *text,
	    struct kmsg_match *ret);

#endif
