/*
 * The contract between the core and a collector (chrony's RefclockDriver,
 * nano-exporter's struct collector).  This is the only header a collector
 * needs; everything in a collector file but its struct fw_collector is
 * static.
 */
#ifndef FOREWARN_COLLECTOR_H
#define FOREWARN_COLLECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "forewarn/conf.h"
#include "forewarn/model.h"
#include "forewarn/report.h"

struct fw_ctx;		/* what the core lends one collector instance */
struct fw_probe;

struct fw_collector {
	const char	*name;		/* section name and registry key */
	unsigned	 interval_ms;	/* default period; 0 = fd-driven only */
	bool		 instances;	/* one instance per [name:INSTANCE] */
	const struct fw_conf_key *keys;	/* its section's keys (enabled and
					   interval are implied) */
	const struct fw_check_def *checks;	/* ends with { NULL } */

	/*
	 * cs may be NULL (no section): use defaults.  0 or -errno; on an
	 * error a state already stored in *ret_state is torn down.
	 */
	int	(*init)(const struct fw_conf_section *cs, struct fw_ctx *ctx,
		    void **ret_state);
	/* One pass: report everything.  Must not block. */
	int	(*poll)(void *state, struct fw_report *out);
	/* A watched fd is ready.  May be NULL when nothing is watched. */
	int	(*ready)(void *state, int fd, uint32_t events,
		    struct fw_report *out);
	/* NULL-safe and safe on a half-built state (a failed init). */
	void	(*teardown)(void *state);
};

/*
 * Have ready() called when fd has events (EPOLLIN, EPOLLPRI, ...): news the
 * kernel pushes.  Not watched under --once, which reports one pass.
 */
int	ctx_watch_fd(struct fw_ctx *ctx, int fd, uint32_t events);
/*
 * The same for an fd that carries answers to this instance's own requests
 * (an SNMP session): watched under --once too, which waits for them while
 * the instance holds work in flight (ctx_hold).
 */
int	ctx_watch_answers(struct fw_ctx *ctx, int fd, uint32_t events);
/*
 * Requests in flight (delta +1 when sent, -1 when answered or given up):
 * --once settles only when every instance holds none, or its time is up.
 */
void	ctx_hold(struct fw_ctx *ctx, int delta);
/*
 * A one-shot timer of the instance (a library's retransmissions, a re-poll
 * held off); cb runs from the loop and may report through
 * ctx_report_open().  0 is never an id.  Timers still pending at teardown
 * are the collector's to delete there.
 */
uint64_t ctx_add_timer(struct fw_ctx *ctx, int64_t delay_ms,
	    void (*cb)(void *arg), void *arg);
void	ctx_del_timer(struct fw_ctx *ctx, uint64_t id);
int	ctx_unwatch_fd(struct fw_ctx *ctx, int fd);
/* Ask for a poll() soon, e.g. after a uevent said something changed. */
void	ctx_request_poll(struct fw_ctx *ctx);
/*
 * Poll again within delay_ms, earlier than the interval: to follow
 * something in progress (a rebuild) that sends no notification per step.
 */
void	ctx_poll_after(struct fw_ctx *ctx, int64_t delay_ms);
/*
 * Persisted baselines, so a counter compares with what was seen before a
 * restart: store current under (entity, name) and return the previous value
 * in ret_previous.  -ENOENT when there was none (first sight).
 */
int	ctx_baseline(struct fw_ctx *ctx, const struct fw_entity *e,
	    const char *name, double current, double *ret_previous);
/*
 * How much a counter rose within a window: current minus the value it had
 * when the window (window_ms long, persisted under name) began.  The first
 * sight, a counter that went back (reset, re-added device) and a wall clock
 * stepped back start a new window and give 0.
 */
double	ctx_rise(struct fw_ctx *ctx, const struct fw_entity *e,
	    const char *name, double current, int64_t window_ms);

/* Read a baseline without replacing it: -ENOENT when there is none. */
int	ctx_baseline_peek(struct fw_ctx *ctx, const struct fw_entity *e,
	    const char *name, double *ret_value, int64_t *ret_time_ms);

/* The instance name of [name:INSTANCE], or NULL. */
const char *ctx_instance(const struct fw_ctx *ctx);

/*
 * Results that arrive outside poll() and ready() — a probe helper's reply,
 * an SNMP response — go into a report of their own: open it, report, commit.
 * The commit evaluates and persists like the end of a poll.
 */
struct fw_report *ctx_report_open(struct fw_ctx *ctx);
void	ctx_report_commit(struct fw_ctx *ctx, struct fw_report *r);
/* Close one without evaluating it (it served to look an entity up). */
void	ctx_report_discard(struct fw_ctx *ctx, struct fw_report *r);

/*
 * Say that work finished outside poll() failed (err -errno, and what: the
 * tool, the place in its output), or works again (err 0, fmt NULL): the
 * agent's agent.collector_error check carries it.
 */
void	ctx_fail(struct fw_ctx *ctx, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * The conditions of this collector's checks that are not ok (restored from
 * the store at start, or raised since): entity kind and id, check, state.
 * A collector that reports only when something happens (the kernel log)
 * uses it to keep judging what it raised before a restart.
 */
void	ctx_conditions(struct fw_ctx *ctx,
	    void (*cb)(enum fw_kind kind, const char *id, const char *check,
	    enum fw_state state, void *arg), void *arg);

/* The shared device probe helper (probe.h), started on first use. */
struct fw_probe *ctx_probe(struct fw_ctx *ctx);
/*
 * A second helper for vendor tools (probe_exec()): a slow storcli run must
 * not hold up the disk probes queued behind it.
 */
struct fw_probe *ctx_tools(struct fw_ctx *ctx);

#endif
