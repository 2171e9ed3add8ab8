/* The outbox: events into the store first, then to every sink in order, each with its own cursor and backoff. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/registry.h"
#include "forewarn/store.h"
#include "forewarn/util.h"

#define OUTBOX_BATCH		64
#define OUTBOX_BACKOFF_MIN_MS	1000
#define OUTBOX_BACKOFF_MAX_MS	(5 * 60 * 1000)

struct fw_sink {
	struct fw_outbox		*ob;
	char				*name;
	const struct fw_sink_type	*type;
	void				*state;
	int64_t				 cursor;	/* last seq done */
	int64_t				 in_flight;	/* pending seq or 0 */
	fw_timer_id			 retry_timer;
	int64_t				 backoff_ms;
	struct fw_sink_stats		 stats;
	bool				 busy;		/* in sink_kick */
	int64_t				 delivering;	/* seq inside deliver() */
	int				 early_rc;	/* done() came first */
};

struct fw_outbox {
	struct fw_loop	*loop;
	struct fw_store	*store;
	struct fw_inventory *inv;
	struct fw_sink	**sinks;
	size_t		  n_sinks;
};

static void	sink_kick(struct fw_sink *sk);

struct fw_outbox *
outbox_new(struct fw_loop *loop, struct fw_store *store)
{
	struct fw_outbox *ob = xcalloc(1, sizeof(*ob));

	ob->loop = loop;
	ob->store = store;
	return ob;
}

void
outbox_free(struct fw_outbox *ob)
{
	if (ob == NULL)
		return;
	outbox_clear_sinks(ob);
	free(ob);
}

static int
outbox_latest(void *arg, int (*cb)(int64_t seq, const char *json,
    size_t len, void *cbarg), void *cbarg)
{
	struct fw_outbox *ob = arg;

	return store_events_latest(ob->store, cb, cbarg);
}

int
outbox_add_sink(struct fw_outbox *ob, const char *name,
    const struct fw_sink_type *type, const struct fw_conf_section *cs,
    const char *host)
{
	struct fw_sink_env env = { 0 };
	struct fw_sink *sk = xcalloc(1, sizeof(*sk));
	char dir[4096], *slash;
	int rc;

	sk->ob = ob;
	sk->name = xstrdup(name);
	sk->type = type;
	env.loop = ob->loop;
	env.host = host;
	env.sink = sk;
	env.latest = outbox_latest;
	env.latest_arg = ob;
	env.inventory = ob->inv;
	fw_strlcpy(dir, store_path(ob->store), sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		env.state_dir = dir;
	}
	rc = type->init(cs, &env, &sk->state);
	if (rc < 0) {
		log_warnx("sink '%s' (%s) could not start: %s", name,
		    type->type, strerror(-rc));
		/* The half-built state is the sink's to free. */
		if (sk->state != NULL && type->teardown != NULL)
			type->teardown(sk->state);
		free(sk->name);
		free(sk);
		return rc;
	}
	rc = store_cursor_get(ob->store, name, &sk->cursor);
	if (rc < 0) {
		if (rc != -ENOENT)
			log_warnx("sink '%s': no cursor in the store (%s); "
			    "starting after the newest event", name,
			    strerror(-rc));
		/* A new sink starts with what happens from now on. */
		sk->cursor = store_last_seq(ob->store);
		store_cursor_put(ob->store, name, sk->cursor);
	}
	sk->stats.name = sk->name;
	sk->stats.cursor = sk->cursor;
	ob->sinks = xreallocarray(ob->sinks, ob->n_sinks + 1,
	    sizeof(*ob->sinks));
	ob->sinks[ob->n_sinks++] = sk;
	sink_kick(sk);
	return 0;
}

void
outbox_clear_sinks(struct fw_outbox *ob)
{
	struct fw_sink *sk;
	size_t i;

	for (i = 0; i < ob->n_sinks; i++) {
		sk = ob->sinks[i];
		if (sk->retry_timer != 0)
			loop_del_timer(ob->loop, sk->retry_timer);
		if (sk->type->teardown != NULL)
			sk->type->teardown(sk->state);
		free(sk->name);
		free(sk);
	}
	free(ob->sinks);
	ob->sinks = NULL;
	ob->n_sinks = 0;
}

static bool
permanent(int rc)
{
	switch (-rc) {
	case EINVAL:
	case EPERM:
	case EACCES:
	case EBADMSG:
	case EMSGSIZE:
	case E2BIG:
		return true;
	default:
		return false;
	}
}

static void
retry_timer(void *arg)
{
	struct fw_sink *sk = arg;

	sk->retry_timer = 0;
	sink_kick(sk);
}

/* Capped exponential backoff with jitter: a delay in [d/2, d]. */
static void
schedule_retry(struct fw_sink *sk)
{
	uint32_t r;
	int64_t d;

	sk->backoff_ms = sk->backoff_ms == 0 ? OUTBOX_BACKOFF_MIN_MS :
	    sk->backoff_ms * 2;
	if (sk->backoff_ms > OUTBOX_BACKOFF_MAX_MS)
		sk->backoff_ms = OUTBOX_BACKOFF_MAX_MS;
	fw_random(&r, sizeof(r));
	d = sk->backoff_ms / 2 +
	    (int64_t)(r % (uint32_t)(sk->backoff_ms / 2 + 1));
	sk->retry_timer = loop_add_timer(sk->ob->loop, d, retry_timer, sk);
}

/* Book the outcome of one delivery; false when the sink must wait. */
static bool
settle(struct fw_sink *sk, int64_t seq, int rc)
{
	if (rc == FW_SINK_PENDING) {
		sk->in_flight = seq;
		return false;
	}
	sk->in_flight = 0;
	if (rc == 0 || permanent(rc)) {
		if (rc == 0) {
			if (sk->backoff_ms != 0)
				log_info("sink '%s' delivers again", sk->name);
			sk->stats.delivered++;
			sk->backoff_ms = 0;
		} else {
			sk->stats.rejected++;
			sk->stats.last_error = rc;
			log_warnx("sink '%s' rejected event %lld: %s; skipped",
			    sk->name, (long long)seq, strerror(-rc));
		}
		sk->cursor = seq;
		sk->stats.cursor = seq;
		return true;
	}
	sk->stats.retried++;
	/* Say so when delivery starts failing or fails anew, not per retry. */
	if (sk->backoff_ms == 0 || sk->stats.last_error != rc)
		log_warnx("sink '%s': delivery of event %lld failed: %s; "
		    "will retry", sk->name, (long long)seq, strerror(-rc));
	sk->stats.last_error = rc;
	schedule_retry(sk);
	return false;
}

static int
deliver_one(int64_t seq, const char *json, size_t len, void *arg)
{
	struct fw_sink *sk = arg;
	int rc;

	/* A record that failed its checksum cannot be sent: step past it. */
	sk->delivering = seq;
	sk->early_rc = FW_SINK_PENDING;
	rc = json != NULL ? sk->type->deliver(sk->state, seq, json, len) :
	    -EBADMSG;
	sk->delivering = 0;
	/* The sink may have completed it before saying "pending". */
	if (rc == FW_SINK_PENDING && sk->early_rc != FW_SINK_PENDING)
		rc = sk->early_rc;
	return settle(sk, seq, rc) ? 0 : 1;
}

static void
sink_kick(struct fw_sink *sk)
{
	int64_t before;
	int n;

	if (sk->busy || sk->in_flight != 0 || sk->retry_timer != 0)
		return;
	sk->busy = true;
	do {
		before = sk->cursor;
		n = store_events_after(sk->ob->store, sk->cursor, OUTBOX_BATCH,
		    deliver_one, sk);
		if (sk->cursor != before)
			store_cursor_put(sk->ob->store, sk->name, sk->cursor);
	} while (n == OUTBOX_BATCH && sk->in_flight == 0 &&
	    sk->retry_timer == 0);
	sk->busy = false;
}

void
outbox_done(struct fw_sink *sk, int64_t seq, int rc)
{
	if (seq != 0 && seq == sk->delivering && rc != FW_SINK_PENDING) {
		sk->early_rc = rc;	/* booked when deliver() returns */
		return;
	}
	if (sk->in_flight != seq)
		return;
	if (settle(sk, seq, rc))
		store_cursor_put(sk->ob->store, sk->name, sk->cursor);
	sink_kick(sk);
}

int
outbox_append(struct fw_outbox *ob, int64_t time_ms, const char *fingerprint,
    const char *json, size_t len)
{
	int rc;

	rc = store_event_append(ob->store, time_ms, fingerprint, json, len,
	    NULL);
	if (rc < 0)
		return rc;
	outbox_kick(ob);
	return 0;
}

void
outbox_kick(struct fw_outbox *ob)
{
	size_t i;

	for (i = 0; i < ob->n_sinks; i++)
		sink_kick(ob->sinks[i]);
}

int64_t
outbox_backlog(struct fw_outbox *ob)
{
	int64_t last = store_last_seq(ob->store), min = last;
	size_t i;

	for (i = 0; i < ob->n_sinks; i++)
		if (ob->sinks[i]->cursor < min)
			min = ob->sinks[i]->cursor;
	return last - min;
}

size_t
outbox_stats(struct fw_outbox *ob, struct fw_sink_stats *ret, size_t max)
{
	size_t i;

	int64_t last = store_last_seq(ob->store);

	for (i = 0; i < ob->n_sinks && i < max; i++) {
		ret[i] = ob->sinks[i]->stats;
		ret[i].backlog = last > ob->sinks[i]->cursor ? last -
		    ob->sinks[i]->cursor : 0;
	}
	return i;
}

size_t
outbox_add_configured(struct fw_outbox *ob, const struct fw_conf *conf)
{
	const struct fw_conf_section *cs;
	const struct fw_sink_type *t;
	size_t i, n = 0;

	for (i = 0; i < conf->n_sections; i++) {
		cs = &conf->sections[i];
		if (strcmp(cs->kind, "sink") != 0 || cs->instance == NULL)
			continue;
		t = registry_sink(conf_sink_type(cs));
		if (t == NULL || !conf_section_enabled(cs))
			continue;
		if (outbox_add_sink(ob, cs->instance, t, cs,
		    conf->agent.host) == 0)
			n++;
	}
	if (n == 0) {
		/* With no sink configured, events go to stdout. */
		t = registry_sink("stdout");
		if (t != NULL && outbox_add_sink(ob, "stdout", t, NULL,
		    conf->agent.host) == 0)
			n++;
	}
	return n;
}

int
outbox_trim(struct fw_outbox *ob, unsigned max)
{
	int64_t cursors[64] = { 0 };
	uint64_t dropped[64] = { 0 };
	size_t i, n = ob->n_sinks < 64 ? ob->n_sinks : 64;
	int rc;

	for (i = 0; i < n; i++)
		cursors[i] = ob->sinks[i]->cursor;
	rc = store_backlog_trim(ob->store, max, cursors, n, dropped);
	if (rc <= 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (dropped[i] == 0)
			continue;
		ob->sinks[i]->stats.dropped += dropped[i];
		log_warnx("sink '%s': %llu undelivered events dropped to keep "
		    "the outbox within %u; the newest event of every condition "
		    "is kept for it", ob->sinks[i]->name,
		    (unsigned long long)dropped[i], max);
	}
	return rc;
}

void
outbox_set_inventory(struct fw_outbox *ob, struct fw_inventory *inv)
{
	ob->inv = inv;
}
