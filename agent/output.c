/* The one-shot report of --once: a readable table, one JSON document, or a monitoring-plugin line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "forewarn/events.h"
#include "forewarn/inventory.h"
#include "forewarn/output.h"
#include "forewarn/util.h"

#define NAGIOS_MAX_PROBLEMS 3

int
output_format_from_name(const char *name, enum fw_format *ret)
{
	static const char *const names[] = { "text", "json", "nagios" };
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(names); i++) {
		if (strcmp(name, names[i]) == 0) {
			*ret = (enum fw_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

static enum fw_state
overall(struct fw_entity **ents, size_t n)
{
	enum fw_state s = FW_STATE_OK;
	size_t i;

	for (i = 0; i < n; i++)
		s = state_worst(s, entity_state(ents[i]));
	return s;
}

static void
upper(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ?
		    src[i] - 'a' + 'A' : src[i]);
	dst[i] = '\0';
}

/* ---- text ---- */

static void
text_entity(const struct fw_entity *e, FILE *out)
{
	char st[16];
	size_t i;

	upper(st, sizeof(st), state_name(entity_state(e)));
	fprintf(out, "%-8s %s %s", st, kind_name(e->kind), e->name);
	if (strcmp(e->name, e->id) != 0)
		fprintf(out, " [%s]", e->id);
	fputc('\n', out);
	if (e->n_labels > 0) {
		fputs("         ", out);
		for (i = 0; i < e->n_labels; i++)
			fprintf(out, "%s%s=%s", i > 0 ? " " : "",
			    e->labels[i].key, e->labels[i].value);
		fputc('\n', out);
	}
	for (i = 0; i < e->n_checks; i++) {
		upper(st, sizeof(st), state_name(e->checks[i].state));
		fprintf(out, "  %-8s %-28s %s\n", st, e->checks[i].code,
		    e->checks[i].message);
	}
}

static void
output_text(struct fw_entity **ents, size_t n, const char *host,
    int64_t time_ms, enum fw_state worst, FILE *out)
{
	unsigned counts[FW_STATE_COUNT] = { 0 };
	char when[32], st[16];
	size_t i;

	event_format_time(time_ms, when);
	upper(st, sizeof(st), state_name(worst));
	fprintf(out, "forewarn %s on %s at %s: %s\n\n", FW_VERSION, host, when,
	    st);
	for (i = 0; i < n; i++) {
		text_entity(ents[i], out);
		counts[entity_state(ents[i])]++;
	}
	fprintf(out, "\n%zu entities: %u critical, %u warning, %u unknown, "
	    "%u ok\n", n, counts[FW_STATE_CRITICAL], counts[FW_STATE_WARNING],
	    counts[FW_STATE_UNKNOWN], counts[FW_STATE_OK]);
}

/* ---- json ---- */

/* JSON has no NaN: a value that is not finite is null here. */
static json_t *
json_num(double v)
{
	json_t *n = json_number(v);

	return n != NULL ? n : json_null();
}

static json_t *
json_check(const struct fw_check *c)
{
	json_t *o = json_object(), *d = json_object();
	size_t i;

	json_object_set_new(o, "check", json_text(c->code));
	json_object_set_new(o, "state", json_string(state_name(c->state)));
	if (c->has_value) {
		json_object_set_new(o, "value", json_num(c->value));
		if (c->def != NULL && c->def->unit != NULL)
			json_object_set_new(o, "unit",
			    json_string(c->def->unit));
	}
	json_object_set_new(o, "summary", json_text(c->message));
	for (i = 0; i < c->n_details; i++)
		json_object_set_new(d, c->details[i].key,
		    c->details[i].is_num ? json_num(c->details[i].num) :
		    json_text(c->details[i].str));
	json_object_set_new(o, "details", d);
	return o;
}

static json_t *
json_entity(const struct fw_entity *e)
{
	json_t *o = json_object(), *a;
	size_t i;

	json_object_set_new(o, "kind", json_string(kind_name(e->kind)));
	json_object_set_new(o, "id", json_text(e->id));
	json_object_set_new(o, "name", json_text(e->name));
	json_object_set_new(o, "state", json_string(state_name(entity_state(e))));
	json_object_set_new(o, "labels", json_entity_labels(e));
	json_object_set_new(o, "relations", json_entity_related(e));
	a = json_array();
	for (i = 0; i < e->n_checks; i++)
		json_array_append_new(a, json_check(&e->checks[i]));
	json_object_set_new(o, "checks", a);
	a = json_array();
	for (i = 0; i < e->n_readings; i++) {
		const struct fw_reading *rd = &e->readings[i];
		json_t *r = json_object();

		json_object_set_new(r, "metric", json_text(rd->metric));
		json_object_set_new(r, "value", json_num(rd->value));
		if (rd->unit[0] != '\0')
			json_object_set_new(r, "unit", json_text(rd->unit));
		if (rd->label_key != NULL) {
			json_t *l = json_object();

			json_object_set_new(l, rd->label_key,
			    json_text(rd->label_value));
			json_object_set_new(r, "labels", l);
		}
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "readings", a);
	return o;
}

static void
output_json(struct fw_entity **ents, size_t n, const char *host,
    int64_t time_ms, enum fw_state worst, FILE *out)
{
	json_t *doc = json_object(), *a = json_array();
	char when[32];
	size_t i;

	event_format_time(time_ms, when);
	json_object_set_new(doc, "schema", json_integer(FW_EVENT_SCHEMA));
	json_object_set_new(doc, "version", json_string(FW_VERSION));
	json_object_set_new(doc, "host", json_text(host));
	json_object_set_new(doc, "time", json_string(when));
	json_object_set_new(doc, "state", json_string(state_name(worst)));
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_entity(ents[i]));
	json_object_set_new(doc, "entities", a);
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(doc);
}

/* ---- nagios ---- */

/* Perfdata labels may not contain quotes or '=' (plugin guidelines). */
static void
perf_label(char *dst, size_t size, const char *code, const char *name)
{
	size_t i;

	fw_snprintf(dst, size, "%s:%s", code, name);
	for (i = 0; dst[i] != '\0'; i++)
		if (dst[i] == '\'' || dst[i] == '=' || dst[i] == ' ')
			dst[i] = '_';
}

static void
perf_threshold(FILE *out, const struct fw_check *c, double t)
{
	if (!isfinite(t))
		return;
	/* "10:" alerts below 10; a plain number alerts above it. */
	fprintf(out, c->def->cmp == FW_CMP_BELOW ? "%g:" : "%g", t);
}

static void
nagios_perfdata(struct fw_entity **ents, size_t n, FILE *out)
{
	const struct fw_check *c;
	char label[256];
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ents[i]->n_checks; j++) {
			c = &ents[i]->checks[j];
			if (!c->has_value || !isfinite(c->value) ||
			    c->def == NULL)
				continue;
			perf_label(label, sizeof(label), c->code, ents[i]->name);
			fprintf(out, " '%s'=%g%s;", label, c->value,
			    c->def->unit != NULL &&
			    strcmp(c->def->unit, "percent") == 0 ? "%" : "");
			perf_threshold(out, c, c->def->warning);
			fputc(';', out);
			perf_threshold(out, c, c->def->critical);
		}
	}
}

static void
output_nagios(struct fw_entity **ents, size_t n, enum fw_state worst,
    FILE *out)
{
	const struct fw_check *c;
	unsigned shown = 0, problems = 0;
	char st[16];
	size_t i, j;

	upper(st, sizeof(st), state_name(worst));
	fprintf(out, "FOREWARN %s -", st);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ents[i]->n_checks; j++) {
			c = &ents[i]->checks[j];
			if (c->state != FW_STATE_OK && problems++ <
			    NAGIOS_MAX_PROBLEMS)
				fprintf(out, "%s %s", shown++ ? ";" : "",
				    c->message);
		}
	}
	if (problems == 0)
		fprintf(out, " %zu entities ok", n);
	else if (problems > shown)
		fprintf(out, " (and %u more)", problems - shown);
	fputs(" |", out);
	nagios_perfdata(ents, n, out);
	fputc('\n', out);
}

enum fw_state
output_report(struct fw_inventory *inv, const char *host, int64_t time_ms,
    enum fw_format fmt, FILE *out)
{
	struct fw_entity **ents;
	enum fw_state worst;
	size_t n;

	n = inventory_list(inv, &ents);
	worst = overall(ents, n);
	switch (fmt) {
	case FW_FORMAT_JSON:
		output_json(ents, n, host, time_ms, worst, out);
		break;
	case FW_FORMAT_NAGIOS:
		output_nagios(ents, n, worst, out);
		break;
	default:
		output_text(ents, n, host, time_ms, worst, out);
		break;
	}
	return worst;
}
