/* The one-shot report of --once: a readable table, one JSON document, or a monitoring-plugin line. */
#ifndef FOREWARN_OUTPUT_H
#define FOREWARN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "forewarn/model.h"

struct fw_inventory;

enum fw_format {
	FW_FORMAT_TEXT,
	FW_FORMAT_JSON,
	FW_FORMAT_NAGIOS,
};

int	output_format_from_name(const char *name, enum fw_format *ret);
/*
 * Print every entity with its checks and readings.  Returns the overall
 * state, which is also the exit code: 0 ok, 1 warning, 2 critical,
 * 3 unknown.
 */
enum fw_state	output_report(struct fw_inventory *inv, const char *host,
		    int64_t time_ms, enum fw_format fmt, FILE *out);

#endif
