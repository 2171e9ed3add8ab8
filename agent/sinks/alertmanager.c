/*
 * The Alertmanager sink: API v2 (POST /api/v2/alerts) to every configured
 * instance, through libcurl in the loop.  Alertmanager forgets alerts when it
 * restarts and resolves those not refreshed before their endsAt, so every
 * active alert is sent again each resend interval with endsAt ahead, and a
 * resolved one is sent with endsAt at its resolution for a while after.  The
 * set is rebuilt at start from the newest event of every condition.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "forewarn/alert.h"
#include "forewarn/clock.h"
#include "forewarn/events.h"
#include "forewarn/http.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/util.h"

#define AM_URLS_MAX	8

struct am_post;

struct am_sink {
	char		 name[64];
	struct fw_loop	*loop;
	struct fw_sink	*sink;
	struct fw_http	*http;
	char		*urls[AM_URLS_MAX];
	bool		 url_failing[AM_URLS_MAX];
	size_t		 n_urls;
	int64_t		 timeout_ms, resend_ms, resolved_for_ms;
	struct fw_http_auth auth;
	struct fw_alert	 heartbeat;	/* labels NULL when off */
	struct fw_alert_set alerts;
	fw_timer_id	 timer;
	struct am_post	*posts;		/* event deliveries in flight */
};

/* One event's delivery: a POST to every instance, done when all answer. */
struct am_post {
	struct am_sink	*am;
	int64_t		 seq;		/* 0: a periodic re-send */
	size_t		 waiting;
	int		 rc;		/* worst so far */
	bool		 orphan;	/* the sink is gone */
	struct am_post	*next;
};

static const struct fw_conf_key am_keys[] = {
	{ "url", FW_CONF_LIST, NULL, 0, 0, NULL, "Alertmanager base URLs, "
	    "space-separated (every instance of an HA cluster): "
	    "http://127.0.0.1:9093" },
	{ "timeout", FW_CONF_DURATION, "10s", 1000, 300000, NULL,
	    "one request" },
	{ "resend", FW_CONF_DURATION, "1m", 1000, 3600000, NULL,
	    "re-send every active alert this often, endsAt three times ahead" },
	{ "resolved_for", FW_CONF_DURATION, "15m", 0, 86400000, NULL,
	    "keep sending a resolved alert for this long" },
	FW_HTTP_AUTH_KEYS,
	{ "heartbeat", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "send the always-firing agent.heartbeat alert (a dead man's "
	    "switch: when it stops, the agent or the path is down)" },
	{ .name = NULL }
};

/* The form of the alerts: endsAt three resend intervals ahead. */
static struct fw_alert_fmt
am_fmt(const struct am_sink *am, int64_t now)
{
	struct fw_alert_fmt fmt;

	memset(&fmt, 0, sizeof(fmt));
	fmt.ends_ms = now + 3 * am->resend_ms;
	fmt.end_old = true;
	return fmt;
}

/* Of two outcomes, the one the outbox must act on: retry beats reject. */
static int
worse(int a, int b)
{
	if (a == -EAGAIN || b == -EAGAIN || (a < 0 && a != -EINVAL) ||
	    (b < 0 && b != -EINVAL))
		return a < 0 && a != -EINVAL ? a : b < 0 && b != -EINVAL ? b :
		    -EAGAIN;
	return a < 0 ? a : b;
}

struct am_req {
	struct am_post	*post;
	size_t		 url;
};

static void
post_finish(struct am_post *p)
{
	struct am_sink *am = p->am;
	struct am_post **pp;

	if (!p->orphan) {
		for (pp = &am->posts; *pp != NULL; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		if (p->seq > 0)
			outbox_done(am->sink, p->seq, p->rc);
	}
	free(p);
}

static void
on_answer(const struct fw_http_result *res, void *arg)
{
	struct am_req *r = arg;
	struct am_post *p = r->post;
	struct am_sink *am = p->am;
	int rc = alert_http_rc(res);

	if (!p->orphan && res->err != -ECANCELED) {
		/* A refusal is said every time; an outage when it starts. */
		if (rc == -EINVAL)
			log_warnx("sink %s: %s refused the alerts (HTTP %ld): "
			    "%.300s", am->name, am->urls[r->url], res->status,
			    res->body);
		else if (rc < 0 && !am->url_failing[r->url])
			log_warnx("sink %s: %s: %s", am->name, am->urls[r->url],
			    res->err < 0 ? res->what : "answered 5xx or 429");
		else if (rc == 0 && am->url_failing[r->url])
			log_info("sink %s: %s takes alerts again", am->name,
			    am->urls[r->url]);
		am->url_failing[r->url] = rc < 0 && rc != -EINVAL;
	}
	p->rc = worse(p->rc, rc);
	free(r);
	if (--p->waiting == 0)
		post_finish(p);
}

/* POST body to every instance; 0 or -errno when none could be started. */
static int
post_all(struct am_sink *am, int64_t seq, const char *body, size_t len)
{
	struct fw_http_request req;
	struct am_post *p = xcalloc(1, sizeof(*p));
	struct am_req *r;
	size_t i;
	int rc;

	p->am = am;
	p->seq = seq;
	memset(&req, 0, sizeof(req));
	req.body = body;
	req.body_len = len;
	req.timeout_ms = am->timeout_ms;
	alert_http_auth_apply(&am->auth, &req);
	for (i = 0; i < am->n_urls; i++) {
		r = xcalloc(1, sizeof(*r));
		r->post = p;
		r->url = i;
		req.url = am->urls[i];
		if ((rc = http_request(am->http, &req, on_answer, r)) < 0) {
			free(r);
			p->rc = worse(p->rc, rc == -EINVAL ? -EIO : rc);
			continue;
		}
		p->waiting++;
	}
	if (p->waiting == 0) {
		rc = p->rc < 0 ? p->rc : -EIO;
		free(p);
		return rc;
	}
	p->next = am->posts;
	am->posts = p;
	return 0;
}

/* Every alert of the set, as of now; resolved ones past keeping dropped. */
static json_t *
all_alerts(struct am_sink *am, int64_t now)
{
	struct fw_alert_fmt fmt = am_fmt(am, now);
	struct fw_alert *a;
	json_t *arr = json_array();

	if (am->heartbeat.labels != NULL)
		json_array_append_new(arr, alert_json(&am->heartbeat,
		    am->heartbeat.labels, false, &fmt));
	alert_set_expire(&am->alerts, now, am->resolved_for_ms);
	for (a = am->alerts.head; a != NULL; a = a->next)
		json_array_append_new(arr, alert_json(a, a->labels,
		    a->resolved, &fmt));
	return arr;
}

static void
resend(void *arg)
{
	struct am_sink *am = arg;
	json_t *arr = all_alerts(am, clock_wall_ms());
	char *body;

	am->timer = loop_add_timer(am->loop, am->resend_ms, resend, am);
	if (json_array_size(arr) > 0 &&
	    (body = json_dumps(arr, JSON_COMPACT)) != NULL) {
		post_all(am, 0, body, strlen(body));
		free(body);
	}
	json_decref(arr);
}

static int
rebuild_one(int64_t seq, const char *json, size_t len, void *arg)
{
	struct am_sink *am = arg;
	struct fw_alert_fmt fmt;
	json_t *ev, *out;
	int64_t now = clock_wall_ms();

	if (json == NULL || (ev = json_loadb(json, len, 0, NULL)) == NULL)
		return 0;
	fmt = am_fmt(am, now);
	if ((out = alert_set_take(&am->alerts, ev, now, &fmt)) != NULL)
		json_decref(out);
	json_decref(ev);
	return 0;
}

/*
 * Always firing while the agent runs and its path to Alertmanager works:
 * route it to a dead man's switch (docs/alerting.md).  Its endsAt is three
 * resend intervals ahead like any active alert, so it ends soon after the
 * agent stops sending.
 */
static void
heartbeat_init(struct am_sink *am, const char *host)
{
	struct fw_alert *h = &am->heartbeat;
	json_t *ann;

	h->labels = json_object();
	json_object_set_new(h->labels, "alertname",
	    json_string("agent.heartbeat"));
	json_object_set_new(h->labels, "severity", json_string("none"));
	json_object_set_new(h->labels, "host", json_string(host != NULL ?
	    host : ""));
	ann = json_object();
	json_object_set_new(ann, "summary", json_string("forewarnd on this "
	    "host is running and its alerts reach Alertmanager; this alert "
	    "always fires, its absence is the alarm"));
	h->annotations = ann;
	event_format_time(clock_wall_ms(), h->starts);
}

static void am_teardown(void *state);

static int
am_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct am_sink *am = xcalloc(1, sizeof(*am));
	const char *list;
	char url[1024], *copy, *tok, *save;
	size_t n;

	*ret_state = am;
	fw_strlcpy(am->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "alertmanager", sizeof(am->name));
	am->loop = env->loop;
	am->sink = env->sink;
	am->timeout_ms = (int64_t)conf_get_duration_ms(cs, am_keys, "timeout");
	am->resend_ms = (int64_t)conf_get_duration_ms(cs, am_keys, "resend");
	am->resolved_for_ms = (int64_t)conf_get_duration_ms(cs, am_keys,
	    "resolved_for");
	list = conf_get_str(cs, am_keys, "url");
	if (list == NULL || list[0] == '\0') {
		log_warnx("sink %s: no url", am->name);
		return -EINVAL;
	}
	copy = xstrdup(list);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL &&
	    am->n_urls < AM_URLS_MAX; tok = strtok_r(NULL, " \t", &save)) {
		n = strlen(tok);
		while (n > 0 && tok[n - 1] == '/')
			tok[--n] = '\0';
		if (strncmp(tok, "http://", 7) != 0 &&
		    strncmp(tok, "https://", 8) != 0) {
			log_warnx("sink %s: url %s is not http:// or https://",
			    am->name, tok);
			free(copy);
			return -EINVAL;
		}
		fw_snprintf(url, sizeof(url), "%s%s", tok, n > 14 &&
		    strcmp(tok + n - 14, "/api/v2/alerts") == 0 ? "" :
		    "/api/v2/alerts");
		am->urls[am->n_urls++] = xstrdup(url);
	}
	free(copy);
	if (alert_http_auth_read(am->name, cs, am_keys, &am->auth) < 0)
		return -EINVAL;
	if ((am->http = http_new(am->loop)) == NULL)
		return -ENOMEM;
	if (conf_get_bool(cs, am_keys, "heartbeat"))
		heartbeat_init(am, env->host);
	/* What was active before a restart: Alertmanager may have lost it. */
	if (env->latest != NULL)
		env->latest(env->latest_arg, rebuild_one, am);
	am->timer = loop_add_timer(am->loop, 0, resend, am);
	return 0;
}

static int
am_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct am_sink *am = state;
	struct fw_alert_fmt fmt;
	json_error_t jerr;
	json_t *ev, *out;
	int64_t now = clock_wall_ms();
	char *body;
	int rc;

	if ((ev = json_loadb(json, len, 0, &jerr)) == NULL) {
		log_warnx("sink %s: event %lld is not JSON: %s", am->name,
		    (long long)seq, jerr.text);
		return -EINVAL;
	}
	fmt = am_fmt(am, now);
	out = alert_set_take(&am->alerts, ev, now, &fmt);
	json_decref(ev);
	if (out == NULL) {
		log_warnx("sink %s: event %lld lacks fingerprint, entity, check "
		    "or state", am->name, (long long)seq);
		return -EINVAL;
	}
	body = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (body == NULL)
		return -ENOMEM;
	rc = post_all(am, seq, body, strlen(body));
	free(body);
	return rc < 0 ? rc : FW_SINK_PENDING;
}

static void
am_teardown(void *state)
{
	struct am_sink *am = state;
	struct am_post *p;
	size_t i;

	if (am == NULL)
		return;
	if (am->timer != 0)
		loop_del_timer(am->loop, am->timer);
	/* Posts in flight end with the client, each with -ECANCELED. */
	while ((p = am->posts) != NULL) {
		am->posts = p->next;
		p->orphan = true;
	}
	http_free(am->http);
	alert_set_clear(&am->alerts);
	json_decref(am->heartbeat.labels);
	json_decref(am->heartbeat.annotations);
	for (i = 0; i < am->n_urls; i++)
		free(am->urls[i]);
	alert_http_auth_free(&am->auth);
	free(am);
}

const struct fw_sink_type alertmanager_sink_type = {
	.type = "alertmanager",
	.keys = am_keys,
	.init = am_init,
	.deliver = am_deliver,
	.teardown = am_teardown,
};
