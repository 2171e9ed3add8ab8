/* Events as alerts for the alerting sinks (Alertmanager, webhook), their HTTP outcomes and secrets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "forewarn/alert.h"
#include "forewarn/conf.h"
#include "forewarn/events.h"
#include "forewarn/http.h"
#include "forewarn/log.h"
#include "forewarn/util.h"

#define ALERT_SECRET_MAX	4096
/* Go's zero time: how Alertmanager's webhook says an alert has no end. */
#define ALERT_NO_END		"0001-01-01T00:00:00Z"

const char *
alert_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
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

json_t *
alert_json(const struct fw_alert *a, const json_t *labels, bool resolved,
    const struct fw_alert_fmt *fmt)
{
	char ends[32];
	json_t *o = json_object();

	if (fmt->webhook)
		json_object_set_new(o, "status", json_string(resolved ?
		    "resolved" : "firing"));
	json_object_set(o, "labels", (json_t *)labels);
	json_object_set(o, "annotations", a->annotations);
	if (a->starts[0] != '\0')
		json_object_set_new(o, "startsAt", json_string(a->starts));
	if (resolved || fmt->ends_ms > 0) {
		event_format_time(resolved ? a->resolved_ms : fmt->ends_ms,
		    ends);
		json_object_set_new(o, "endsAt", json_string(ends));
	} else
		json_object_set_new(o, "endsAt", json_string(ALERT_NO_END));
	if (fmt->webhook) {
		json_object_set_new(o, "generatorURL", json_string(
		    fmt->generator_url != NULL ? fmt->generator_url : ""));
		json_object_set_new(o, "fingerprint", json_string(
		    a->fingerprint != NULL ? a->fingerprint : ""));
	}
	return o;
}

/*
 * The severity label: a resolved alert keeps the one it had (critical when
 * it came from critical), so it resolves the same label set.
 */
static const char *
severity_of(const json_t *ev)
{
	if (strcmp(alert_jstr(ev, "state"), "ok") != 0)
		return alert_jstr(ev, "severity");
	return strcmp(alert_jstr(ev, "previous"), "critical") == 0 ?
	    "critical" : "warning";
}

static json_t *
labels_of(const json_t *ev, const json_t *ent)
{
	json_t *labels = json_object(), *v;
	const char *k;
	char name[64];

	json_object_set_new(labels, "alertname", json_string(alert_jstr(ev,
	    "check")));
	json_object_set_new(labels, "severity", json_string(severity_of(ev)));
	json_object_set_new(labels, "host", json_string(alert_jstr(ev,
	    "host")));
	json_object_set_new(labels, "entity_kind", json_string(alert_jstr(ent,
	    "kind")));
	json_object_set_new(labels, "entity_id", json_string(alert_jstr(ent,
	    "id")));
	json_object_set_new(labels, "entity_name", json_string(alert_jstr(ent,
	    "name")));
	json_object_foreach(json_object_get(ent, "labels"), k, v) {
		label_name(name, sizeof(name), k);
		if (json_is_string(v) && name[0] != '\0' &&
		    json_object_get(labels, name) == NULL)
			json_object_set(labels, name, v);
	}
	return labels;
}

static json_t *
annotations_of(const json_t *ev)
{
	json_t *ann = json_object(), *v;
	char *dump;

	json_object_set_new(ann, "summary", json_string(alert_jstr(ev,
	    "summary")));
	if ((v = json_object_get(ev, "details")) != NULL &&
	    (dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		json_object_set_new(ann, "details", json_string(dump));
		free(dump);
	}
	json_object_set_new(ann, "state", json_string(alert_jstr(ev,
	    "state")));
	json_object_set_new(ann, "fingerprint", json_string(alert_jstr(ev,
	    "fingerprint")));
	return ann;
}

struct fw_alert *
alert_set_find(const struct fw_alert_set *set, const char *fp)
{
	struct fw_alert *a;

	for (a = set->head; a != NULL; a = a->next)
		if (strcmp(a->fingerprint, fp) == 0)
			return a;
	return NULL;
}

static void
alert_free(struct fw_alert *a)
{
	free(a->fingerprint);
	json_decref(a->labels);
	json_decref(a->annotations);
	free(a);
}

json_t *
alert_set_take(struct fw_alert_set *set, const json_t *ev, int64_t now,
    const struct fw_alert_fmt *fmt)
{
	const json_t *ent = json_object_get(ev, "entity");
	const char *fp, *state, *time_s;
	struct fw_alert *a;
	json_t *labels, *out;
	int64_t t;

	fp = alert_jstr(ev, "fingerprint");
	state = alert_jstr(ev, "state");
	if (fp[0] == '\0' || !json_is_object(ent) || alert_jstr(ev,
	    "check")[0] == '\0' || state[0] == '\0')
		return NULL;
	labels = labels_of(ev, ent);
	out = json_array();
	a = alert_set_find(set, fp);
	if (fmt->end_old && a != NULL && !a->resolved &&
	    !json_equal(a->labels, labels)) {
		a->resolved_ms = now;
		json_array_append_new(out, alert_json(a, a->labels, true, fmt));
	}
	if (a == NULL) {
		a = xcalloc(1, sizeof(*a));
		a->fingerprint = xstrdup(fp);
		a->next = set->head;
		set->head = a;
	} else {
		json_decref(a->labels);
		json_decref(a->annotations);
	}
	a->labels = labels;
	a->annotations = annotations_of(ev);
	time_s = alert_jstr(ev, "since")[0] != '\0' ? alert_jstr(ev, "since") :
	    alert_jstr(ev, "time");
	/* A resolution keeps the start of what it resolves. */
	if (strcmp(state, "ok") != 0 || a->starts[0] == '\0')
		fw_strlcpy(a->starts, time_s, sizeof(a->starts));
	a->resolved = strcmp(state, "ok") == 0;
	if (a->resolved) {
		t = event_parse_time(alert_jstr(ev, "time"));
		a->resolved_ms = t > 0 ? t : now;
	}
	json_array_append_new(out, alert_json(a, a->labels, a->resolved, fmt));
	return out;
}

void
alert_set_expire(struct fw_alert_set *set, int64_t now, int64_t keep_ms)
{
	struct fw_alert **pp, *a;

	for (pp = &set->head; (a = *pp) != NULL;) {
		if (a->resolved && now - a->resolved_ms > keep_ms) {
			*pp = a->next;
			alert_free(a);
			continue;
		}
		pp = &a->next;
	}
}

void
alert_set_clear(struct fw_alert_set *set)
{
	struct fw_alert *a;

	while ((a = set->head) != NULL) {
		set->head = a->next;
		alert_free(a);
	}
}

int
alert_http_rc(const struct fw_http_result *res)
{
	if (res->err < 0)
		return res->err;
	if (res->status >= 200 && res->status < 300)
		return 0;
	if (res->status == 429 || res->status >= 500 || res->status == 0)
		return -EAGAIN;
	return -EINVAL;
}

int
alert_read_secret(const char *sink, const char *path, char **ret)
{
	char buf[ALERT_SECRET_MAX];
	struct stat st;
	size_t n;
	FILE *f;
	int err;

	if ((f = fopen(path, "re")) == NULL) {
		err = errno;
		log_warnx("sink %s: %s: %s", sink, path, strerror(err));
		return -err;
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

void
alert_free_secret(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

int
alert_http_auth_read(const char *sink, const struct fw_conf_section *cs,
    const struct fw_conf_key *keys, struct fw_http_auth *a)
{
	const char *s;

	memset(a, 0, sizeof(*a));
	if ((s = conf_get_str(cs, keys, "bearer_token_file")) != NULL &&
	    alert_read_secret(sink, s, &a->bearer) < 0)
		return -EINVAL;
	if ((s = conf_get_str(cs, keys, "basic_auth_user")) != NULL) {
		a->user = xstrdup(s);
		if ((s = conf_get_str(cs, keys,
		    "basic_auth_password_file")) != NULL &&
		    alert_read_secret(sink, s, &a->password) < 0)
			return -EINVAL;
	}
	if ((s = conf_get_str(cs, keys, "ca_file")) != NULL)
		a->ca_file = xstrdup(s);
	a->insecure = !conf_get_bool(cs, keys, "tls_verify");
	return 0;
}

void
alert_http_auth_apply(const struct fw_http_auth *a,
    struct fw_http_request *req)
{
	req->bearer = a->bearer;
	req->user = a->user;
	req->password = a->password;
	req->ca_file = a->ca_file;
	req->insecure = a->insecure;
}

void
alert_http_auth_free(struct fw_http_auth *a)
{
	alert_free_secret(a->bearer);
	free(a->user);
	alert_free_secret(a->password);
	free(a->ca_file);
	memset(a, 0, sizeof(*a));
}
