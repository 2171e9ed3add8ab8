/*
 * The outbox: events go into the store first, then to every configured sink,
 * each with its own cursor, in order, with capped exponential backoff and
 * jitter on transient failures.  A slow or dead sink never delays another.
 */
#ifndef FOREWARN_OUTBOX_H
#define FOREWARN_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "forewarn/conf.h"
#include "forewarn/sink.h"

struct fw_inventory;
struct fw_loop;
struct fw_store;
struct fw_outbox;

struct fw_sink_stats {
	const char	*name;
	uint64_t	 delivered;
	uint64_t	 retried;	/* transient failures */
	uint64_t	 rejected;	/* permanent failures, skipped */
	uint64_t	 dropped;	/* lost to the outbox bound, all told */
	int64_t		 cursor;
	int64_t		 backlog;	/* events after the cursor */
	int		 last_error;	/* -errno of the last failure, or 0 */
};

struct fw_outbox	*outbox_new(struct fw_loop *loop, struct fw_store *store);
void			 outbox_free(struct fw_outbox *ob);

/*
 * Start a sink.  A sink seen for the first time starts after the newest
 * event already in the store; a known one resumes at its cursor, so events
 * accepted before a crash are delivered after the restart.
 */
int	outbox_add_sink(struct fw_outbox *ob, const char *name,
	    const struct fw_sink_type *type, const struct fw_conf_section *cs,
	    const char *host);
/* The inventory sinks may read (set before they start). */
void	outbox_set_inventory(struct fw_outbox *ob, struct fw_inventory *inv);
/*
 * Start every enabled [sink:NAME] of conf (stdout when there is none).
 * Returns how many started.
 */
size_t	outbox_add_configured(struct fw_outbox *ob, const struct fw_conf *conf);
/* Tear down every sink (reload, exit).  Cursors stay in the store. */
void	outbox_clear_sinks(struct fw_outbox *ob);

/* Persist an event, then try to deliver it.  0 or -errno. */
int	outbox_append(struct fw_outbox *ob, int64_t time_ms,
	    const char *fingerprint, const char *json, size_t len);
/* Try to deliver whatever is pending to every sink that is not waiting. */
void	outbox_kick(struct fw_outbox *ob);
/*
 * Keep at most max undelivered events (store_backlog_trim): what a dead
 * sink misses is counted in its stats and logged.  Removed, or -errno.
 */
int	outbox_trim(struct fw_outbox *ob, unsigned max);
/* Events not yet delivered to the slowest sink. */
int64_t	outbox_backlog(struct fw_outbox *ob);
size_t	outbox_stats(struct fw_outbox *ob, struct fw_sink_stats *ret,
	    size_t max);

#endif
