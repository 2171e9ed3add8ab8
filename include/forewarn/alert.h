/*
 * What the alerting sinks share: an event record as an alert (labels,
 * annotations, startsAt, endsAt, as Alertmanager and its webhook receivers
 * know them), the set of alerts a sink keeps so a resolved alert keeps its
 * start and severity, a receiver's HTTP answer as a delivery outcome, and
 * secrets read from files.
 */
#ifndef FOREWARN_ALERT_H
#define FOREWARN_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct fw_http_result;

/* One condition (one fingerprint) as an alert. */
struct fw_alert {
	char		*fingerprint;
	json_t		*labels;	/* as last sent: the identity */
	json_t		*annotations;
	char		 starts[32];
	bool		 resolved;
	int64_t		 resolved_ms;	/* its endsAt when resolved */
	struct fw_alert	*next;
};

/* A sink's alerts by fingerprint, newest first. */
struct fw_alert_set {
	struct fw_alert	*head;
};

/* How an alert is written out. */
struct fw_alert_fmt {
	/* endsAt of an active alert; 0: "0001-01-01T00:00:00Z", no end. */
	int64_t		 ends_ms;
	/*
	 * An active alert whose labels change (an escalation) is first sent
	 * resolved under its old labels: Alertmanager's identity of an alert
	 * is its label set, and the old one would linger until its endsAt.
	 */
	bool		 end_old;
	/* The webhook body's alert: status, generatorURL and fingerprint. */
	bool		 webhook;
	const char	*generator_url;	/* NULL: "" */
};

/* A string member of o, "" when absent or not a string. */
const char	*alert_jstr(const json_t *o, const char *key);

/* The alert as JSON with the given labels (a->labels or an old set). */
json_t	*alert_json(const struct fw_alert *a, const json_t *labels,
	    bool resolved, const struct fw_alert_fmt *fmt);

/*
 * Take an event record into the set.  Returns the alerts to send for it (the
 * alert's new state, preceded by its old label set resolved when fmt->end_old
 * and the labels changed), or NULL when the record is not an event (no
 * fingerprint, entity, check or state).  Taking the same event twice gives
 * the same alerts.
 */
json_t	*alert_set_take(struct fw_alert_set *set, const json_t *ev,
	    int64_t now_ms, const struct fw_alert_fmt *fmt);
struct fw_alert	*alert_set_find(const struct fw_alert_set *set,
		    const char *fingerprint);
/* Drop the alerts resolved more than keep_ms before now_ms. */
void	alert_set_expire(struct fw_alert_set *set, int64_t now_ms,
	    int64_t keep_ms);
void	alert_set_clear(struct fw_alert_set *set);

/*
 * An HTTP receiver's answer as deliver() would return it: 2xx 0; a transport
 * error its -errno; 429, 5xx or no status -EAGAIN (retried); any other
 * answer -EINVAL (we sent something it will not take: not retried).
 */
int	alert_http_rc(const struct fw_http_result *res);

/*
 * A secret from a file: its first line, malloc'ed into *ret.  Never logged;
 * a file readable by everyone is warned about.  0, or -errno (logged, with
 * the sink's name) when the file cannot be read or is empty.
 */
int	alert_read_secret(const char *sink, const char *path, char **ret);
/* Wipe and free a secret; NULL is a no-op. */
void	alert_free_secret(char *secret);

/*
 * An HTTP sink's credentials and TLS settings: the keys every such sink
 * takes (put FW_HTTP_AUTH_KEYS in its key table), read once at start.
 */
struct fw_http_auth {
	char	*bearer, *user, *password, *ca_file;
	bool	 insecure;
};

#define FW_HTTP_AUTH_KEYS						\
	{ "bearer_token_file", FW_CONF_PATH, NULL, 0, 0, NULL,		\
	    "a file holding a bearer token" },				\
	{ "basic_auth_user", FW_CONF_STRING, NULL, 0, 0, NULL,		\
	    "basic auth user" },					\
	{ "basic_auth_password_file", FW_CONF_PATH, NULL, 0, 0, NULL,	\
	    "a file holding the basic auth password" },			\
	{ "ca_file", FW_CONF_PATH, NULL, 0, 0, NULL,			\
	    "CA certificates for https, instead of the system's" },	\
	{ "tls_verify", FW_CONF_BOOL, "yes", 0, 0, NULL,		\
	    "verify the server's certificate and name" }

struct fw_conf_section;
struct fw_conf_key;
struct fw_http_request;

/* 0, or -EINVAL when a secret file cannot be read (said in the log). */
int	alert_http_auth_read(const char *sink, const struct fw_conf_section *cs,
	    const struct fw_conf_key *keys, struct fw_http_auth *ret);
void	alert_http_auth_apply(const struct fw_http_auth *a,
	    struct fw_http_request *req);
void	alert_http_auth_free(struct fw_http_auth *a);

#endif
