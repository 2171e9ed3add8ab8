/* Runs collector instances on the loop and carries their results through health to the outbox. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/core.h"
#include "forewarn/events.h"
#include "forewarn/health.h"
#include "forewarn/inventory.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/probe.h"
#include "forewarn/registry.h"
#include "forewarn/risk.h"
#include "forewarn/store.h"
#include "forewarn/util.h"

#define CORE_MAX_FDS		64	/* per instance */
#define CORE_PRUNE_MS		(3600 * 1000)
#define CORE_RETRY_INIT_MS	(60 * 1000)

struct fd_watch {
	struct fw_ctx	*ctx;
	int		 fd;
};

/* One running collector instance: the context a collector is lent. */
struct fw_ctx {
	struct fw_core			*core;
	const struct fw_collector	*c;
	char				*name;		/* "snmp:core1" */
	char				*instance;	/* "core1" or NULL */
	const struct fw_conf_section	*cs;
	void				*state;
	bool				 running;	/* init succeeded */
	int				 init_error;
	int				 poll_error;
	int				 async_error;	/* ctx_fail() */
	char				 async_msg[512];
	uint64_t			 interval_ms;
	fw_timer_id			 timer;
	bool				 poll_requested;
	struct fd_watch			*fds[CORE_MAX_FDS];
	size_t				 n_fds;
	int64_t				 last_poll_ms;
	uint64_t			 polls;
	int				 held;		/* ctx_hold() */
};

struct fw_core {
	struct fw_loop		*loop;
	struct fw_conf		*conf;
	struct fw_core_opts	 opts;
	struct fw_store		*store;
	struct fw_health	*health;
	struct fw_inventory	*inv;
	struct fw_outbox	*outbox;
	struct fw_ctx		**ctxs;
	size_t			 n_ctxs;
	struct fw_ctx		*self;		/* the "agent" collector */
	struct fw_probe		*probe;		/* started on first use */
	struct fw_probe		*tools;		/* vendor tools: a lane of their own */
	char			*reload_error;
	char			*store_problem;
	fw_timer_id		 prune_timer;
	uint64_t		 scans;
	uint64_t		 events;
	bool			 in_risk;	/* the risk stage's own commit */
	bool			 have_arrays;
};

static void	instance_schedule(struct fw_ctx *ctx, int64_t delay_ms);

struct fw_core *
core_new(struct fw_loop *loop, struct fw_conf *conf,
    const struct fw_core_opts *opts)
{
	struct fw_core *core = xcalloc(1, sizeof(*core));

	core->loop = loop;
	core->conf = conf;
	if (opts != NULL)
		core->opts = *opts;
	core->health = health_new();
	core->inv = inventory_new();
	return core;
}

struct fw_inventory *
core_inventory(struct fw_core *core)
{
	return core->inv;
}

const struct fw_conf *
core_conf(const struct fw_core *core)
{
	return core->conf;
}

const char *
core_host(const struct fw_core *core)
{
	return core->conf->agent.host;
}

uint64_t
core_scans(const struct fw_core *core)
{
	return core->scans;
}

uint64_t
core_events(const struct fw_core *core)
{
	return core->events;
}

struct fw_core *
ctx_core(struct fw_ctx *ctx)
{
	return ctx->core;
}

const char *
ctx_instance(const struct fw_ctx *ctx)
{
	return ctx->instance;
}

const char *
core_store_problem(const struct fw_core *core)
{
	return core->store_problem;
}

size_t
core_sink_stats(struct fw_core *core, struct fw_sink_stats *ret, size_t max)
{
	return core->outbox != NULL ? outbox_stats(core->outbox, ret, max) : 0;
}

const char *
core_reload_error(const struct fw_core *core)
{
	return core->reload_error;
}

size_t
core_instances(const struct fw_core *core, struct fw_instance_status *ret,
    size_t max)
{
	size_t i;

	for (i = 0; i < core->n_ctxs && i < max; i++) {
		ret[i].name = core->ctxs[i]->name;
		ret[i].init_error = core->ctxs[i]->init_error;
		ret[i].poll_error = core->ctxs[i]->poll_error;
		ret[i].error_msg = NULL;
		if (ret[i].poll_error == 0 && core->ctxs[i]->async_error < 0) {
			ret[i].poll_error = core->ctxs[i]->async_error;
			ret[i].error_msg = core->ctxs[i]->async_msg;
		}
		ret[i].last_poll_ms = core->ctxs[i]->last_poll_ms;
		ret[i].polls = core->ctxs[i]->polls;
	}
	return i;
}

/* Wake the self-check so a change in the agent's own health is seen now. */
static void
core_poke_self(struct fw_core *core)
{
	if (core->self != NULL && core->self->running)
		ctx_request_poll(core->self);
}

static void
core_check_store(struct fw_core *core)
{
	const char *reason;

	if (core->store == NULL || !store_degraded(core->store))
		return;
	reason = store_reason(core->store);
	if (core->store_problem != NULL &&
	    strcmp(core->store_problem, reason) == 0)
		return;
	log_warnx("state store degraded, running in memory: %s", reason);
	free(core->store_problem);
	core->store_problem = xstrdup(reason);
	core_poke_self(core);
}

void
core_set_reload_error(struct fw_core *core, const char *msg)
{
	free(core->reload_error);
	core->reload_error = msg != NULL ? xstrdup(msg) : NULL;
	core_poke_self(core);
}

/* ---- results → health → events ---- */

/* A check a collector forgot to declare is still carried, as state evidence. */
static const struct fw_check_def *
fallback_def(const char *code)
{
	static struct fw_check_def def;

	memset(&def, 0, sizeof(def));
	def.code = code;
	def.cmp = FW_CMP_NONE;
	def.warning = def.critical = NAN;
	return &def;
}

static void
core_emit(struct fw_core *core, const struct fw_check *c,
    const struct fw_transition *tr, const struct fw_check_params *p,
    int64_t now_ms)
{
	struct fw_event_input in;
	char fp[FW_FINGERPRINT_LEN + 1];
	size_t len;
	char *json;

	memset(&in, 0, sizeof(in));
	in.host = core->conf->agent.host;
	in.entity = c->entity;
	in.check = c->code;
	in.tr = tr;
	in.result = c;
	in.params = p;
	in.time_ms = now_ms;
	json = event_build(&in, &len, fp);
	if (json == NULL) {
		log_warnx("could not build the event for %s %s",
		    c->entity->key, c->code);
		return;
	}
	log_debug("event %s %s: %s -> %s: %s", c->entity->key, c->code,
	    state_name(tr->previous), state_name(tr->state), c->message);
	if (outbox_append(core->outbox, now_ms, fp, json, len) < 0)
		log_warnx("could not queue the event for %s %s",
		    c->entity->key, c->code);
	core->events++;
	free(json);
}

static void
persist_condition(const struct fw_condition *cond, void *arg)
{
	struct fw_core *core = arg;

	if (store_condition_put(core->store, cond) < 0)
		log_debug("could not persist %s %s", cond->key, cond->check);
}

static void
core_evaluate(struct fw_core *core, struct fw_check *c, int64_t now_ms)
{
	const struct fw_check_def *def;
	struct fw_check_params p;
	struct fw_transition tr;
	const double *value = NULL;

	def = c->def != NULL ? c->def : fallback_def(c->code);
	conf_check_params(core->conf, def, c->entity->id, c->entity->name, &p);
	if (!p.enabled)
		return;
	if (c->has_value && isfinite(c->value))
		value = &c->value;
	else if (c->has_value)
		c->state = FW_STATE_UNKNOWN;
	if (core->opts.once) {
		/* One look, no history: the value's plain classification. */
		if (value != NULL)
			c->state = health_classify(&p, FW_STATE_OK, *value);
		entity_store_check(c->entity, c);
		return;
	}
	health_update(core->health, c->entity->key, c->code, &p, c->state,
	    value, now_ms, &tr);
	c->state = tr.observed;
	if (tr.type != FW_TR_NONE)
		core_emit(core, c, &tr, &p, now_ms);
	entity_store_check(c->entity, c);
}

static void	core_commit(struct fw_core *core, struct fw_report *r);

/*
 * After every report: the risk stage reads the whole inventory (relations
 * and the latest results) and reports raid.at_risk through the same health
 * path.  Its checks belong to the mdraid collector's table.
 */
static void
core_risk(struct fw_core *core, int64_t now_ms)
{
	const struct fw_collector *c = registry_collector("mdraid");
	struct fw_report r;

	if (c == NULL || core->in_risk)
		return;
	core->in_risk = true;
	report_open(&r, core->inv, "risk", c->checks, now_ms);
	risk_evaluate(core->inv, &r);
	core_commit(core, &r);
	report_close(&r);
	core->in_risk = false;
}

static void
core_commit(struct fw_core *core, struct fw_report *r)
{
	size_t i;

	if (!core->opts.once)
		store_begin(core->store);
	for (i = 0; i < r->n_checks; i++) {
		if (strncmp(r->checks[i]->code, "raid.", 5) == 0)
			core->have_arrays = true;
		core_evaluate(core, r->checks[i], r->now_ms);
	}
	if (!core->opts.once) {
		health_take_dirty(core->health, persist_condition, core);
		store_commit(core->store);
		core_check_store(core);
	}
	/* Only where there are arrays: the stage reads every entity. */
	if (r->n_checks > 0 && core->have_arrays)
		core_risk(core, r->now_ms);
}

/* ---- collector instances ---- */

static void
instance_poll(struct fw_ctx *ctx)
{
	struct fw_core *core = ctx->core;
	struct fw_report r;
	struct fw_mono t0, t1;
	int rc;

	if (!ctx->running)
		return;
	report_open(&r, core->inv, ctx->name, ctx->c->checks, clock_wall_ms());
	t0 = clock_mono_now();
	rc = ctx->c->poll(ctx->state, &r);
	t1 = clock_mono_now();
	ctx->last_poll_ms = mono_diff_ms(t1, t0);
	ctx->polls++;
	log_trace("collector '%s' polled in %lld ms", ctx->name,
	    (long long)ctx->last_poll_ms);
	if (rc < 0 && ctx->poll_error != rc)
		log_warnx("collector '%s': poll failed: %s", ctx->name,
		    strerror(-rc));
	else if (rc >= 0 && ctx->poll_error < 0)
		log_info("collector '%s': poll works again", ctx->name);
	if ((rc < 0) != (ctx->poll_error < 0))
		core_poke_self(core);
	ctx->poll_error = rc < 0 ? rc : 0;
	if ((uint64_t)ctx->last_poll_ms > core->conf->agent.stuck_ms) {
		log_warnx("collector '%s' blocked the loop for %lld ms",
		    ctx->name, (long long)ctx->last_poll_ms);
		core_poke_self(core);
	}
	core_commit(core, &r);
	report_close(&r);
}

static int
instance_init(struct fw_ctx *ctx)
{
	int rc;

	ctx->state = NULL;
	rc = ctx->c->init(ctx->cs, ctx, &ctx->state);
	if (rc < 0) {
		if (ctx->init_error != rc)
			log_warnx("collector '%s' could not start: %s",
			    ctx->name, strerror(-rc));
		ctx->init_error = rc;
		/* The half-built state is the collector's to free. */
		if (ctx->state != NULL && ctx->c->teardown != NULL)
			ctx->c->teardown(ctx->state);
		ctx->state = NULL;
		return rc;
	}
	if (ctx->init_error < 0)
		log_info("collector '%s' started", ctx->name);
	ctx->init_error = 0;
	ctx->running = true;
	return 0;
}

static void
instance_timer(void *arg)
{
	struct fw_ctx *ctx = arg;
	bool requested = ctx->poll_requested;

	ctx->timer = 0;
	ctx->poll_requested = false;
	if (!ctx->running) {
		if (instance_init(ctx) < 0) {
			instance_schedule(ctx, CORE_RETRY_INIT_MS);
			return;
		}
		core_poke_self(ctx->core);
	}
	instance_poll(ctx);
	/* A requested poll does not move the periodic schedule much. */
	if (ctx->interval_ms > 0 || requested)
		instance_schedule(ctx, (int64_t)ctx->interval_ms);
}

static void
instance_schedule(struct fw_ctx *ctx, int64_t delay_ms)
{
	if (ctx->core->opts.once || delay_ms <= 0)
		return;
	if (ctx->timer != 0)
		loop_del_timer(ctx->core->loop, ctx->timer);
	ctx->timer = loop_add_timer(ctx->core->loop, delay_ms, instance_timer,
	    ctx);
}

void
ctx_request_poll(struct fw_ctx *ctx)
{
	if (ctx->core->opts.once || ctx->poll_requested)
		return;
	ctx->poll_requested = true;
	if (ctx->timer != 0)
		loop_del_timer(ctx->core->loop, ctx->timer);
	ctx->timer = loop_add_timer(ctx->core->loop, 0, instance_timer, ctx);
}

void
ctx_poll_after(struct fw_ctx *ctx, int64_t delay_ms)
{
	if (ctx->core->opts.once || ctx->poll_requested)
		return;
	if (ctx->interval_ms > 0 && (uint64_t)delay_ms >= ctx->interval_ms)
		return;
	/* Periodic polling resumes from the timer's own re-arm. */
	instance_schedule(ctx, delay_ms > 0 ? delay_ms : 1);
}

static void
instance_fd_ready(int fd, uint32_t events, void *arg)
{
	struct fd_watch *w = arg;
	struct fw_ctx *ctx = w->ctx;
	struct fw_report r;
	int rc;

	if (!ctx->running || ctx->c->ready == NULL)
		return;
	report_open(&r, ctx->core->inv, ctx->name, ctx->c->checks,
	    clock_wall_ms());
	rc = ctx->c->ready(ctx->state, fd, events, &r);
	if (rc < 0)
		log_debug("collector '%s': fd %d: %s", ctx->name, fd,
		    strerror(-rc));
	core_commit(ctx->core, &r);
	report_close(&r);
}

static int
watch_fd(struct fw_ctx *ctx, int fd, uint32_t events)
{
	struct fd_watch *w;
	int rc;

	if (ctx->n_fds >= CORE_MAX_FDS)
		return -EMFILE;
	w = xcalloc(1, sizeof(*w));
	w->ctx = ctx;
	w->fd = fd;
	rc = loop_add_fd(ctx->core->loop, fd, events, instance_fd_ready, w);
	if (rc < 0) {
		free(w);
		return rc;
	}
	ctx->fds[ctx->n_fds++] = w;
	return 0;
}

int
ctx_watch_fd(struct fw_ctx *ctx, int fd, uint32_t events)
{
	if (ctx->core->opts.once)
		return 0;
	return watch_fd(ctx, fd, events);
}

int
ctx_watch_answers(struct fw_ctx *ctx, int fd, uint32_t events)
{
	return watch_fd(ctx, fd, events);
}

void
ctx_hold(struct fw_ctx *ctx, int delta)
{
	ctx->held += delta;
	if (ctx->held < 0)
		ctx->held = 0;
}

uint64_t
ctx_add_timer(struct fw_ctx *ctx, int64_t delay_ms, void (*cb)(void *),
    void *arg)
{
	return loop_add_timer(ctx->core->loop, delay_ms, cb, arg);
}

void
ctx_del_timer(struct fw_ctx *ctx, uint64_t id)
{
	if (id != 0)
		loop_del_timer(ctx->core->loop, id);
}

int
ctx_unwatch_fd(struct fw_ctx *ctx, int fd)
{
	size_t i;

	for (i = 0; i < ctx->n_fds; i++) {
		if (ctx->fds[i]->fd != fd)
			continue;
		loop_del_fd(ctx->core->loop, fd);
		free(ctx->fds[i]);
		ctx->fds[i] = ctx->fds[--ctx->n_fds];
		return 0;
	}
	return -ENOENT;
}

int
ctx_baseline_peek(struct fw_ctx *ctx, const struct fw_entity *e,
    const char *name, double *ret_value, int64_t *ret_time_ms)
{
	return store_baseline_get(ctx->core->store, e->key, name, ret_value,
	    ret_time_ms);
}

double
ctx_rise(struct fw_ctx *ctx, const struct fw_entity *e, const char *name,
    double current, int64_t window_ms)
{
	double anchor, ignored;
	int64_t t, now = clock_wall_ms();

	if (ctx_baseline_peek(ctx, e, name, &anchor, &t) < 0 ||
	    now - t > window_ms || now < t || current < anchor) {
		ctx_baseline(ctx, e, name, current, &ignored);
		return 0;
	}
	return current - anchor;
}

struct fw_report *
ctx_report_open(struct fw_ctx *ctx)
{
	struct fw_report *r = xcalloc(1, sizeof(*r));

	report_open(r, ctx->core->inv, ctx->name, ctx->c->checks,
	    clock_wall_ms());
	return r;
}

void
ctx_report_commit(struct fw_ctx *ctx, struct fw_report *r)
{
	core_commit(ctx->core, r);
	report_close(r);
	free(r);
}

void
ctx_report_discard(struct fw_ctx *ctx, struct fw_report *r)
{
	(void)ctx;
	report_close(r);
	free(r);
}

struct fw_probe *
ctx_probe(struct fw_ctx *ctx)
{
	if (ctx->core->probe == NULL)
		ctx->core->probe = probe_new(ctx->core->loop);
	return ctx->core->probe;
}

void
ctx_fail(struct fw_ctx *ctx, int err, const char *fmt, ...)
{
	char msg[sizeof(ctx->async_msg)];
	va_list ap;

	msg[0] = '\0';
	if (err < 0 && fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	if (err < 0 && (ctx->async_error >= 0 ||
	    strcmp(msg, ctx->async_msg) != 0))
		log_warnx("collector '%s': %s", ctx->name, msg[0] ? msg :
		    strerror(-err));
	else if (err >= 0 && ctx->async_error < 0)
		log_info("collector '%s' works again", ctx->name);
	if ((err < 0) != (ctx->async_error < 0) ||
	    strcmp(msg, ctx->async_msg) != 0)
		core_poke_self(ctx->core);
	ctx->async_error = err < 0 ? err : 0;
	fw_strlcpy(ctx->async_msg, msg, sizeof(ctx->async_msg));
}

struct cond_walk {
	struct fw_ctx	*ctx;
	void		(*cb)(enum fw_kind, const char *, const char *,
			    enum fw_state, void *);
	void		*arg;
};

static void
cond_visit(const struct fw_condition *c, void *arg)
{
	struct cond_walk *w = arg;
	char kind[32];
	const char *slash = strchr(c->key, '/');
	enum fw_kind k;

	if (c->state == FW_STATE_OK || slash == NULL ||
	    (size_t)(slash - c->key) >= sizeof(kind) ||
	    check_def_find(w->ctx->c->checks, c->check) == NULL)
		return;
	memcpy(kind, c->key, (size_t)(slash - c->key));
	kind[slash - c->key] = '\0';
	if (kind_from_name(kind, &k) < 0)
		return;
	w->cb(k, slash + 1, c->check, c->state, w->arg);
}

void
ctx_conditions(struct fw_ctx *ctx, void (*cb)(enum fw_kind, const char *,
    const char *, enum fw_state, void *), void *arg)
{
	struct cond_walk w = { ctx, cb, arg };

	health_foreach(ctx->core->health, cond_visit, &w);
}

struct fw_probe *
ctx_tools(struct fw_ctx *ctx)
{
	if (ctx->core->tools == NULL)
		ctx->core->tools = probe_new(ctx->core->loop);
	return ctx->core->tools;
}

int
ctx_baseline(struct fw_ctx *ctx, const struct fw_entity *e, const char *name,
    double current, double *ret_previous)
{
	struct fw_store *s = ctx->core->store;
	double prev;
	int64_t t;
	int rc;

	rc = store_baseline_get(s, e->key, name, &prev, &t);
	if (store_baseline_put(s, e->key, name, current, clock_wall_ms()) < 0)
		log_debug("could not keep the baseline %s %s", e->key, name);
	if (rc < 0)
		return rc;
	*ret_previous = prev;
	return 0;
}

static void
instance_free(struct fw_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	if (ctx->timer != 0)
		loop_del_timer(ctx->core->loop, ctx->timer);
	for (i = 0; i < ctx->n_fds; i++) {
		loop_del_fd(ctx->core->loop, ctx->fds[i]->fd);
		free(ctx->fds[i]);
	}
	/* A teardown's own ctx_unwatch_fd() then finds nothing to free. */
	ctx->n_fds = 0;
	if (ctx->running && ctx->c->teardown != NULL)
		ctx->c->teardown(ctx->state);
	free(ctx->name);
	free(ctx->instance);
	free(ctx);
}

static void
core_add_instance(struct fw_core *core, const struct fw_collector *c,
    const struct fw_conf_section *cs)
{
	struct fw_ctx *ctx = xcalloc(1, sizeof(*ctx));

	ctx->core = core;
	ctx->c = c;
	ctx->cs = cs;
	ctx->name = xstrdup(cs != NULL ? cs->name : c->name);
	ctx->instance = cs != NULL && cs->instance != NULL ?
	    xstrdup(cs->instance) : NULL;
	ctx->interval_ms = conf_collector_interval_ms(cs, c);
	core->ctxs = xreallocarray(core->ctxs, core->n_ctxs + 1,
	    sizeof(*core->ctxs));
	core->ctxs[core->n_ctxs++] = ctx;
	if (strcmp(c->name, "agent") == 0)
		core->self = ctx;
}

/* One instance per collector, or one per [name:INSTANCE] section. */
static void
core_create_instances(struct fw_core *core)
{
	const struct fw_collector *c;
	const struct fw_conf_section *cs;
	size_t i, j;

	for (i = 0; i < registry_n_collectors; i++) {
		c = registry_collectors[i];
		if (!c->instances) {
			if (conf_collector_enabled(core->conf, c->name))
				core_add_instance(core, c,
				    conf_section(core->conf, c->name));
			continue;
		}
		for (j = 0; j < core->conf->n_sections; j++) {
			cs = &core->conf->sections[j];
			if (strcmp(cs->kind, c->name) != 0 ||
			    !conf_section_enabled(cs))
				continue;
			core_add_instance(core, c, cs);
		}
	}
}

static void
core_start_instances(struct fw_core *core)
{
	size_t i;

	core_create_instances(core);
	for (i = 0; i < core->n_ctxs; i++) {
		if (instance_init(core->ctxs[i]) < 0) {
			instance_schedule(core->ctxs[i], CORE_RETRY_INIT_MS);
			continue;
		}
		/* The first poll comes from the loop, right after start-up. */
		if (!core->opts.once)
			ctx_request_poll(core->ctxs[i]);
	}
}

static void
core_stop_instances(struct fw_core *core)
{
	size_t i;

	for (i = 0; i < core->n_ctxs; i++)
		instance_free(core->ctxs[i]);
	free(core->ctxs);
	core->ctxs = NULL;
	core->n_ctxs = 0;
	core->self = NULL;
}

/* ---- sinks ---- */

static void
core_start_sinks(struct fw_core *core)
{
	outbox_add_configured(core->outbox, core->conf);
}

static void
restore_condition(const struct fw_condition *c, void *arg)
{
	health_restore(arg, c);
}

static void
core_prune(void *arg)
{
	struct fw_core *core = arg;
	int n;

	if (outbox_trim(core->outbox, core->conf->agent.outbox_max) > 0)
		core_poke_self(core);	/* agent.sink_dropped */
	n = store_prune(core->store, core->conf->agent.history_max);
	if (n > 0)
		log_debug("pruned %d old events", n);
	core->prune_timer = loop_add_timer(core->loop, CORE_PRUNE_MS,
	    core_prune, core);
}

int
core_start(struct fw_core *core)
{
	const char *dir;

	dir = core->opts.state_dir != NULL ? core->opts.state_dir :
	    core->conf->agent.state_dir;
	core->store = store_open(dir, core->opts.once);
	if (!core->opts.once) {
		core_check_store(core);
		store_conditions_load(core->store, restore_condition,
		    core->health);
		log_debug("restored %zu conditions from %s",
		    health_count(core->health), store_path(core->store));
		core->outbox = outbox_new(core->loop, core->store);
		outbox_set_inventory(core->outbox, core->inv);
		core_start_sinks(core);
		core->prune_timer = loop_add_timer(core->loop, CORE_PRUNE_MS,
		    core_prune, core);
	}
	core_start_instances(core);
	return 0;
}

void
core_scan_all(struct fw_core *core)
{
	size_t i;

	for (i = 0; i < core->n_ctxs; i++) {
		if (!core->ctxs[i]->running)
			continue;
		instance_poll(core->ctxs[i]);
		if (!core->opts.once)
			instance_schedule(core->ctxs[i],
			    (int64_t)core->ctxs[i]->interval_ms);
	}
	core->scans++;
	log_debug("scan %llu done", (unsigned long long)core->scans);
}

/* Requests of collector instances still in flight (ctx_hold). */
static int
core_held(const struct fw_core *core)
{
	int n = 0;
	size_t i;

	for (i = 0; i < core->n_ctxs; i++)
		if (core->ctxs[i]->running)
			n += core->ctxs[i]->held;
	return n;
}

void
core_settle(struct fw_core *core, int64_t timeout_ms)
{
	struct fw_mono end = mono_add_ms(clock_mono_now(), timeout_ms);

	while (probe_pending(core->probe) + probe_pending(core->tools) +
	    core_held(core) > 0 && mono_before(clock_mono_now(), end))
		loop_run_once(core->loop, 100);
	/* --once: the self-check looks again, after what failed meanwhile. */
	if (core->opts.once && core->self != NULL && core->self->running)
		instance_poll(core->self);
}

void
core_reload(struct fw_core *core, struct fw_conf *conf)
{
	const char *old_dir = core->conf->agent.state_dir;

	if (core->opts.state_dir == NULL &&
	    strcmp(old_dir, conf->agent.state_dir) != 0)
		log_warnx("state_dir changes only at restart (still %s)",
		    old_dir);
	core_stop_instances(core);
	outbox_clear_sinks(core->outbox);
	free(conf->agent.state_dir);
	conf->agent.state_dir = xstrdup(old_dir);
	conf_free(core->conf);
	core->conf = conf;
	core_start_sinks(core);
	core_start_instances(core);
	core_set_reload_error(core, NULL);
	outbox_kick(core->outbox);
}

void
core_free(struct fw_core *core)
{
	if (core == NULL)
		return;
	core_stop_instances(core);
	/* After the collectors: their teardown may still own requests. */
	probe_free(core->probe);
	probe_free(core->tools);
	if (core->outbox != NULL) {
		outbox_clear_sinks(core->outbox);
		outbox_free(core->outbox);
	}
	if (core->prune_timer != 0)
		loop_del_timer(core->loop, core->prune_timer);
	store_close(core->store);
	health_free(core->health);
	inventory_free(core->inv);
	conf_free(core->conf);
	free(core->reload_error);
	free(core->store_problem);
	free(core);
}
