/*
 * The webhook sink's pure pieces, apart so they can be unit-tested: the
 * signature (HMAC-SHA256 through libcrypto), the Alertmanager webhook body
 * and the PagerDuty Events API v2 event.  docs/alerting.md documents them.
 */
#ifndef FOREWARN_WEBHOOK_H
#define FOREWARN_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define WEBHOOK_SIG_HEADER	"X-Forewarn-Signature"
#define WEBHOOK_TS_HEADER	"X-Forewarn-Timestamp"
/* "sha256=" and 64 hex digits. */
#define WEBHOOK_SIG_LEN		(7 + 64)

/* HMAC-SHA256 of data under key as 64 lower-case hex digits: 0 or -EIO. */
int	webhook_hmac_hex(const void *key, size_t key_len, const void *data,
	    size_t len, char ret[65]);

/*
 * The signature header's value for body sent at ts (Unix seconds):
 * "sha256=" and the hex HMAC-SHA256, under key, of the decimal ts, a ".",
 * and the body's exact bytes.  0 or -EIO.
 */
int	webhook_signature(const void *key, size_t key_len, int64_t ts,
	    const char *body, size_t len, char ret[WEBHOOK_SIG_LEN + 1]);

/*
 * The Alertmanager webhook body (version "4") around alerts (as
 * alert_set_take writes them in the webhook form, at least one): status
 * firing when any alert fires, the group by alertname, host and entity.
 * Steals no reference.
 */
json_t	*webhook_body(const char *receiver, const char *external_url,
	    json_t *alerts);

/*
 * The PagerDuty Events API v2 event for an event record: trigger for a bad
 * state, resolve for ok, dedup_key the fingerprint.  NULL when the record
 * is not an event.
 */
json_t	*webhook_pagerduty(const json_t *ev, const char *routing_key);

#endif
