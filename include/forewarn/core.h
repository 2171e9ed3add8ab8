/*
 * The core: runs collector instances on the loop, turns their reports into
 * health transitions and events, persists state and feeds the outbox.
 * Data flows one way: collectors → health → events → store → sinks.
 */
#ifndef FOREWARN_CORE_H
#define FOREWARN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forewarn/conf.h"

struct fw_loop;
struct fw_inventory;
struct fw_core;
struct fw_ctx;

struct fw_core_opts {
	const char	*state_dir;	/* overrides [agent] state_dir */
	bool		 once;		/* one scan: no health, no sinks, store read-only */
};

/* What the agent's self-check collector reports on. */
struct fw_instance_status {
	const char	*name;		/* "host", "snmp:core1" */
	int		 init_error;	/* -errno, 0 when running */
	int		 poll_error;	/* last poll's -errno, 0 when fine */
	const char	*error_msg;	/* what failed, when said (ctx_fail) */
	int64_t		 last_poll_ms;	/* duration of the last poll */
	uint64_t	 polls;
};

struct fw_core	*core_new(struct fw_loop *loop, struct fw_conf *conf,
		    const struct fw_core_opts *opts);
/* Takes ownership of conf.  Opens the store, sinks and collectors. */
int		 core_start(struct fw_core *core);
/* Poll every collector instance now (SIGUSR1, --once). */
void		 core_scan_all(struct fw_core *core);
/*
 * Run the loop until every device probe the scan started has answered or
 * met its deadline (--once), at most timeout_ms.
 */
void		 core_settle(struct fw_core *core, int64_t timeout_ms);
/*
 * Replace the configuration (SIGHUP): conf is already validated.  Takes
 * ownership of conf.  Collectors and sinks are restarted; health survives.
 */
void		 core_reload(struct fw_core *core, struct fw_conf *conf);
/* Remember that a reload failed (NULL: the last reload worked). */
void		 core_set_reload_error(struct fw_core *core, const char *msg);
void		 core_free(struct fw_core *core);

struct fw_inventory	*core_inventory(struct fw_core *core);
const struct fw_conf	*core_conf(const struct fw_core *core);
const char		*core_host(const struct fw_core *core);
uint64_t		 core_scans(const struct fw_core *core);
/* Total events accepted into the outbox since start. */
uint64_t		 core_events(const struct fw_core *core);

/* For the self-check collector. */
struct fw_core	*ctx_core(struct fw_ctx *ctx);
const char	*core_store_problem(const struct fw_core *core);
const char	*core_reload_error(const struct fw_core *core);
struct fw_sink_stats;
/* Each sink's delivery figures (none in --once). */
size_t		 core_sink_stats(struct fw_core *core,
		    struct fw_sink_stats *ret, size_t max);
size_t		 core_instances(const struct fw_core *core,
		    struct fw_instance_status *ret, size_t max);

#endif
