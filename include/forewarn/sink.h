/*
 * The contract of an alert destination.  Sinks see only finished event
 * records (schema v1 JSON) from the store's outbox, each with its sequence
 * number; the outbox keeps one cursor per sink and retries with backoff.
 */
#ifndef FOREWARN_SINK_H
#define FOREWARN_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "forewarn/conf.h"

struct fw_inventory;
struct fw_loop;
struct fw_outbox;
struct fw_sink;		/* the outbox's handle of one configured sink */

/* What deliver() may return besides 0 (delivered) and -errno. */
#define FW_SINK_PENDING	1	/* accepted; outbox_done() follows */

struct fw_sink_env {
	struct fw_loop	*loop;		/* for fds and timers of async sinks */
	const char	*host;
	struct fw_sink	*sink;		/* pass back to outbox_done() */
	/*
	 * The newest event of every condition ever announced, oldest first
	 * (json NULL for a record failing its checksum): a sink that keeps a
	 * set of alerts current (Alertmanager) rebuilds it at start.  cb
	 * returns non-zero to stop.  The number visited or -errno.
	 */
	int	(*latest)(void *arg, int (*cb)(int64_t seq, const char *json,
		    size_t len, void *cbarg), void *cbarg);
	void		*latest_arg;
	/*
	 * What the agent knows now (entities, checks, readings), for a sink
	 * that serves state rather than events (Prometheus); read it only
	 * from the loop.  NULL in --test-alert.
	 */
	struct fw_inventory	*inventory;
	/* The agent's state directory, for a library's own files; or NULL. */
	const char		*state_dir;
};

struct fw_sink_type {
	const char		*type;		/* "stdout" */
	const struct fw_conf_key *keys;		/* keys besides type */
	/*
	 * 0 or -errno; on an error a state already stored in *ret_state is
	 * torn down (teardown is safe on a half-built state).
	 */
	int	(*init)(const struct fw_conf_section *cs,
		    const struct fw_sink_env *env, void **ret_state);
	/*
	 * Deliver one event.  0: delivered.  FW_SINK_PENDING: in flight, the
	 * sink calls outbox_done() later.  -EAGAIN (or any transient -errno
	 * such as -ECONNREFUSED, -ETIMEDOUT): retry after backoff.  -EINVAL or
	 * -EPERM: permanent rejection; the event is skipped, logged and counted.
	 */
	int	(*deliver)(void *state, int64_t seq, const char *json, size_t len);
	void	(*teardown)(void *state);
};

/*
 * Completion of a FW_SINK_PENDING delivery; rc as deliver() would return.
 * It may come at any time after deliver() was called, even from inside it.
 */
void	outbox_done(struct fw_sink *sink, int64_t seq, int rc);

#endif
