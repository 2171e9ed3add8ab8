/*
 * What the journal and syslog sinks put on the wire, apart from the sockets
 * so it can be unit-tested: journald's native field encoding and RFC 5424.
 */
#ifndef FOREWARN_SINKFMT_H
#define FOREWARN_SINKFMT_H

#include <stddef.h>
#include <stdio.h>

/* 32 lower-case hex digits plus NUL. */
#define FW_MESSAGE_ID_LEN 32

/*
 * The journal MESSAGE_ID of a check code: a UUIDv8 (RFC 9562) from FNV-1a
 * 64 of "forewarn/" CODE, then FNV-1a 64 of the same text seeded with that
 * first half; version 8 and variant bits set (docs/alerting.md).
 */
void	journal_message_id(const char *check,
	    char ret[FW_MESSAGE_ID_LEN + 1]);
/*
 * One field in the native protocol: NAME=value\n, or, when the value holds
 * a newline (or any byte below 0x20 but tab), NAME\n, its length as 64-bit
 * little-endian, the value and \n.
 */
void	journal_put_field(FILE *f, const char *name, const char *value,
	    size_t len);
/* The whole datagram for an event; malloc'ed, NULL when not an event. */
char	*journal_format_event(const char *json, size_t len,
	    size_t *ret_len);
/* PRIORITY of a state: critical 2, warning and unknown 4, ok 6. */
int	journal_priority(const char *state);

/* An SD-PARAM value escaped per RFC 5424 §6.3.3: '"', '\' and ']'. */
void	syslog_put_param_value(FILE *f, const char *s);
/*
 * The RFC 5424 message for an event (no framing), malloc'ed; NULL when
 * the JSON is not an event.  facility is the number (daemon = 3).
 */
char	*syslog_format_event(const char *json, size_t len, int facility,
	    long pid, size_t *ret_len);

#endif
