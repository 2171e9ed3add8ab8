/*
 * The health engine: one state machine per (entity, check) with raise-after,
 * clear-after, numeric hysteresis, flap detection, re-notification and
 * recovery.  Times are wall milliseconds because conditions persist across
 * restarts (and reboots) in the store.
 */
#ifndef FOREWARN_HEALTH_H
#define FOREWARN_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forewarn/model.h"

#define FW_FLAP_HISTORY 32	/* confirmed changes remembered per condition */

struct fw_condition {
	char		*key;		/* entity key "kind/id" */
	char		*check;		/* check code */
	enum fw_state	 state;		/* confirmed */
	enum fw_state	 announced;	/* last state an event carried; differs
					   from state only while flapping */
	enum fw_state	 pending;	/* candidate state being counted */
	unsigned	 pending_count;
	int64_t		 since_ms;	/* when state was entered */
	int64_t		 last_notify_ms;	/* last event emitted */
	int64_t		 updated_ms;	/* last result */
	bool		 flapping;
	unsigned	 n_changes;
	int64_t		 changes[FW_FLAP_HISTORY];	/* oldest first */
	bool		 dirty;		/* changed since health_take_dirty */
};

enum fw_transition_type {
	FW_TR_NONE,		/* nothing to announce */
	FW_TR_CHANGE,		/* state changed (raise, escalate, clear) */
	FW_TR_RENOTIFY,		/* still in a bad state: announce again */
	FW_TR_FLAP_START,	/* too many changes: one event, then quiet */
	FW_TR_FLAP_END,		/* settled: announce the current state */
};

struct fw_transition {
	enum fw_transition_type	type;
	enum fw_state		state;		/* announced now */
	enum fw_state		previous;	/* announced before */
	enum fw_state		observed;	/* this result, after hysteresis */
	unsigned		changes;	/* changes within the flap window */
	int64_t			since_ms;
};

struct fw_health;

struct fw_health	*health_new(void);
void			 health_free(struct fw_health *h);

/*
 * Classify a numeric value against p's thresholds, keeping a state that is
 * already announced until the value is hysteresis back past its threshold.
 */
enum fw_state	health_classify(const struct fw_check_params *p,
		    enum fw_state current, double value);

/*
 * Feed one result.  For a numeric check pass value (classified with
 * health_classify against the announced state); else value is NULL and
 * observed is the collector's verdict.  Fills ret (type FW_TR_NONE when
 * there is nothing to announce) and returns 0.
 *
 * A condition seen for the first time starts at ok without an event.
 */
int	health_update(struct fw_health *h, const char *key, const char *check,
	    const struct fw_check_params *p, enum fw_state observed,
	    const double *value, int64_t now_ms, struct fw_transition *ret);

const struct fw_condition *health_get(const struct fw_health *h,
		    const char *key, const char *check);
/* Load a persisted condition at start-up (not marked dirty). */
void	health_restore(struct fw_health *h, const struct fw_condition *c);
void	health_remove(struct fw_health *h, const char *key, const char *check);
/* Visit every condition; conditions are visited in no fixed order. */
void	health_foreach(const struct fw_health *h,
	    void (*cb)(const struct fw_condition *c, void *arg), void *arg);
/* Visit the dirty conditions and mark them clean; returns how many. */
size_t	health_take_dirty(struct fw_health *h,
	    void (*cb)(const struct fw_condition *c, void *arg), void *arg);
size_t	health_count(const struct fw_health *h);

#endif
