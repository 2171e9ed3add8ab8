/*
 * The Alertmanager sink: API v2 (POST /api/v2/alerts) to every configured
 * instance, through libcurl in the loop.  Alertmanager forgets alerts when it
 * restarts and resolves those not refreshed before their endsAt, so every
 * active alert is sent again each resend interval with endsAt ahead, and a
 * resolved one is sent with endsAt at its resolution for a while after.  The
 * set is rebuilt at start from the newest event of every condition.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "forewarn/clock.h"
#include "forewarn/events.h"
#include "forewarn/http.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/util.h"

#define AM_URLS_MAX	8
#define AM_SECRET_MAX	4096

struct am_alert {
	char		*fingerprint;
	json_t		*labels;	/* as last sent: the identity */
	json_t		*annotations;
	char		 starts[32];
	bool		 resolved;
	int64_t		 resolved_ms;	/* its endsAt when resolved */
	struct am_alert	*next;
};

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
	char		*bearer, *user, *password, *ca_file;
	bool		 insecure;
	struct am_alert	 heartbeat;	/* labels NULL when off */
	struct am_alert	*alerts;
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
	{ "bearer_token_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file holding a bearer token" },
	{ "basic_auth_user", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "basic auth user" },
	{ "basic_auth_password_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file holding the basic auth password" },
	{ "ca_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "CA certificates for https, instead of the system's" },
	{ "tls_verify", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "verify the server's certificate and name" },
	{ "heartbeat", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "send the always-firing agent.heartbeat alert (a dead man's "
	    "switch: when it stops, the agent or the path is down)" },
	{ .name = NULL }
};

/* A secret from a file: its first line; never logged. */
static int
read_secret(const char *sink, const char *path, char **ret)
{
	char buf[AM_SECRET_MAX];
	struct stat st;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		log_warnx("sink %s: %s: %s", sink, path, strerror(errno));
		return -errno;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0004))
		log_warnx("sink %s: %s is readable by everyone", sink, path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		log_warnx("sink %s: %s is empty", sink, path);
		return -EINVAL;
	}
	*ret = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static struct am_alert *
alert_find(struct am_sink *am, const char *fp)
{
	struct am_alert *a;

	for (a = am->alerts; a != NULL; a = a->next)
		if (strcmp(a->fingerprint, fp) == 0)
			return a;
	return NULL;
}

static void
alert_free(struct am_alert *a)
{
	free(a->fingerprint);
	json_decref(a->labels);
	json_decref(a->annotations);
	free(a);
}

/* A label name Alertmanager takes: [a-zA-Z_][a-zA-Z0-9_]*. */
static void
label_name(char *dst, size_t size, const char *src)
{
	size_t i, o = 0;

	for (i = 0; src[i] != '\0' && o + 1 < size; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (o > 0 && c >= '0' && c <= '9');

		dst[o++] = ok ? c : '_';
	}
	dst[o] = '\0';
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The alert's JSON as Alertmanager wants it, endsAt as of now. */
static json_t *
alert_json(const struct am_sink *am, const struct am_alert *a,
    const json_t *labels, bool resolved, int64_t now)
{
	char ends[32];
	json_t *o = json_object();

	json_object_set(o, "labels", (json_t *)labels);
	json_object_set(o, "annotations", a->annotations);
	if (a->starts[0] != '\0')
		json_object_set_new(o, "startsAt", json_string(a->starts));
	event_format_time(resolved ? a->resolved_ms : now + 3 * am->resend_ms,
	    ends);
	json_object_set_new(o, "endsAt", json_string(ends));
	return o;
}

/*
 * Take an event into the set.  Returns the alerts to send for it (the new
 * state, and the old label set resolved when the labels changed, as a
 * severity does), or NULL when the event is not one (a malformed record).
 */
static json_t *
alert_take(struct am_sink *am, json_t *ev, int64_t now)
{
	json_t *labels, *ann, *ent, *elabels, *v, *out;
	struct am_alert *a;
	const char *fp, *state, *k, *time_s;
	char name[64], *dump;
	int64_t t;

	fp = jstr(ev, "fingerprint");
	ent = json_object_get(ev, "entity");
	state = jstr(ev, "state");
	if (fp[0] == '\0' || !json_is_object(ent) || jstr(ev, "check")[0] ==
	    '\0' || state[0] == '\0')
		return NULL;
	labels = json_object();
	json_object_set_new(labels, "alertname", json_string(jstr(ev,
	    "check")));
	json_object_set_new(labels, "severity", json_string(strcmp(state,
	    "ok") == 0 ? jstr(ev, "previous")[0] != '\0' &&
	    strcmp(jstr(ev, "previous"), "critical") == 0 ? "critical" :
	    "warning" : jstr(ev, "severity")));
	json_object_set_new(labels, "host", json_string(jstr(ev, "host")));
	json_object_set_new(labels, "entity_kind", json_string(jstr(ent,
	    "kind")));
	json_object_set_new(labels, "entity_id", json_string(jstr(ent, "id")));
	json_object_set_new(labels, "entity_name", json_string(jstr(ent,
	    "name")));
	elabels = json_object_get(ent, "labels");
	json_object_foreach(elabels, k, v) {
		label_name(name, sizeof(name), k);
		if (json_is_string(v) && name[0] != '\0' &&
		    json_object_get(labels, name) == NULL)
			json_object_set(labels, name, v);
	}
	ann = json_object();
	json_object_set_new(ann, "summary", json_string(jstr(ev, "summary")));
	if ((v = json_object_get(ev, "details")) != NULL &&
	    (dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		json_object_set_new(ann, "details", json_string(dump));
		free(dump);
	}
	json_object_set_new(ann, "state", json_string(state));
	json_object_set_new(ann, "fingerprint", json_string(fp));

	out = json_array();
	a = alert_find(am, fp);
	if (a != NULL && !a->resolved && !json_equal(a->labels, labels)) {
		/* The old identity would linger until its endsAt: end it. */
		a->resolved_ms = now;
		json_array_append_new(out, alert_json(am, a, a->labels, true,
		    now));
	}
	if (a == NULL) {
		a = xcalloc(1, sizeof(*a));
		a->fingerprint = xstrdup(fp);
		a->next = am->alerts;
		am->alerts = a;
	} else {
		json_decref(a->labels);
		json_decref(a->annotations);
	}
	a->labels = labels;
	a->annotations = ann;
	time_s = jstr(ev, "since")[0] != '\0' ? jstr(ev, "since") :
	    jstr(ev, "time");
	if (strcmp(state, "ok") != 0 || a->starts[0] == '\0')
		fw_strlcpy(a->starts, time_s, sizeof(a->starts));
	a->resolved = strcmp(state, "ok") == 0;
	if (a->resolved) {
		t = event_parse_time(jstr(ev, "time"));
		a->resolved_ms = t > 0 ? t : now;
	}
	json_array_append_new(out, alert_json(am, a, a->labels, a->resolved,
	    now));
	return out;
}

static int
rc_of(const struct fw_http_result *res)
{
	if (res->err < 0)
		return res->err;
	if (res->status >= 200 && res->status < 300)
		return 0;
	if (res->status == 429 || res->status >= 500 || res->status == 0)
		return -EAGAIN;
	return -EINVAL;		/* 4xx: we sent something it will not take */
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
	int rc = rc_of(res);

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
	req.bearer = am->bearer;
	req.user = am->user;
	req.password = am->password;
	req.ca_file = am->ca_file;
	req.insecure = am->insecure;
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
	struct am_alert **pp, *a;
	json_t *arr = json_array();

	if (am->heartbeat.labels != NULL)
		json_array_append_new(arr, alert_json(am, &am->heartbeat,
		    am->heartbeat.labels, false, now));
	for (pp = &am->alerts; (a = *pp) != NULL;) {
		if (a->resolved && now - a->resolved_ms > am->resolved_for_ms) {
			*pp = a->next;
			alert_free(a);
			continue;
		}
		json_array_append_new(arr, alert_json(am, a, a->labels,
		    a->resolved, now));
		pp = &a->next;
	}
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
	json_t *ev, *out;

	if (json == NULL || (ev = json_loadb(json, len, 0, NULL)) == NULL)
		return 0;
	if ((out = alert_take(am, ev, clock_wall_ms())) != NULL)
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
	struct am_alert *h = &am->heartbeat;
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
	const char *list, *s;
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
	am->insecure = !conf_get_bool(cs, am_keys, "tls_verify");
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
	if ((s = conf_get_str(cs, am_keys, "bearer_token_file")) != NULL &&
	    read_secret(am->name, s, &am->bearer) < 0)
		return -EINVAL;
	if ((s = conf_get_str(cs, am_keys, "basic_auth_user")) != NULL) {
		am->user = xstrdup(s);
		if ((s = conf_get_str(cs, am_keys,
		    "basic_auth_password_file")) != NULL &&
		    read_secret(am->name, s, &am->password) < 0)
			return -EINVAL;
	}
	if ((s = conf_get_str(cs, am_keys, "ca_file")) != NULL)
		am->ca_file = xstrdup(s);
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
	json_error_t jerr;
	json_t *ev, *out;
	char *body;
	int rc;

	if ((ev = json_loadb(json, len, 0, &jerr)) == NULL) {
		log_warnx("sink %s: event %lld is not JSON: %s", am->name,
		    (long long)seq, jerr.text);
		return -EINVAL;
	}
	out = alert_take(am, ev, clock_wall_ms());
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
	struct am_alert *a;
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
	while ((a = am->alerts) != NULL) {
		am->alerts = a->next;
		alert_free(a);
	}
	json_decref(am->heartbeat.labels);
	json_decref(am->heartbeat.annotations);
	for (i = 0; i < am->n_urls; i++)
		free(am->urls[i]);
	if (am->bearer != NULL)
		explicit_bzero(am->bearer, strlen(am->bearer));
	if (am->password != NULL)
		explicit_bzero(am->password, strlen(am->password));
	free(am->bearer);
	free(am->user);
	free(am->password);
	free(am->ca_file);
	free(am);
}

const struct fw_sink_type alertmanager_sink_type = {
	.type = "alertmanager",
	.keys = am_keys,
	.init = am_init,
	.deliver = am_deliver,
	.teardown = am_teardown,
};
