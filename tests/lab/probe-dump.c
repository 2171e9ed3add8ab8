/*
 * Lab tool: run one probe-helper request on a device of the guest and print
 * what came back, decoded — ATA through libatasmart's blob loader, NVMe as
 * the SMART log's first fields.  Exit status: 0, or the request's errno.
 *   probe-dump ata sda | nvme nvme0 | open vda [deadline_ms]
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atasmart.h>

#include "forewarn/loop.h"
#include "forewarn/probe.h"

static int result = -1;

static void
print_ata(const struct fw_probe_reply *r)
{
	const SkIdentifyParsedData *id;
	SkSmartOverall overall;
	uint64_t mkelvin, bad;
	SkBool good;
	SkDisk *d;

	if (sk_disk_open(NULL, &d) < 0 || sk_disk_set_blob(d, r->data, r->len) < 0) {
		printf("{\"error\": \"libatasmart rejected the blob\"}\n");
		result = EINVAL;
		return;
	}
	printf("{\"blob_bytes\": %u", r->len);
	if (sk_disk_identify_parse(d, &id) == 0)
		printf(", \"model\": \"%s\", \"serial\": \"%s\", \"firmware\": "
		    "\"%s\"", id->model, id->serial, id->firmware);
	if (sk_disk_smart_status(d, &good) == 0)
		printf(", \"smart_status_good\": %d", good ? 1 : 0);
	if (sk_disk_smart_parse(d, &(const SkSmartParsedData *){ NULL }) == 0) {
		if (sk_disk_smart_get_overall(d, &overall) == 0)
			printf(", \"overall\": \"%s\"",
			    sk_smart_overall_to_string(overall));
		if (sk_disk_smart_get_temperature(d, &mkelvin) == 0)
			printf(", \"temperature_mkelvin\": %llu",
			    (unsigned long long)mkelvin);
		if (sk_disk_smart_get_bad(d, &bad) == 0)
			printf(", \"bad_sectors\": %llu", (unsigned long long)bad);
	}
	printf("}\n");
	sk_disk_free(d);
}

static void
on_reply(const struct fw_probe_reply *r, void *arg)
{
	const char *op = arg;

	result = -r->status;
	if (r->status < 0) {
		printf("{\"status\": %d, \"error\": \"%s\"}\n", r->status,
		    strerror(-r->status));
		return;
	}
	if (strcmp(op, "ata") == 0)
		print_ata(r);
	else if (strcmp(op, "nvme") == 0)
		printf("{\"critical_warning\": %u, \"temperature_kelvin\": %u, "
		    "\"avail_spare\": %u, \"percent_used\": %u}\n", r->data[0],
		    r->data[1] | r->data[2] << 8, r->data[3], r->data[5]);
	else
		printf("{\"status\": 0}\n");
}

int
main(int argc, char **argv)
{
	struct fw_loop *loop;
	struct fw_probe *p;
	enum fw_probe_op op;

	if (argc < 3) {
		fprintf(stderr, "usage: probe-dump ata|nvme|open DEV [ms]\n");
		return 2;
	}
	op = strcmp(argv[1], "ata") == 0 ? FW_PROBE_ATA_SMART :
	    strcmp(argv[1], "nvme") == 0 ? FW_PROBE_NVME_SMART_LOG :
	    FW_PROBE_OPEN;
	loop = loop_new();
	p = probe_new(loop);
	if (probe_submit(p, op, argv[2], argc > 3 ? (uint32_t)strtoul(argv[3],
	    NULL, 10) : 10000, on_reply, argv[1]) < 0)
		return 2;
	while (result < 0)
		loop_run_once(loop, -1);
	probe_free(p);
	loop_free(loop);
	return result;
}
