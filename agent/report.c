/* The collector-facing report API: entities, labels, relations, readings, check results. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/inventory.h"
#include "forewarn/log.h"
#include "forewarn/report.h"
#include "forewarn/util.h"

void
report_open(struct fw_report *r, struct fw_inventory *inv,
    const char *collector, const struct fw_check_def *defs, int64_t now_ms)
{
	memset(r, 0, sizeof(*r));
	r->inv = inv;
	r->collector = collector;
	r->defs = defs;
	r->now_ms = now_ms;
}

void
report_close(struct fw_report *r)
{
	size_t i;

	for (i = 0; i < r->n_checks; i++) {
		check_clear(r->checks[i]);
		free(r->checks[i]);
	}
	free(r->checks);
	r->checks = NULL;
	r->n_checks = 0;
}

const struct fw_check_def *
check_def_find(const struct fw_check_def *defs, const char *code)
{
	for (; defs != NULL && defs->code != NULL; defs++)
		if (strcmp(defs->code, code) == 0)
			return defs;
	return NULL;
}

struct fw_entity *
report_entity(struct fw_report *r, enum fw_kind kind, const char *id,
    const char *name)
{
	char clean[256];
	struct fw_entity *e;

	/* Identities come from devices: keep them printable and bounded. */
	fw_sanitize(clean, sizeof(clean), id, strlen(id));
	if (clean[0] == '\0')
		fw_strlcpy(clean, "unnamed", sizeof(clean));
	e = inventory_get(r->inv, kind, clean, name);
	e->collector = r->collector;
	e->seen_ms = r->now_ms;
	return e;
}

const char *
entity_id(const struct fw_entity *e)
{
	return e->id;
}

const char *
entity_name(const struct fw_entity *e)
{
	return e->name;
}

void
entity_label(struct fw_entity *e, const char *key, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fw_sanitize(clean, sizeof(clean), raw, sizeof(raw));
	for (i = 0; i < e->n_labels; i++) {
		if (strcmp(e->labels[i].key, key) == 0) {
			if (strcmp(e->labels[i].value, clean) != 0) {
				free(e->labels[i].value);
				e->labels[i].value = xstrdup(clean);
			}
			return;
		}
	}
	e->labels = xreallocarray(e->labels, e->n_labels + 1, sizeof(*e->labels));
	e->labels[e->n_labels].key = xstrdup(key);
	e->labels[e->n_labels].value = xstrdup(clean);
	e->n_labels++;
}

void
entity_relate(struct fw_entity *e, const char *relation, enum fw_kind kind,
    const char *id)
{
	struct fw_relation *rel;
	size_t i;

	for (i = 0; i < e->n_relations; i++) {
		rel = &e->relations[i];
		if (rel->kind == kind && strcmp(rel->relation, relation) == 0 &&
		    strcmp(rel->id, id) == 0)
			return;
	}
	e->relations = xreallocarray(e->relations, e->n_relations + 1,
	    sizeof(*e->relations));
	rel = &e->relations[e->n_relations++];
	rel->relation = xstrdup(relation);
	rel->kind = kind;
	rel->id = xstrdup(id);
}

void
entity_unrelate(struct fw_entity *e, const char *relation, enum fw_kind kind,
    const char *id)
{
	struct fw_relation *rel;
	size_t i;

	for (i = 0; i < e->n_relations; i++) {
		rel = &e->relations[i];
		if (rel->kind != kind || strcmp(rel->relation, relation) != 0 ||
		    strcmp(rel->id, id) != 0)
			continue;
		free(rel->relation);
		free(rel->id);
		e->relations[i] = e->relations[--e->n_relations];
		return;
	}
}

static bool
streq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void
report_reading(struct fw_report *r, struct fw_entity *e, const char *metric,
    const char *unit, double value, const char *label_key,
    const char *label_value)
{
	struct fw_reading *rd;
	size_t i;

	for (i = 0; i < e->n_readings; i++) {
		rd = &e->readings[i];
		if (strcmp(rd->metric, metric) == 0 &&
		    streq_null(rd->label_key, label_key) &&
		    streq_null(rd->label_value, label_value)) {
			rd->value = value;
			return;
		}
	}
	e->readings = xreallocarray(e->readings, e->n_readings + 1,
	    sizeof(*e->readings));
	rd = &e->readings[e->n_readings++];
	rd->metric = xstrdup(metric);
	rd->unit = xstrdup(unit != NULL ? unit : "");
	rd->value = value;
	rd->label_key = label_key != NULL ? xstrdup(label_key) : NULL;
	rd->label_value = label_value != NULL ? xstrdup(label_value) : NULL;
}

static struct fw_check * FW_PRINTF(4, 0)
report_add(struct fw_report *r, struct fw_entity *e, const char *code,
    const char *fmt, va_list ap)
{
	char msg[1024];
	struct fw_check *c;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	r->checks = xreallocarray(r->checks, r->n_checks + 1, sizeof(*r->checks));
	/* Collectors hold the pointer while adding more: never move it. */
	c = xcalloc(1, sizeof(*c));
	r->checks[r->n_checks++] = c;
	c->entity = e;
	c->code = xstrdup(code);
	c->def = check_def_find(r->defs, code);
	if (c->def == NULL)
		log_warnx("collector '%s' reported check '%s' it does not "
		    "declare", r->collector, code);
	c->message = xstrdup(msg);
	return c;
}

struct fw_check *
report_check(struct fw_report *r, struct fw_entity *e, const char *code,
    enum fw_state state, const char *fmt, ...)
{
	struct fw_check *c;
	va_list ap;

	va_start(ap, fmt);
	c = report_add(r, e, code, fmt, ap);
	va_end(ap);
	c->state = state;
	return c;
}

struct fw_check *
report_value(struct fw_report *r, struct fw_entity *e, const char *code,
    double value, const char *fmt, ...)
{
	struct fw_check *c;
	va_list ap;

	va_start(ap, fmt);
	c = report_add(r, e, code, fmt, ap);
	va_end(ap);
	c->has_value = true;
	c->value = value;
	c->state = isfinite(value) ? FW_STATE_OK : FW_STATE_UNKNOWN;
	return c;
}

static struct fw_detail *
detail_slot(struct fw_check *c, const char *key)
{
	struct fw_detail *d;
	size_t i;

	for (i = 0; i < c->n_details; i++) {
		if (strcmp(c->details[i].key, key) == 0) {
			free(c->details[i].str);
			c->details[i].str = NULL;
			return &c->details[i];
		}
	}
	c->details = xreallocarray(c->details, c->n_details + 1,
	    sizeof(*c->details));
	d = &c->details[c->n_details++];
	memset(d, 0, sizeof(*d));
	d->key = xstrdup(key);
	return d;
}

void
check_detail_num(struct fw_check *c, const char *key, double value)
{
	struct fw_detail *d = detail_slot(c, key);

	d->is_num = true;
	d->num = value;
}

void
check_detail_str(struct fw_check *c, const char *key, const char *value)
{
	struct fw_detail *d = detail_slot(c, key);

	d->is_num = false;
	d->str = xstrdup(value);
}
