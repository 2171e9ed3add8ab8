/*
 * The store: SQLite (WAL) in the state directory holding the active
 * conditions, per-check baselines, the event outbox/history with one cursor
 * per sink, and small meta values.  When the file cannot be opened, is
 * corrupt, or a write fails later, the store moves to an in-memory database
 * (copying what it can) and reports itself degraded: the agent keeps
 * running and says so loudly (agent.store_degraded), it never crash-loops.
 */
#ifndef FOREWARN_STORE_H
#define FOREWARN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forewarn/health.h"

#define FW_STORE_FILE "state.db"

struct fw_store;

/*
 * Take the state directory for this process (flock on DIR/forewarnd.lock),
 * so two daemons never share one store.  Returns the lock fd (kept open for
 * the life of the process), -EWOULDBLOCK when another process holds it, or
 * another -errno when the lock file cannot be made (the store will then
 * degrade on its own).
 */
int		 store_lock(const char *dir);

/*
 * Open DIR/state.db, creating DIR (0750) and the schema as needed.  Never
 * fails: on any problem the store is in memory and degraded.  readonly:
 * open an existing file without writing (for --once); an absent file gives
 * an empty in-memory store that is not counted as degraded.
 */
struct fw_store	*store_open(const char *dir, bool readonly);
void		 store_close(struct fw_store *s);
bool		 store_degraded(const struct fw_store *s);
/* Why it is degraded ("state.db: database disk image is malformed"). */
const char	*store_reason(const struct fw_store *s);
const char	*store_path(const struct fw_store *s);

/* Group writes; nesting is not supported. 0 or -EIO. */
int	store_begin(struct fw_store *s);
int	store_commit(struct fw_store *s);

int	store_condition_put(struct fw_store *s, const struct fw_condition *c);
int	store_condition_delete(struct fw_store *s, const char *key,
	    const char *check);
/* Calls cb for every persisted condition; cb's c is valid during the call. */
int	store_conditions_load(struct fw_store *s,
	    void (*cb)(const struct fw_condition *c, void *arg), void *arg);

/* -ENOENT when absent. */
int	store_baseline_get(struct fw_store *s, const char *key,
	    const char *name, double *ret_value, int64_t *ret_time_ms);
int	store_baseline_put(struct fw_store *s, const char *key,
	    const char *name, double value, int64_t time_ms);

/* Append an event to the outbox; ret_seq gets its sequence number (> 0). */
int	store_event_append(struct fw_store *s, int64_t time_ms,
	    const char *fingerprint, const char *json, size_t len,
	    int64_t *ret_seq);
/*
 * Call cb for up to max events with seq > after, in order.  cb returns 0
 * to go on, non-zero to stop.  A record that fails its checksum is logged
 * and passed with json NULL, so the caller can step past it.  Returns the
 * number visited or -errno.
 */
int	store_events_after(struct fw_store *s, int64_t after, unsigned max,
	    int (*cb)(int64_t seq, const char *json, size_t len, void *arg),
	    void *arg);
/*
 * The newest event of every fingerprint (condition), oldest first, the same
 * way: what a sink that keeps a set of alerts current rebuilds it from.
 * Pruning never removes these.
 */
int	store_events_latest(struct fw_store *s,
	    int (*cb)(int64_t seq, const char *json, size_t len, void *arg),
	    void *arg);
int64_t	store_last_seq(struct fw_store *s);
/* -ENOENT when the sink has no cursor yet. */
int	store_cursor_get(struct fw_store *s, const char *sink, int64_t *ret_seq);
int	store_cursor_put(struct fw_store *s, const char *sink, int64_t seq);
/*
 * Keep at most keep events, never removing one a known sink cursor has not
 * passed, nor the newest of a fingerprint.  Returns the number removed or
 * -errno.
 */
int	store_prune(struct fw_store *s, unsigned keep);

/*
 * Bound what waits for slow sinks: drop events older than the newest max,
 * except the newest of each fingerprint (every condition's current state
 * still reaches every sink).  ret_dropped[i] gets how many of them the sink
 * at cursors[i] had not passed.  The number removed or -errno.
 */
int	store_backlog_trim(struct fw_store *s, unsigned max,
	    const int64_t *cursors, size_t n, uint64_t *ret_dropped);

/* Small values such as the kernel log sequence; -ENOENT when absent. */
int	store_meta_get(struct fw_store *s, const char *key, char *buf,
	    size_t size);
int	store_meta_put(struct fw_store *s, const char *key, const char *value);

#endif
