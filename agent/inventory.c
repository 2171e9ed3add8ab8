/* Every entity collectors have reported, with labels, relations, readings and results. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/inventory.h"
#include "forewarn/log.h"
#include "forewarn/util.h"

#define INV_BUCKETS_MIN 64

struct fw_inventory {
	struct fw_entity	**slots;	/* open addressing by key */
	size_t			  n_slots;
	size_t			  n;
	struct fw_entity	**sorted;	/* for inventory_list */
	size_t			  n_sorted;
};

static uint64_t
entity_hash(enum fw_kind kind, const char *id)
{
	uint64_t h = fw_fnv64(FW_FNV64_SEED, &kind, sizeof(kind));

	return fw_fnv64(h, id, strlen(id));
}

struct fw_inventory *
inventory_new(void)
{
	struct fw_inventory *inv = xcalloc(1, sizeof(*inv));

	inv->n_slots = INV_BUCKETS_MIN;
	inv->slots = xcalloc(inv->n_slots, sizeof(*inv->slots));
	return inv;
}

void
check_clear(struct fw_check *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_details; i++) {
		free(c->details[i].key);
		free(c->details[i].str);
	}
	free(c->details);
	free(c->code);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

static void
entity_free(struct fw_entity *e)
{
	size_t i;

	for (i = 0; i < e->n_labels; i++) {
		free(e->labels[i].key);
		free(e->labels[i].value);
	}
	for (i = 0; i < e->n_relations; i++) {
		free(e->relations[i].relation);
		free(e->relations[i].id);
	}
	for (i = 0; i < e->n_readings; i++) {
		free(e->readings[i].metric);
		free(e->readings[i].unit);
		free(e->readings[i].label_key);
		free(e->readings[i].label_value);
	}
	for (i = 0; i < e->n_checks; i++)
		check_clear(&e->checks[i]);
	free(e->labels);
	free(e->relations);
	free(e->readings);
	free(e->checks);
	free(e->id);
	free(e->key);
	free(e->name);
	free(e);
}

void
inventory_free(struct fw_inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->n_slots; i++)
		if (inv->slots[i] != NULL)
			entity_free(inv->slots[i]);
	free(inv->slots);
	free(inv->sorted);
	free(inv);
}

static size_t
slot_of(const struct fw_inventory *inv, enum fw_kind kind, const char *id)
{
	size_t i = entity_hash(kind, id) & (inv->n_slots - 1);

	while (inv->slots[i] != NULL && (inv->slots[i]->kind != kind ||
	    strcmp(inv->slots[i]->id, id) != 0))
		i = (i + 1) & (inv->n_slots - 1);
	return i;
}

static void
grow(struct fw_inventory *inv)
{
	struct fw_entity **old = inv->slots;
	size_t i, n_old = inv->n_slots;

	inv->n_slots *= 2;
	inv->slots = xcalloc(inv->n_slots, sizeof(*inv->slots));
	for (i = 0; i < n_old; i++)
		if (old[i] != NULL)
			inv->slots[slot_of(inv, old[i]->kind, old[i]->id)] = old[i];
	free(old);
}

struct fw_entity *
inventory_find(const struct fw_inventory *inv, enum fw_kind kind, const char *id)
{
	return inv->slots[slot_of(inv, kind, id)];
}

struct fw_entity *
inventory_get(struct fw_inventory *inv, enum fw_kind kind, const char *id,
    const char *name)
{
	struct fw_entity *e;
	size_t i;

	i = slot_of(inv, kind, id);
	e = inv->slots[i];
	if (e != NULL) {
		if (name != NULL && strcmp(e->name, name) != 0) {
			/* A rename is not a new entity: the id is the identity. */
			free(e->name);
			e->name = xstrdup(name);
		}
		return e;
	}
	if ((inv->n + 1) * 4 > inv->n_slots * 3) {
		grow(inv);
		i = slot_of(inv, kind, id);
	}
	e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->id = xstrdup(id);
	e->key = xasprintf("%s/%s", kind_name(kind), id);
	e->name = xstrdup(name != NULL ? name : id);
	inv->slots[i] = e;
	inv->n++;
	return e;
}

static int
entity_cmp(const void *a, const void *b)
{
	const struct fw_entity *x = *(const struct fw_entity *const *)a;
	const struct fw_entity *y = *(const struct fw_entity *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->id, y->id);
}

size_t
inventory_list(struct fw_inventory *inv, struct fw_entity ***ret)
{
	size_t i, n = 0;

	inv->sorted = xreallocarray(inv->sorted, inv->n, sizeof(*inv->sorted));
	for (i = 0; i < inv->n_slots; i++)
		if (inv->slots[i] != NULL)
			inv->sorted[n++] = inv->slots[i];
	qsort(inv->sorted, n, sizeof(*inv->sorted), entity_cmp);
	inv->n_sorted = n;
	*ret = inv->sorted;
	return n;
}

const char *
entity_label_get(const struct fw_entity *e, const char *key)
{
	size_t i;

	for (i = 0; i < e->n_labels; i++)
		if (strcmp(e->labels[i].key, key) == 0)
			return e->labels[i].value;
	return NULL;
}

enum fw_state
entity_state(const struct fw_entity *e)
{
	enum fw_state s = FW_STATE_OK;
	size_t i;

	for (i = 0; i < e->n_checks; i++)
		s = state_worst(s, e->checks[i].state);
	return s;
}

const struct fw_detail *
check_detail_get(const struct fw_check *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_details; i++)
		if (strcmp(c->details[i].key, key) == 0)
			return &c->details[i];
	return NULL;
}

void
entity_store_check(struct fw_entity *e, struct fw_check *c)
{
	size_t i;

	for (i = 0; i < e->n_checks; i++) {
		if (strcmp(e->checks[i].code, c->code) == 0) {
			check_clear(&e->checks[i]);
			e->checks[i] = *c;
			memset(c, 0, sizeof(*c));
			return;
		}
	}
	e->checks = xreallocarray(e->checks, e->n_checks + 1, sizeof(*e->checks));
	e->checks[e->n_checks++] = *c;
	memset(c, 0, sizeof(*c));
}
