/* The "agent" collector: the daemon's own health (store, config reloads, collectors). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/core.h"
#include "forewarn/log.h"
#include "forewarn/outbox.h"
#include "forewarn/util.h"

#define SELF_MAX_INSTANCES 256

static const struct fw_check_def self_checks[] = {
	{ "agent.store_degraded", "the state store is unusable; running in "
	    "memory", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "agent.config_reload_failed", "the last configuration reload was "
	    "rejected; the previous configuration is still running",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "agent.collector_error", "a collector could not start or its last "
	    "poll failed", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "agent.collector_stuck", "a collector's poll held the event loop "
	    "longer than [agent] stuck_after", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    "milliseconds" },
	{ "agent.sink_failing", "a sink cannot deliver: its last attempt "
	    "failed and events wait for it", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    "events" },
	{ "agent.sink_dropped", "events were dropped for a sink that could not "
	    "deliver, to keep the outbox within [agent] outbox_max",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "events" },
	{ .code = NULL }
};

#define SELF_SINKS_MAX	64
#define SELF_DAY_MS	(24LL * 3600 * 1000)

struct self_state {
	struct fw_core	*core;
	struct fw_ctx	*ctx;
};

static int
self_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct self_state *st = xcalloc(1, sizeof(*st));

	st->core = ctx_core(ctx);
	st->ctx = ctx;
	*ret_state = st;
	return 0;
}

static void
self_report_agent(struct self_state *st, struct fw_report *out)
{
	const char *problem = core_store_problem(st->core);
	const char *reload = core_reload_error(st->core);
	struct fw_entity *e;
	struct fw_check *c;

	e = report_entity(out, FW_KIND_AGENT, "forewarnd", "forewarnd");
	entity_label(e, "version", "%s", FW_VERSION);
	if (problem != NULL) {
		c = report_check(out, e, "agent.store_degraded",
		    FW_STATE_CRITICAL, "forewarnd state store degraded, "
		    "running in memory (conditions and undelivered events are "
		    "lost on restart): %s", problem);
		check_detail_str(c, "reason", problem);
	} else {
		report_check(out, e, "agent.store_degraded", FW_STATE_OK,
		    "forewarnd state store is usable");
	}
	if (reload != NULL) {
		c = report_check(out, e, "agent.config_reload_failed",
		    FW_STATE_WARNING, "forewarnd configuration reload "
		    "rejected, previous configuration still running: %s",
		    reload);
		check_detail_str(c, "errors", reload);
	} else {
		report_check(out, e, "agent.config_reload_failed",
		    FW_STATE_OK, "forewarnd configuration is current");
	}
}

static void
self_report_instance(struct self_state *st, struct fw_report *out,
    const struct fw_instance_status *is, uint64_t stuck_ms)
{
	struct fw_entity *e;
	struct fw_check *c;
	char id[256];
	int err;

	char name[256];

	fw_snprintf(id, sizeof(id), "collector/%s", is->name);
	fw_snprintf(name, sizeof(name), "%s collector", is->name);
	e = report_entity(out, FW_KIND_AGENT, id, name);
	entity_label(e, "collector", "%s", is->name);
	err = is->init_error < 0 ? is->init_error : is->poll_error;
	if (err < 0) {
		c = report_check(out, e, "agent.collector_error",
		    FW_STATE_WARNING, "collector '%s' %s: %s", is->name,
		    is->init_error < 0 ? "could not start" : "poll failed",
		    is->error_msg != NULL ? is->error_msg : strerror(-err));
		check_detail_str(c, "error", is->error_msg != NULL ?
		    is->error_msg : strerror(-err));
	} else {
		report_check(out, e, "agent.collector_error", FW_STATE_OK,
		    "collector '%s' works", is->name);
	}
	if (is->polls == 0)
		return;
	c = report_check(out, e, "agent.collector_stuck",
	    (uint64_t)is->last_poll_ms > stuck_ms ? FW_STATE_WARNING :
	    FW_STATE_OK, "collector '%s' last poll took %lld ms (limit %llu ms)",
	    is->name, (long long)is->last_poll_ms,
	    (unsigned long long)stuck_ms);
	check_detail_num(c, "poll_ms", (double)is->last_poll_ms);
	check_detail_num(c, "limit_ms", (double)stuck_ms);
	report_reading(out, e, "collector_poll_seconds", "seconds",
	    (double)is->last_poll_ms / 1000.0, NULL, NULL);
}

/*
 * A sink that cannot deliver is itself an alert, carried by the other
 * sinks: an alert that never arrives must not be silent.
 */
static void
self_report_sinks(struct self_state *st, struct fw_report *out)
{
	struct fw_sink_stats ss[SELF_SINKS_MAX];
	struct fw_entity *e;
	struct fw_check *c;
	char id[128], name[128];
	double dropped;
	size_t i, n = core_sink_stats(st->core, ss, SELF_SINKS_MAX);

	for (i = 0; i < n; i++) {
		fw_snprintf(id, sizeof(id), "sink/%s", ss[i].name);
		fw_snprintf(name, sizeof(name), "sink %s", ss[i].name);
		e = report_entity(out, FW_KIND_AGENT, id, name);
		entity_label(e, "sink", "%s", ss[i].name);
		if (ss[i].last_error < 0 && ss[i].backlog > 0) {
			c = report_check(out, e, "agent.sink_failing",
			    FW_STATE_WARNING, "sink '%s' cannot deliver (%s); "
			    "%lld events wait for it", ss[i].name,
			    strerror(-ss[i].last_error),
			    (long long)ss[i].backlog);
			check_detail_str(c, "error",
			    strerror(-ss[i].last_error));
		} else {
			c = report_check(out, e, "agent.sink_failing",
			    FW_STATE_OK, "sink '%s' delivers (%lld waiting)",
			    ss[i].name, (long long)ss[i].backlog);
		}
		check_detail_num(c, "backlog", (double)ss[i].backlog);
		check_detail_num(c, "delivered", (double)ss[i].delivered);
		check_detail_num(c, "rejected", (double)ss[i].rejected);
		dropped = ctx_rise(st->ctx, e, "sink_dropped",
		    (double)ss[i].dropped, SELF_DAY_MS);
		c = report_check(out, e, "agent.sink_dropped", dropped > 0 ?
		    FW_STATE_WARNING : FW_STATE_OK, dropped > 0 ? "sink '%s': "
		    "%.0f undelivered events dropped within a day (outbox_max); "
		    "each condition's newest event was kept" : "sink '%s': "
		    "nothing dropped", ss[i].name, dropped);
		check_detail_num(c, "dropped", dropped);
		report_reading(out, e, "sink_backlog_events", "events",
		    (double)ss[i].backlog, NULL, NULL);
	}
}

static int
self_poll(void *state, struct fw_report *out)
{
	struct fw_instance_status is[SELF_MAX_INSTANCES];
	struct self_state *st = state;
	int64_t slept = clock_suspended_us();
	size_t i, n;

	/* Timers are monotonic, so a resume brings no burst; say it happened. */
	if (slept > 0)
		log_info("resumed after %lld s of suspend",
		    (long long)(slept / 1000000));
	self_report_agent(st, out);
	self_report_sinks(st, out);
	n = core_instances(st->core, is, FW_ARRAY_SIZE(is));
	for (i = 0; i < n; i++)
		self_report_instance(st, out, &is[i],
		    core_conf(st->core)->agent.stuck_ms);
	return 0;
}

static void
self_teardown(void *state)
{
	free(state);
}

static const struct fw_conf_key self_keys[] = { { .name = NULL } };

const struct fw_collector agent_collector = {
	.name = "agent",
	.interval_ms = 60 * 1000,
	.keys = self_keys,
	.checks = self_checks,
	.init = self_init,
	.poll = self_poll,
	.teardown = self_teardown,
};
