/*
 * Event records in schema v1 (docs/events.md): one JSON object per event,
 * built with jansson so every string is escaped correctly.
 */
#ifndef FOREWARN_EVENTS_H
#define FOREWARN_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "forewarn/health.h"
#include "forewarn/inventory.h"
#include "forewarn/model.h"

#define FW_EVENT_SCHEMA 1

struct fw_event_input {
	const char			*host;
	const struct fw_entity		*entity;
	const char			*check;
	const struct fw_transition	*tr;
	const struct fw_check		*result;	/* may be NULL */
	const struct fw_check_params	*params;	/* may be NULL */
	int64_t				 time_ms;
};

/* 16 lower-case hex digits of FNV-1a 64 over host, entity key and check. */
#define FW_FINGERPRINT_LEN 16
void	event_fingerprint(const char *host, const char *entity_key,
	    const char *check, char ret[FW_FINGERPRINT_LEN + 1]);

/* RFC 3339 UTC with milliseconds: "2026-11-23T23:39:31.042Z". */
void	event_format_time(int64_t time_ms, char ret[32]);
/* That form (fraction optional, Z only) back to ms; -1 when it is not. */
int64_t	event_parse_time(const char *s);

/*
 * The event as compact JSON (no newline), malloc'ed; *ret_len gets its
 * length.  ret_fingerprint (may be NULL) gets the fingerprint.
 */
char	*event_build(const struct fw_event_input *in, size_t *ret_len,
	    char ret_fingerprint[FW_FINGERPRINT_LEN + 1]);

/*
 * JSON pieces shared with the --once report.  json_text never fails: bytes
 * that are not UTF-8 become U+FFFD.  json_number returns NULL for values
 * that are not finite (JSON has no NaN); integral values become integers.
 */
json_t	*json_text(const char *s);
json_t	*json_number(double v);
json_t	*json_entity_labels(const struct fw_entity *e);
json_t	*json_entity_related(const struct fw_entity *e);

#endif
