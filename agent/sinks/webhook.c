/*
 * The webhook sink: each event POSTed as JSON through libcurl in the loop,
 * either in Alertmanager's webhook body (so receivers written for
 * Alertmanager work unchanged) signed with HMAC-SHA256 over a timestamp and
 * the exact body bytes, or as a PagerDuty Events API v2 event.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "forewarn/alert.h"
#include "forewarn/clock.h"
#include "forewarn/http.h"
#include "forewarn/events.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/util.h"
#include "forewarn/webhook.h"

#define WH_PAGERDUTY_URL	"https://events.pagerduty.com/v2/enqueue"
#define WH_PD_SUMMARY_MAX	1024	/* PagerDuty's limit */
/* A resolved alert is remembered this long, for a retried resolution. */
#define WH_RESOLVED_KEEP_MS	(60 * 60 * 1000)

struct wh_sink {
	char		 name[64];
	struct fw_sink	*sink;
	struct fw_http	*http;
	bool		 pagerduty;
	char		*url, *external_url;
	char		*secret, *routing_key;
	struct fw_http_auth auth;
	int64_t		 timeout_ms;
	bool		 failing;	/* the last attempt was not answered */
	bool		 closing;	/* in teardown: answers are cancels */
	struct fw_alert_set alerts;	/* for startsAt of a resolution */
	struct fw_loop	*loop;
	char		 host[128];
	int64_t		 heartbeat_ms;	/* 0: off */
	int64_t		 started_ms;
	fw_timer_id	 heartbeat_timer;
};

struct wh_req {
	struct wh_sink	*wh;
	int64_t		 seq;
};

static const char *const wh_modes[] = { "alertmanager", "pagerduty", NULL };

static const struct fw_conf_key wh_keys[] = {
	{ "mode", FW_CONF_ENUM, "alertmanager", 0, 0, wh_modes,
	    "alertmanager: Alertmanager's webhook body; pagerduty: PagerDuty "
	    "Events API v2" },
	{ "url", FW_CONF_STRING, NULL, 0, 0, NULL, "where to POST (pagerduty: "
	    "default " WH_PAGERDUTY_URL ")" },
	{ "secret_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file holding the HMAC-SHA256 key that signs every body" },
	{ "routing_key_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "pagerduty: a file holding the integration's routing key" },
	{ "external_url", FW_CONF_STRING, "", 0, 0, NULL,
	    "the body's externalURL (a link for people)" },
	{ "timeout", FW_CONF_DURATION, "10s", 1000, 300000, NULL,
	    "one request" },
	FW_HTTP_AUTH_KEYS,
	{ "heartbeat", FW_CONF_DURATION, "1m", 0, 86400000, NULL,
	    "mode alertmanager: POST the always-firing agent.heartbeat this "
	    "often, for a dead man's switch (0: off; never in mode pagerduty)" },
	{ .name = NULL }
};

int
webhook_hmac_hex(const void *key, size_t key_len, const void *data,
    size_t len, char ret[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (key_len > (size_t)INT_MAX || HMAC(EVP_sha256(), key,
	    (int)key_len, data, len, mac, &n) == NULL || n != 32)
		return -EIO;
	for (i = 0; i < n; i++) {
		ret[2 * i] = hex[mac[i] >> 4];
		ret[2 * i + 1] = hex[mac[i] & 0xf];
	}
	ret[64] = '\0';
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

int
webhook_signature(const void *key, size_t key_len, int64_t ts,
    const char *body, size_t len, char ret[WEBHOOK_SIG_LEN + 1])
{
	char prefix[32], hexs[65], *msg;
	size_t plen;
	int rc;

	fw_snprintf(prefix, sizeof(prefix), "%lld.", (long long)ts);
	plen = strlen(prefix);
	msg = xmalloc(plen + len + 1);
	memcpy(msg, prefix, plen);
	memcpy(msg + plen, body, len);
	rc = webhook_hmac_hex(key, key_len, msg, plen + len, hexs);
	free(msg);
	if (rc < 0)
		return rc;
	memcpy(ret, "sha256=", 7);
	memcpy(ret + 7, hexs, 65);
	return 0;
}

/* The labels (or annotations) every alert has with the same value. */
static json_t *
common_of(json_t *alerts, const char *member)
{
	json_t *common, *a, *v, *w;
	const char *k;
	void *tmp;
	size_t i;

	common = json_deep_copy(json_object_get(json_array_get(alerts, 0),
	    member));
	if (!json_is_object(common)) {
		json_decref(common);
		return json_object();
	}
	json_array_foreach(alerts, i, a) {
		json_object_foreach_safe(common, tmp, k, v) {
			w = json_object_get(json_object_get(a, member), k);
			if (w == NULL || !json_equal(v, w))
				json_object_del(common, k);
		}
	}
	return common;
}

/* Alertmanager's form of a group key: {}:{name="value", ...} by name. */
static json_t *
group_key(const json_t *group)
{
	static const char *const names[] = { "alertname", "entity_id",
	    "entity_kind", "host" };
	size_t i, o, cap = 8;
	const char *p;
	json_t *key;
	char *buf;

	for (i = 0; i < FW_ARRAY_SIZE(names); i++)
		cap += strlen(names[i]) + 2 * strlen(alert_jstr(group,
		    names[i])) + 6;
	buf = xmalloc(cap);
	memcpy(buf, "{}:{", 4);
	o = 4;
	for (i = 0; i < FW_ARRAY_SIZE(names); i++) {
		o += (size_t)snprintf(buf + o, cap - o, "%s%s=\"",
		    i > 0 ? ", " : "", names[i]);
		for (p = alert_jstr(group, names[i]); *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf[o++] = '\\';
			buf[o++] = *p;
		}
		buf[o++] = '"';
	}
	buf[o++] = '}';
	buf[o] = '\0';
	key = json_string(buf);
	free(buf);
	return key;
}

json_t *
webhook_body(const char *receiver, const char *external_url, json_t *alerts)
{
	json_t *o = json_object(), *group, *last, *a;
	const char *status = "resolved";
	static const char *const by[] = { "alertname", "host", "entity_kind",
	    "entity_id" };
	size_t i;

	json_array_foreach(alerts, i, a)
		if (strcmp(alert_jstr(a, "status"), "firing") == 0)
			status = "firing";
	last = json_object_get(json_array_get(alerts,
	    json_array_size(alerts) - 1), "labels");
	group = json_object();
	for (i = 0; i < FW_ARRAY_SIZE(by); i++)
		json_object_set_new(group, by[i], json_string(alert_jstr(last,
		    by[i])));
	json_object_set_new(o, "version", json_string("4"));
	json_object_set_new(o, "groupKey", group_key(group));
	json_object_set_new(o, "truncatedAlerts", json_integer(0));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "receiver", json_string(receiver));
	json_object_set_new(o, "groupLabels", group);
	json_object_set_new(o, "commonLabels", common_of(alerts, "labels"));
	json_object_set_new(o, "commonAnnotations", common_of(alerts,
	    "annotations"));
	json_object_set_new(o, "externalURL", json_string(external_url != NULL ?
	    external_url : ""));
	json_object_set(o, "alerts", alerts);
	return o;
}

/* At most max bytes of s, not cutting a UTF-8 sequence. */
static json_t *
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

json_t *
webhook_pagerduty(const json_t *ev, const char *routing_key)
{
	const json_t *ent = json_object_get(ev, "entity");
	const char *state = alert_jstr(ev, "state");
	const char *sev = alert_jstr(ev, "severity");
	json_t *o, *p, *details;

	if (alert_jstr(ev, "fingerprint")[0] == '\0' || !json_is_object(ent) ||
	    alert_jstr(ev, "check")[0] == '\0' || state[0] == '\0')
		return NULL;
	o = json_object();
	json_object_set_new(o, "routing_key", json_string(routing_key));
	json_object_set_new(o, "event_action", json_string(strcmp(state,
	    "ok") == 0 ? "resolve" : "trigger"));
	json_object_set_new(o, "dedup_key", json_string(alert_jstr(ev,
	    "fingerprint")));
	if (strcmp(state, "ok") == 0)
		return o;	/* a resolve needs no payload */
	p = json_object();
	json_object_set_new(p, "summary", utf8_cut(alert_jstr(ev, "summary"),
	    WH_PD_SUMMARY_MAX));
	json_object_set_new(p, "source", json_string(alert_jstr(ev, "host")));
	json_object_set_new(p, "severity", json_string(strcmp(sev,
	    "critical") == 0 || strcmp(sev, "warning") == 0 ? sev : "info"));
	if (alert_jstr(ev, "time")[0] != '\0')
		json_object_set_new(p, "timestamp", json_string(alert_jstr(ev,
		    "time")));
	json_object_set_new(p, "component", json_string(alert_jstr(ent,
	    "name")[0] != '\0' ? alert_jstr(ent, "name") : alert_jstr(ent,
	    "id")));
	json_object_set_new(p, "group", json_string(alert_jstr(ent, "kind")));
	json_object_set_new(p, "class", json_string(alert_jstr(ev, "check")));
	details = json_object_get(ev, "details");
	json_object_set_new(p, "custom_details", json_is_object(details) ?
	    json_deep_copy(details) : json_object());
	json_object_set_new(o, "payload", p);
	json_object_set_new(o, "client", json_string("forewarn"));
	return o;
}

static void
on_answer(const struct fw_http_result *res, void *arg)
{
	struct wh_req *r = arg;
	struct wh_sink *wh = r->wh;
	int rc = alert_http_rc(res);
	char said[301];

	if (wh->closing) {
		free(r);
		return;
	}
	/* A refusal is said every time; an outage when it starts. */
	if (rc == -EINVAL) {
		fw_sanitize(said, sizeof(said), res->body, res->body_len);
		log_warnx("sink %s: %s refused the event (HTTP %ld): %s",
		    wh->name, wh->url, res->status, said);
	} else if (rc < 0 && !wh->failing)
		log_warnx("sink %s: %s: %s", wh->name, wh->url, res->err < 0 ?
		    res->what : res->status == 429 ? "answered 429, throttled" :
		    "answered 5xx");
	else if (rc == 0 && wh->failing)
		log_info("sink %s: %s takes events again", wh->name, wh->url);
	wh->failing = rc < 0 && rc != -EINVAL;
	if (r->seq > 0)
		outbox_done(wh->sink, r->seq, rc);	/* 0: a heartbeat */
	free(r);
}

/* POST body, signed when there is a secret; 0 or -errno. */
static int
post(struct wh_sink *wh, int64_t seq, const char *body, size_t len)
{
	char ts_h[64], sig_h[WEBHOOK_SIG_LEN + 64], sig[WEBHOOK_SIG_LEN + 1];
	const char *headers[3] = { NULL, NULL, NULL };
	struct fw_http_request req;
	struct wh_req *r;
	int64_t ts = clock_wall_ms() / 1000;
	int rc;

	if (wh->secret != NULL) {
		if (webhook_signature(wh->secret, strlen(wh->secret), ts, body,
		    len, sig) < 0)
			return -EIO;
		fw_snprintf(ts_h, sizeof(ts_h), WEBHOOK_TS_HEADER ": %lld",
		    (long long)ts);
		fw_snprintf(sig_h, sizeof(sig_h), WEBHOOK_SIG_HEADER ": %s",
		    sig);
		headers[0] = ts_h;
		headers[1] = sig_h;
	}
	memset(&req, 0, sizeof(req));
	req.url = wh->url;
	req.body = body;
	req.body_len = len;
	req.headers = headers;
	req.timeout_ms = wh->timeout_ms;
	alert_http_auth_apply(&wh->auth, &req);
	r = xcalloc(1, sizeof(*r));
	r->wh = wh;
	r->seq = seq;
	if ((rc = http_request(wh->http, &req, on_answer, r)) < 0) {
		free(r);
		return rc == -EINVAL ? -EIO : rc;
	}
	return 0;
}

static void	wh_teardown(void *state);

/*
 * The always-firing agent.heartbeat, as the Alertmanager sink sends it:
 * its endsAt three intervals ahead, so a receiver that stops seeing it
 * (a dead man's switch) knows the agent or its path is gone.
 */
static void
heartbeat(void *arg)
{
	struct wh_sink *wh = arg;
	char starts[32], ends[32], *body;
	json_t *a, *labels, *ann, *alerts, *out;
	int64_t now = clock_wall_ms();

	wh->heartbeat_timer = loop_add_timer(wh->loop, wh->heartbeat_ms,
	    heartbeat, wh);
	event_format_time(wh->started_ms, starts);
	event_format_time(now + 3 * wh->heartbeat_ms, ends);
	labels = json_object();
	json_object_set_new(labels, "alertname",
	    json_string("agent.heartbeat"));
	json_object_set_new(labels, "severity", json_string("none"));
	json_object_set_new(labels, "host", json_string(wh->host));
	ann = json_object();
	json_object_set_new(ann, "summary", json_string("forewarnd on this "
	    "host is running and its events reach this receiver; this alert "
	    "always fires, its absence is the alarm"));
	a = json_object();
	json_object_set_new(a, "status", json_string("firing"));
	json_object_set_new(a, "labels", labels);
	json_object_set_new(a, "annotations", ann);
	json_object_set_new(a, "startsAt", json_string(starts));
	json_object_set_new(a, "endsAt", json_string(ends));
	json_object_set_new(a, "generatorURL", json_string(""));
	json_object_set_new(a, "fingerprint", json_string("heartbeat"));
	alerts = json_array();
	json_array_append_new(alerts, a);
	out = webhook_body(wh->name, wh->external_url, alerts);
	json_decref(alerts);
	if (out != NULL && (body = json_dumps(out, JSON_COMPACT)) != NULL) {
		post(wh, 0, body, strlen(body));
		free(body);
	}
	json_decref(out);
}

static struct fw_alert_fmt
wh_fmt(void)
{
	struct fw_alert_fmt fmt;

	/* One alert per event: its fingerprint is the identity here. */
	memset(&fmt, 0, sizeof(fmt));
	fmt.webhook = true;
	return fmt;
}

static int
rebuild_one(int64_t seq, const char *json, size_t len, void *arg)
{
	struct wh_sink *wh = arg;
	struct fw_alert_fmt fmt = wh_fmt();
	json_t *ev, *out;

	if (json == NULL || (ev = json_loadb(json, len, 0, NULL)) == NULL)
		return 0;
	if ((out = alert_set_take(&wh->alerts, ev, clock_wall_ms(),
	    &fmt)) != NULL)
		json_decref(out);
	json_decref(ev);
	return 0;
}

/* The secrets and TLS settings; 0 or -EINVAL (logged). */
static int
wh_init_auth(struct wh_sink *wh, const struct fw_conf_section *cs)
{
	const char *s;

	if ((s = conf_get_str(cs, wh_keys, "secret_file")) != NULL &&
	    alert_read_secret(wh->name, s, &wh->secret) < 0)
		return -EINVAL;
	if (wh->pagerduty) {
		if ((s = conf_get_str(cs, wh_keys, "routing_key_file")) ==
		    NULL) {
			log_warnx("sink %s: mode pagerduty needs "
			    "routing_key_file", wh->name);
			return -EINVAL;
		}
		if (alert_read_secret(wh->name, s, &wh->routing_key) < 0)
			return -EINVAL;
	}
	return alert_http_auth_read(wh->name, cs, wh_keys, &wh->auth);
}

static int
wh_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct wh_sink *wh = xcalloc(1, sizeof(*wh));
	const char *s;
	int rc = -EINVAL;

	fw_strlcpy(wh->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "webhook", sizeof(wh->name));
	wh->sink = env->sink;
	wh->pagerduty = strcmp(conf_get_str(cs, wh_keys, "mode"),
	    "pagerduty") == 0;
	wh->timeout_ms = (int64_t)conf_get_duration_ms(cs, wh_keys, "timeout");
	s = conf_get_str(cs, wh_keys, "url");
	if ((s == NULL || s[0] == '\0') && wh->pagerduty)
		s = WH_PAGERDUTY_URL;
	if (s == NULL || s[0] == '\0') {
		log_warnx("sink %s: no url", wh->name);
		goto fail;
	}
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) {
		log_warnx("sink %s: url %s is not http:// or https://",
		    wh->name, s);
		goto fail;
	}
	wh->url = xstrdup(s);
	s = conf_get_str(cs, wh_keys, "external_url");
	wh->external_url = xstrdup(s != NULL ? s : "");
	if ((rc = wh_init_auth(wh, cs)) < 0)
		goto fail;
	if (wh->secret == NULL && !wh->pagerduty)
		log_info("sink %s: no secret_file: bodies are not signed",
		    wh->name);
	if ((wh->http = http_new(env->loop)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* Where conditions started, for the startsAt of their resolution. */
	if (!wh->pagerduty && env->latest != NULL) {
		env->latest(env->latest_arg, rebuild_one, wh);
		alert_set_expire(&wh->alerts, clock_wall_ms(),
		    WH_RESOLVED_KEEP_MS);
	}
	wh->loop = env->loop;
	wh->started_ms = clock_wall_ms();
	fw_strlcpy(wh->host, env->host != NULL ? env->host : "",
	    sizeof(wh->host));
	wh->heartbeat_ms = wh->pagerduty ? 0 : (int64_t)conf_get_duration_ms(cs,
	    wh_keys, "heartbeat");
	if (wh->heartbeat_ms > 0)
		wh->heartbeat_timer = loop_add_timer(wh->loop, 0, heartbeat,
		    wh);
	*ret_state = wh;
	return 0;
fail:
	wh_teardown(wh);
	return rc;
}

/* The body for an event, malloc'ed, or NULL when it is not an event. */
static char *
wh_body(struct wh_sink *wh, const json_t *ev)
{
	struct fw_alert_fmt fmt = wh_fmt();
	int64_t now = clock_wall_ms();
	json_t *out, *alerts;
	char *body;

	if (wh->pagerduty)
		out = webhook_pagerduty(ev, wh->routing_key);
	else {
		if ((alerts = alert_set_take(&wh->alerts, ev, now, &fmt)) ==
		    NULL)
			return NULL;
		out = webhook_body(wh->name, wh->external_url, alerts);
		json_decref(alerts);
		alert_set_expire(&wh->alerts, now, WH_RESOLVED_KEEP_MS);
	}
	if (out == NULL)
		return NULL;
	body = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return body;
}

static int
wh_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct wh_sink *wh = state;
	json_error_t jerr;
	json_t *ev;
	char *body;
	int rc;

	if ((ev = json_loadb(json, len, 0, &jerr)) == NULL) {
		log_warnx("sink %s: event %lld is not JSON: %s", wh->name,
		    (long long)seq, jerr.text);
		return -EINVAL;
	}
	body = wh_body(wh, ev);
	json_decref(ev);
	if (body == NULL) {
		log_warnx("sink %s: event %lld lacks fingerprint, entity, check "
		    "or state", wh->name, (long long)seq);
		return -EINVAL;
	}
	rc = post(wh, seq, body, strlen(body));
	free(body);
	return rc < 0 ? rc : FW_SINK_PENDING;
}

static void
wh_teardown(void *state)
{
	struct wh_sink *wh = state;

	if (wh == NULL)
		return;
	if (wh->heartbeat_timer != 0)
		loop_del_timer(wh->loop, wh->heartbeat_timer);
	/* What is in flight ends with the client, each with -ECANCELED. */
	wh->closing = true;
	http_free(wh->http);
	alert_set_clear(&wh->alerts);
	free(wh->url);
	free(wh->external_url);
	alert_free_secret(wh->secret);
	alert_free_secret(wh->routing_key);
	alert_http_auth_free(&wh->auth);
	free(wh);
}

const struct fw_sink_type webhook_sink_type = {
	.type = "webhook",
	.keys = wh_keys,
	.init = wh_init,
	.deliver = wh_deliver,
	.teardown = wh_teardown,
};
