/* The shared vocabulary: entity kinds, states, check definitions. */
#ifndef FOREWARN_MODEL_H
#define FOREWARN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum fw_kind {
	FW_KIND_HOST,
	FW_KIND_DISK,
	FW_KIND_ARRAY,
	FW_KIND_CONTROLLER,
	FW_KIND_NIC,
	FW_KIND_BOND,
	FW_KIND_SENSOR,
	FW_KIND_MEMORY,
	FW_KIND_ROUTER,
	FW_KIND_ROUTER_LINK,
	FW_KIND_BGP_PEER,
	FW_KIND_AGENT,
	FW_KIND_FILESYSTEM,
	FW_KIND_COUNT
};

/* Ordered by badness except UNKNOWN, which means "could not read". */
enum fw_state {
	FW_STATE_OK = 0,
	FW_STATE_WARNING = 1,
	FW_STATE_CRITICAL = 2,
	FW_STATE_UNKNOWN = 3,
	FW_STATE_COUNT
};

const char	*kind_name(enum fw_kind kind);
int		 kind_from_name(const char *name, enum fw_kind *ret);
const char	*state_name(enum fw_state state);
int		 state_from_name(const char *name, enum fw_state *ret);
/* Event severity of a state: ok → info, warning, critical, unknown → warning. */
const char	*state_severity(enum fw_state state);
/* Worse-of for summaries and exit codes: critical > warning > unknown > ok. */
enum fw_state	 state_worst(enum fw_state a, enum fw_state b);

/* How a numeric check compares its value with its thresholds. */
enum fw_cmp {
	FW_CMP_NONE,	/* state evidence: the collector decides */
	FW_CMP_ABOVE,	/* bad when value >= threshold */
	FW_CMP_BELOW,	/* bad when value <= threshold */
};

/*
 * A check as a collector declares it.  Codes are API (central routing
 * rules match on them) and every one is listed in docs/checks.md.
 * Thresholds are NAN when unused.
 */
struct fw_check_def {
	const char	*code;		/* "host.memory" */
	const char	*title;		/* one line: what it watches */
	enum fw_cmp	 cmp;
	double		 warning;
	double		 critical;
	double		 hysteresis;	/* clear only this far back past the threshold */
	unsigned	 raise_after;	/* consecutive results before raising (0 = 1) */
	unsigned	 clear_after;	/* consecutive results before clearing (0 = 1) */
	const char	*unit;		/* of value: "percent", "celsius", "count" */
};

/* A check's parameters after configuration overrides are applied. */
struct fw_check_params {
	bool		 enabled;
	enum fw_cmp	 cmp;
	double		 warning;
	double		 critical;
	double		 hysteresis;
	unsigned	 raise_after;	/* >= 1 */
	unsigned	 clear_after;	/* >= 1 */
	/* Re-announce a still-active state after this long; 0 = never. */
	uint64_t	 renotify_ms[FW_STATE_COUNT];
	/* This many confirmed changes within flap_window_ms = flapping; 0 = off. */
	unsigned	 flap_changes;
	uint64_t	 flap_window_ms;
};

#endif
