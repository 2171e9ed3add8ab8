/* The health engine: one state machine per (entity, check) with raise-after, hysteresis, flap damping and re-notify. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/health.h"
#include "forewarn/util.h"

#define HEALTH_MIN_SLOTS 64

/*
 * Open addressing with tombstones, keyed by key + check.  Pending counts
 * and updated_ms are not persisted (not "dirty"): after a restart the
 * count of consecutive results simply starts again.
 */
struct fw_health {
	struct fw_condition	**slots;
	size_t			  n_slots;
	size_t			  n;		/* live */
	size_t			  used;		/* live + tombstones */
};

static struct fw_condition tombstone;

static uint64_t
cond_hash(const char *key, const char *check)
{
	uint64_t h = fw_fnv64(FW_FNV64_SEED, key, strlen(key) + 1);

	return fw_fnv64(h, check, strlen(check));
}

struct fw_health *
health_new(void)
{
	struct fw_health *h = xcalloc(1, sizeof(*h));

	h->n_slots = HEALTH_MIN_SLOTS;
	h->slots = xcalloc(h->n_slots, sizeof(*h->slots));
	return h;
}

static void
cond_free(struct fw_condition *c)
{
	free(c->key);
	free(c->check);
	free(c);
}

void
health_free(struct fw_health *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n_slots; i++)
		if (h->slots[i] != NULL && h->slots[i] != &tombstone)
			cond_free(h->slots[i]);
	free(h->slots);
	free(h);
}

/* The slot holding (key, check), or NULL with *ret_free a usable slot. */
static struct fw_condition **
find_slot(const struct fw_health *h, const char *key, const char *check,
    struct fw_condition ***ret_free)
{
	size_t i = cond_hash(key, check) & (h->n_slots - 1);
	struct fw_condition **free_slot = NULL, *c;

	for (;;) {
		c = h->slots[i];
		if (c == NULL) {
			if (ret_free != NULL)
				*ret_free = free_slot != NULL ? free_slot :
				    &h->slots[i];
			return NULL;
		}
		if (c == &tombstone) {
			if (free_slot == NULL)
				free_slot = &h->slots[i];
		} else if (strcmp(c->key, key) == 0 &&
		    strcmp(c->check, check) == 0) {
			return &h->slots[i];
		}
		i = (i + 1) & (h->n_slots - 1);
	}
}

static void
rehash(struct fw_health *h, size_t n_slots)
{
	struct fw_condition **old = h->slots, **dst;
	size_t i, n_old = h->n_slots;

	h->n_slots = n_slots;
	h->slots = xcalloc(n_slots, sizeof(*h->slots));
	h->used = h->n;
	for (i = 0; i < n_old; i++) {
		if (old[i] == NULL || old[i] == &tombstone)
			continue;
		find_slot(h, old[i]->key, old[i]->check, &dst);
		*dst = old[i];
	}
	free(old);
}

static struct fw_condition *
cond_insert(struct fw_health *h, const char *key, const char *check)
{
	struct fw_condition **slot, *c;

	if ((h->used + 1) * 4 > h->n_slots * 3)
		rehash(h, h->n * 2 + 1 > h->n_slots / 2 ? h->n_slots * 2 :
		    h->n_slots);
	find_slot(h, key, check, &slot);
	if (*slot == NULL)
		h->used++;
	c = xcalloc(1, sizeof(*c));
	c->key = xstrdup(key);
	c->check = xstrdup(check);
	*slot = c;
	h->n++;
	return c;
}

const struct fw_condition *
health_get(const struct fw_health *h, const char *key, const char *check)
{
	struct fw_condition **slot = find_slot(h, key, check, NULL);

	return slot != NULL ? *slot : NULL;
}

void
health_remove(struct fw_health *h, const char *key, const char *check)
{
	struct fw_condition **slot = find_slot(h, key, check, NULL);

	if (slot == NULL)
		return;
	cond_free(*slot);
	*slot = &tombstone;
	h->n--;
}

void
health_restore(struct fw_health *h, const struct fw_condition *src)
{
	struct fw_condition **slot, *c;

	slot = find_slot(h, src->key, src->check, NULL);
	c = slot != NULL ? *slot : cond_insert(h, src->key, src->check);
	c->state = src->state;
	c->announced = src->announced;
	c->pending = src->state;
	c->pending_count = 0;
	c->since_ms = src->since_ms;
	c->last_notify_ms = src->last_notify_ms;
	c->updated_ms = src->updated_ms;
	c->flapping = src->flapping;
	c->n_changes = src->n_changes > FW_FLAP_HISTORY ? FW_FLAP_HISTORY :
	    src->n_changes;
	memcpy(c->changes, src->changes, c->n_changes * sizeof(c->changes[0]));
	c->dirty = false;
}

void
health_foreach(const struct fw_health *h,
    void (*cb)(const struct fw_condition *c, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < h->n_slots; i++)
		if (h->slots[i] != NULL && h->slots[i] != &tombstone)
			cb(h->slots[i], arg);
}

size_t
health_take_dirty(struct fw_health *h,
    void (*cb)(const struct fw_condition *c, void *arg), void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < h->n_slots; i++) {
		if (h->slots[i] == NULL || h->slots[i] == &tombstone ||
		    !h->slots[i]->dirty)
			continue;
		h->slots[i]->dirty = false;
		cb(h->slots[i], arg);
		n++;
	}
	return n;
}

size_t
health_count(const struct fw_health *h)
{
	return h->n;
}

/* ---- classification ---- */

static bool
hit(enum fw_cmp cmp, double v, double t)
{
	return cmp == FW_CMP_ABOVE ? v >= t : v <= t;
}

/* Still past the threshold, allowing for hysteresis, to keep a state. */
static bool
hold(enum fw_cmp cmp, double v, double t, double hyst)
{
	if (hyst <= 0)
		return hit(cmp, v, t);
	return cmp == FW_CMP_ABOVE ? v > t - hyst : v < t + hyst;
}

enum fw_state
health_classify(const struct fw_check_params *p, enum fw_state current,
    double value)
{
	if (isnan(value))
		return FW_STATE_UNKNOWN;
	if (p->cmp == FW_CMP_NONE)
		return FW_STATE_OK;
	if (!isnan(p->critical) && (hit(p->cmp, value, p->critical) ||
	    (current == FW_STATE_CRITICAL &&
	    hold(p->cmp, value, p->critical, p->hysteresis))))
		return FW_STATE_CRITICAL;
	if (!isnan(p->warning) && (hit(p->cmp, value, p->warning) ||
	    ((current == FW_STATE_WARNING || current == FW_STATE_CRITICAL) &&
	    hold(p->cmp, value, p->warning, p->hysteresis))))
		return FW_STATE_WARNING;
	return FW_STATE_OK;
}

/* ---- the state machine ---- */

static int64_t
age(int64_t now, int64_t then)
{
	return now > then ? now - then : 0;
}

/* Forget changes older than the window; returns how many remain. */
static unsigned
changes_in_window(struct fw_condition *c, const struct fw_check_params *p,
    int64_t now)
{
	unsigned i = 0;

	while (i < c->n_changes &&
	    (uint64_t)age(now, c->changes[i]) >= p->flap_window_ms)
		i++;
	if (i > 0) {
		memmove(c->changes, c->changes + i,
		    (c->n_changes - i) * sizeof(c->changes[0]));
		c->n_changes -= i;
	}
	return c->n_changes;
}

static void
record_change(struct fw_condition *c, int64_t now)
{
	if (c->n_changes == FW_FLAP_HISTORY) {
		memmove(c->changes, c->changes + 1,
		    (FW_FLAP_HISTORY - 1) * sizeof(c->changes[0]));
		c->n_changes--;
	}
	c->changes[c->n_changes++] = now;
}

static void
announce(struct fw_condition *c, struct fw_transition *tr,
    enum fw_transition_type type, int64_t now)
{
	tr->type = type;
	tr->state = c->state;
	tr->previous = c->announced;
	c->announced = c->state;
	c->last_notify_ms = now;
	c->dirty = true;
}

/* A confirmed change: announce it, or start or continue flapping. */
static void
confirm_change(struct fw_condition *c, const struct fw_check_params *p,
    enum fw_state observed, int64_t now, struct fw_transition *tr)
{
	unsigned n;

	c->state = observed;
	c->since_ms = now;
	c->pending_count = 0;
	c->dirty = true;
	if (p->flap_window_ms > 0)
		changes_in_window(c, p, now);
	record_change(c, now);
	n = c->n_changes;
	tr->changes = n;
	if (p->flap_changes > 0 && !c->flapping && n >= p->flap_changes) {
		c->flapping = true;
		announce(c, tr, FW_TR_FLAP_START, now);
	} else if (!c->flapping) {
		announce(c, tr, FW_TR_CHANGE, now);
	}
}

/* No change this time: maybe the flapping settled, maybe re-announce. */
static void
steady(struct fw_condition *c, const struct fw_check_params *p, int64_t now,
    struct fw_transition *tr)
{
	int64_t last;

	if (c->flapping) {
		last = c->n_changes > 0 ? c->changes[c->n_changes - 1] : 0;
		if (c->n_changes == 0 ||
		    (uint64_t)age(now, last) >= p->flap_window_ms) {
			c->flapping = false;
			tr->changes = changes_in_window(c, p, now);
			announce(c, tr, FW_TR_FLAP_END, now);
		}
		return;
	}
	if (c->state != FW_STATE_OK && p->renotify_ms[c->state] > 0 &&
	    (uint64_t)age(now, c->last_notify_ms) >= p->renotify_ms[c->state])
		announce(c, tr, FW_TR_RENOTIFY, now);
}

int
health_update(struct fw_health *h, const char *key, const char *check,
    const struct fw_check_params *p, enum fw_state observed,
    const double *value, int64_t now_ms, struct fw_transition *ret)
{
	struct fw_condition **slot, *c;
	unsigned need;

	memset(ret, 0, sizeof(*ret));
	ret->type = FW_TR_NONE;
	if (!p->enabled) {
		ret->observed = observed;
		return 0;
	}
	slot = find_slot(h, key, check, NULL);
	if (slot != NULL) {
		c = *slot;
	} else {
		c = cond_insert(h, key, check);
		c->since_ms = now_ms;
	}
	if (value != NULL)
		observed = health_classify(p, c->state, *value);
	c->updated_ms = now_ms;
	if (observed == c->state) {
		c->pending = c->state;
		c->pending_count = 0;
	} else if (observed == c->pending) {
		c->pending_count++;
	} else {
		c->pending = observed;
		c->pending_count = 1;
	}
	need = observed == FW_STATE_OK ? p->clear_after : p->raise_after;
	if (need == 0)
		need = 1;
	if (observed != c->state && c->pending_count >= need)
		confirm_change(c, p, observed, now_ms, ret);
	else
		steady(c, p, now_ms, ret);
	ret->observed = observed;
	ret->since_ms = c->since_ms;
	if (ret->type != FW_TR_NONE && ret->changes == 0)
		ret->changes = c->n_changes;
	return 0;
}
