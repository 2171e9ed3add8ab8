/* Event records in schema v1, built with jansson so every string is escaped correctly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "forewarn/events.h"
#include "forewarn/util.h"

static const char *const transition_names[] = {
	[FW_TR_NONE] = "none",
	[FW_TR_CHANGE] = "change",
	[FW_TR_RENOTIFY] = "renotify",
	[FW_TR_FLAP_START] = "flap_start",
	[FW_TR_FLAP_END] = "flap_end",
};

void
event_fingerprint(const char *host, const char *entity_key, const char *check,
    char ret[FW_FINGERPRINT_LEN + 1])
{
	uint64_t h;

	h = fw_fnv64(FW_FNV64_SEED, host, strlen(host) + 1);
	h = fw_fnv64(h, entity_key, strlen(entity_key) + 1);
	h = fw_fnv64(h, check, strlen(check));
	(void)fw_snprintf(ret, FW_FINGERPRINT_LEN + 1, "%016llx",
	    (unsigned long long)h);
}

void
event_format_time(int64_t time_ms, char ret[32])
{
	time_t secs = (time_t)(time_ms / 1000);
	int ms = (int)(time_ms % 1000);
	struct tm tm;

	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	/* Years beyond 9999 do not fit RFC 3339: clamp to the epoch. */
	if (gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	(void)fw_snprintf(ret, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
	    tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, ms % 1000);
}

int64_t
event_parse_time(const char *s)
{
	struct tm tm;
	const char *p;
	int ms = 0, digits = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 3)
				ms = ms * 10 + (*p - '0');
	while (digits > 0 && digits < 3) {
		ms *= 10;
		digits++;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t * 1000 + ms;
}

/* Length of the valid UTF-8 sequence at p (max n bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A JSON string from bytes that may not be UTF-8 (device strings, kernel
 * messages): invalid sequences become U+FFFD, so jansson never refuses it.
 */
json_t *
json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), i = 0, o = 0, k;
	json_t *j;
	char *buf;

	buf = xmalloc(n * 3 + 1);
	while (i < n) {
		k = utf8_seq(p + i, n - i);
		if (k == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
	}
	buf[o] = '\0';
	j = json_stringn(buf, o);
	free(buf);
	return j != NULL ? j : json_string("");
}

json_t *
json_number(double v)
{
	if (!isfinite(v))
		return NULL;
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void
set_num(json_t *o, const char *key, double v)
{
	json_t *n = json_number(v);

	if (n != NULL)
		json_object_set_new(o, key, n);
}

json_t *
json_entity_labels(const struct fw_entity *e)
{
	json_t *labels = json_object();
	size_t i;

	for (i = 0; i < e->n_labels; i++)
		json_object_set_new(labels, e->labels[i].key,
		    json_text(e->labels[i].value));
	return labels;
}

static json_t *
build_entity(const struct fw_entity *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(kind_name(e->kind)));
	json_object_set_new(o, "id", json_text(e->id));
	json_object_set_new(o, "name", json_text(e->name));
	json_object_set_new(o, "labels", json_entity_labels(e));
	return o;
}

static json_t *
build_details(const struct fw_event_input *in)
{
	const struct fw_check *r = in->result;
	const struct fw_check_params *p = in->params;
	json_t *d = json_object();
	size_t i;

	if (r != NULL && r->has_value) {
		set_num(d, "value", r->value);
		if (r->def != NULL && r->def->unit != NULL)
			json_object_set_new(d, "unit",
			    json_string(r->def->unit));
	}
	if (p != NULL && p->cmp != FW_CMP_NONE) {
		json_object_set_new(d, "comparison", json_string(
		    p->cmp == FW_CMP_ABOVE ? "above" : "below"));
		set_num(d, "warning", p->warning);
		set_num(d, "critical", p->critical);
		if (p->hysteresis > 0)
			set_num(d, "hysteresis", p->hysteresis);
	}
	for (i = 0; r != NULL && i < r->n_details; i++) {
		if (r->details[i].is_num)
			set_num(d, r->details[i].key, r->details[i].num);
		else
			json_object_set_new(d, r->details[i].key,
			    json_text(r->details[i].str));
	}
	if (in->tr->type == FW_TR_FLAP_START || in->tr->type == FW_TR_FLAP_END)
		json_object_set_new(d, "changes",
		    json_integer(in->tr->changes));
	return d;
}

json_t *
json_entity_related(const struct fw_entity *e)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < e->n_relations; i++) {
		o = json_object();
		json_object_set_new(o, "relation",
		    json_string(e->relations[i].relation));
		json_object_set_new(o, "kind",
		    json_string(kind_name(e->relations[i].kind)));
		json_object_set_new(o, "id", json_text(e->relations[i].id));
		json_array_append_new(a, o);
	}
	return a;
}

static char *
build_summary(const struct fw_event_input *in)
{
	const struct fw_transition *tr = in->tr;
	const char *msg = in->result != NULL ? in->result->message : NULL;
	char *base, *out;

	if (msg != NULL && msg[0] != '\0')
		base = xstrdup(msg);
	else
		base = xasprintf("%s %s: %s is %s", kind_name(in->entity->kind),
		    in->entity->name, in->check, state_name(tr->state));
	if (tr->type == FW_TR_FLAP_START)
		out = xasprintf("flapping: %s", base);
	else if (tr->type == FW_TR_RENOTIFY)
		out = xasprintf("still %s: %s", state_name(tr->state), base);
	else
		return base;
	free(base);
	return out;
}

static void
uuid_v4(char ret[37])
{
	unsigned char b[16];

	fw_random(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	(void)fw_snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

char *
event_build(const struct fw_event_input *in, size_t *ret_len,
    char ret_fingerprint[FW_FINGERPRINT_LEN + 1])
{
	char fp[FW_FINGERPRINT_LEN + 1], when[32], since[32], id[37];
	json_t *o = json_object();
	char *summary, *text;

	event_fingerprint(in->host, in->entity->key, in->check, fp);
	event_format_time(in->time_ms, when);
	event_format_time(in->tr->since_ms, since);
	uuid_v4(id);
	summary = build_summary(in);
	json_object_set_new(o, "schema", json_integer(FW_EVENT_SCHEMA));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "host", json_text(in->host));
	json_object_set_new(o, "entity", build_entity(in->entity));
	json_object_set_new(o, "check", json_text(in->check));
	json_object_set_new(o, "state", json_string(state_name(in->tr->state)));
	json_object_set_new(o, "previous",
	    json_string(state_name(in->tr->previous)));
	json_object_set_new(o, "severity",
	    json_string(state_severity(in->tr->state)));
	json_object_set_new(o, "transition",
	    json_string(transition_names[in->tr->type]));
	json_object_set_new(o, "since", json_string(since));
	json_object_set_new(o, "summary", json_text(summary));
	json_object_set_new(o, "details", build_details(in));
	json_object_set_new(o, "related", json_entity_related(in->entity));
	json_object_set_new(o, "fingerprint", json_string(fp));
	free(summary);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return NULL;
	if (ret_len != NULL)
		*ret_len = strlen(text);
	if (ret_fingerprint != NULL)
		memcpy(ret_fingerprint, fp, sizeof(fp));
	return text;
}
