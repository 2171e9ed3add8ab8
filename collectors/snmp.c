/*
 * The "snmp" collector: one instance per router ([snmp:NAME]), polled over
 * SNMPv2c or SNMPv3 USM authPriv through net-snmp's single-session API in
 * the agent's loop — non-blocking sends, the session's fd and its
 * retransmission timer fed to epoll, GETBULK walks of only the columns the
 * checks read, numeric OIDs, no MIB.  A dead router holds up nobody: every
 * router has its own session and its own schedule.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/events.h"
#include "forewarn/log.h"
#include "forewarn/snmplib.h"
#include "forewarn/util.h"
#include "snmp_parse.h"
#include "snmp_poller.h"

#define SNMP_ANCHORS	10	/* counter samples kept per link: window/8 apart */
#define SNMP_FLAPS	16	/* state changes kept per link */
#define SNMP_MIN_ERRORS	10	/* fewer in a window is no ratio */
#define SNMP_OID_KEEP	24	/* longest OID a walk continues from */
#define SNMP_COLS_MAX	8
#define SNMP_KICK_MS	1000	/* trap-driven polls of one router: this far apart */
#define SNMP_KIND_DISCO	6	/* request kinds: tables, the v3 discovery, */
#define SNMP_KIND_SYS	7	/* then the system GET */
#define SNMP_ID_MAX	(SNMP_IFNAME_MAX + 80)

static const struct fw_check_def snmp_checks[] = {
	{ "router.unreachable", "the router does not answer SNMP (consecutive "
	    "failed polls), or refuses the agent's credentials", FW_CMP_NONE,
	    NAN, NAN, 0, 3, 1, NULL },
	{ "router.rebooted", "the router restarted (sysUpTime went back) "
	    "within reboot_hold", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "router.link_down", "an administratively up link that was up (or "
	    "is expected up) is down", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "router.link_flapping", "changes of a link's state (ifLastChange "
	    "moving) within flap_window", FW_CMP_ABOVE, 3, 10, 0, 1, 1,
	    "count" },
	{ "router.link_saturation", "a link's traffic in its busier direction "
	    "as a share of ifHighSpeed, averaged over window", FW_CMP_ABOVE, 90,
	    98, 3, 1, 1, "percent" },
	{ "router.link_errors", "errors and discards per million packets "
	    "within window", FW_CMP_ABOVE, 10, 1000, 0, 1, 1, "ppm" },
	{ "router.link_speed_degraded", "a link runs below its expected speed "
	    "or the highest seen on it", FW_CMP_NONE, NAN, NAN, 0, 2, 1, NULL },
	{ "router.bgp_peer_down", "a BGP session that was established left it "
	    "while administratively started", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ "router.bgp_peer_flapping", "BGP sessions established again within "
	    "bgp_window", FW_CMP_ABOVE, 2, 5, 0, 1, 1, "count" },
	{ "router.sensor", "a hardware sensor the router reports "
	    "non-operational or unavailable", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ "router.sensor_temp", "a temperature sensor of the router",
	    FW_CMP_ABOVE, 70, 85, 3, 2, 1, "celsius" },
	{ .code = NULL }
};

static const char *const versions[] = { "2c", "3", NULL };

static const struct fw_conf_key snmp_keys[] = {
	{ "address", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "the router: HOST, HOST:PORT, [IPv6]:PORT (udp)" },
	{ "port", FW_CONF_INT, "161", 1, 65535, NULL,
	    "the port when address names none" },
	{ "version", FW_CONF_ENUM, "2c", 0, 0, versions, "2c or 3" },
	{ "community", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "v2c community (community_file is better)" },
	{ "community_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file whose first line is the v2c community" },
	FW_SNMP_USM_KEYS,
	{ "timeout", FW_CONF_DURATION, "2s", 50, 60000, NULL,
	    "wait this long for an answer, per try" },
	{ "retries", FW_CONF_INT, "1", 0, 10, NULL,
	    "tries more before a request counts as unanswered" },
	{ "max_repetitions", FW_CONF_INT, "25", 1, 100, NULL,
	    "rows asked for per GETBULK" },
	{ "interfaces", FW_CONF_LIST, "*", 0, 0, NULL,
	    "ifName or ifAlias globs of the links to watch" },
	{ "exclude", FW_CONF_LIST, "", 0, 0, NULL,
	    "ifName or ifAlias globs of links not to watch" },
	{ "expect_up", FW_CONF_LIST, "", 0, 0, NULL,
	    "links that must be up: critical when down, even if never seen up" },
	{ "expect_speed", FW_CONF_LIST, "", 0, 0, NULL,
	    "GLOB=MBPS: the speed a link should run at" },
	{ "window", FW_CONF_DURATION, "15m", 10000, 0, NULL,
	    "saturation and errors are averaged over this" },
	{ "flap_window", FW_CONF_DURATION, "10m", 1000, 0, NULL,
	    "link state changes are counted over this" },
	{ "bgp", FW_CONF_BOOL, "yes", 0, 0, NULL, "walk BGP4-MIB's peers" },
	{ "bgp_window", FW_CONF_DURATION, "15m", 1000, 0, NULL,
	    "BGP sessions established again are counted over this" },
	{ "sensors", FW_CONF_BOOL, "yes", 0, 0, NULL,
	    "walk ENTITY-SENSOR-MIB's sensors" },
	{ "reboot_hold", FW_CONF_DURATION, "30m", 1000, 0, NULL,
	    "router.rebooted stays raised this long after a restart" },
	{ .name = NULL }
};

struct anchor {
	int64_t		ms;		/* monotonic */
	uint64_t	in, out;	/* octets */
	uint64_t	pkts, errs;
};

/* What is remembered of a link between polls, by router and ifName. */
struct snmp_link {
	char		name[SNMP_IFNAME_MAX];
	bool		seen;		/* in the latest poll */
	bool		have_prev;
	uint32_t	last_change, disc;
	uint32_t	in_err, out_err, in_disc;
	uint64_t	in_oct, out_oct;
	uint64_t	errs;		/* errors and discards since watched */
	struct anchor	anchors[SNMP_ANCHORS];
	unsigned	n_anchors;
	int64_t		flaps[SNMP_FLAPS];
	unsigned	n_flaps;
	bool		was_up, up_kept, max_known;
	int		admin;		/* ifAdminStatus at the last poll */
	uint32_t	max_speed;
};

struct snmp_peer {
	uint8_t		addr[4];
	bool		seen;
	bool		was_up;
};

struct walk {
	bool		active;
	bool		col_done[SNMP_COLS_MAX];
	oid		last[SNMP_COLS_MAX][SNMP_OID_KEEP];
	size_t		last_len[SNMP_COLS_MAX];
	size_t		req_cols[SNMP_COLS_MAX];	/* the request's order */
	size_t		n_req;
	unsigned	requests;
	int		reps;
};

/* One poll in flight: allocated when it starts, freed when it ends. */
struct cycle {
	uint64_t	gen;
	struct snmp_data data;
	struct walk	walks[SNMP_T_COUNT];
	unsigned	left;		/* walks not finished */
	int64_t		started;	/* monotonic ms */
	char		partial[SNMP_ERR_MAX];	/* a table that failed */
};

struct snmp_target {
	struct fw_ctx	*ctx;
	char		 name[64];
	char		 who[80];		/* "snmp:core1" */
	char		 address[300];		/* as configured */
	char		 ip[64];		/* resolved, for traps */
	netsnmp_session	 tmpl;			/* what each session opens from */
	char		 peer[320];
	char		 comm[SNMPLIB_SECRET_MAX];
	void		*sess;
	int		 fd;
	uint64_t	 timer;
	bool		 closing;
	bool		 reopen;		/* at the next poll */
	bool		 discovering;		/* t->sess is the probe's */
	uint64_t	 next_timer;		/* the poll goes on after it */
	int64_t		 timeout_ms;
	int		 retries, reps;
	char		*include, *exclude, *expect_up, *expect_speed;
	int64_t		 window_ms, flap_ms, bgp_ms, hold_ms;
	bool		 bgp, sensors;
	uint64_t	 gen;
	struct cycle	*cycle;
	unsigned	 fails;			/* polls in a row */
	struct snmp_link **links;
	size_t		 n_links;
	struct snmp_peer *peers;
	size_t		 n_peers;
	int64_t		 kicked_ms;		/* monotonic: last trap poll */
	uint64_t	 kick_timer;
	struct snmp_target *next;
};

static struct snmp_target *targets;	/* for the trap listener */

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	return clock_mono_now().us / 1000;
}

static void	reschedule(struct snmp_target *t);
static void	session_close(struct snmp_target *t);
static int	session_connect(struct snmp_target *t);
static int	session_connect_from(struct snmp_target *t, netsnmp_session *s);
static void	discovery_answer(struct snmp_target *t, netsnmp_pdu *pdu);
static void	cycle_end(struct snmp_target *t, int err, const char *why);
static int	walk_send(struct snmp_target *t, enum snmp_table tb);

/* ---- the session in the loop ---- */

static void
on_timer(void *arg)
{
	struct snmp_target *t = arg;

	t->timer = 0;
	snmp_sess_timeout(t->sess);	/* resends, or times requests out */
	reschedule(t);
}

/* net-snmp says how long until its next retransmission or timeout. */
static void
reschedule(struct snmp_target *t)
{
	int64_t ms;

	if (t->closing || t->sess == NULL)
		return;
	ctx_del_timer(t->ctx, t->timer);
	t->timer = 0;
	if ((ms = snmplib_sess_wait_ms(t->sess)) >= 0)
		t->timer = ctx_add_timer(t->ctx, ms, on_timer, t);
}

static int
snmp_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct snmp_target *t = state;

	snmplib_sess_read(t->sess, fd);
	reschedule(t);
	return 0;
}

static int	on_answer(int op, netsnmp_session *sp, int reqid,
		    netsnmp_pdu *pdu, void *magic);

/* The magic of a request: its poll's generation and its kind. */
static void *
magic_of(const struct snmp_target *t, unsigned kind)
{
	return (void *)(uintptr_t)((t->gen << 3) | kind);
}

static int
send_pdu(struct snmp_target *t, netsnmp_pdu *pdu, unsigned kind)
{
	char *err = NULL;
	int liberr, syserr;

	if (snmp_sess_async_send(t->sess, pdu, on_answer,
	    magic_of(t, kind)) == 0) {
		snmp_sess_error(t->sess, &liberr, &syserr, &err);
		log_debug("%s: not sent: %s", t->who, err != NULL ? err : "?");
		free(err);
		snmp_free_pdu(pdu);
		return -EIO;
	}
	return 0;
}

/* ---- judging what a poll learnt ---- */

static bool
glob_match(const char *list, const char *name, const char *alias)
{
	char word[128];
	const char *p = list;
	size_t len;

	while ((len = fw_word_next(&p, word, sizeof(word))) > 0)
		if (len < sizeof(word) && (fnmatch(word, name, 0) == 0 ||
		    (alias != NULL && alias[0] != '\0' &&
		    fnmatch(word, alias, 0) == 0)))
			return true;
	return false;
}

/*
 * One GLOB=MBPS word of expect_speed: the glob left in word, the speed in
 * ret_mbps.  -EINVAL when it is not that.
 */
static int
speed_word(char *word, uint32_t *ret_mbps)
{
	char *eq = strrchr(word, '=');
	uint64_t v;

	if (eq == NULL || eq == word || fw_parse_u64(eq + 1, 10, &v) < 0 ||
	    v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*eq = '\0';
	*ret_mbps = (uint32_t)v;
	return 0;
}

/* expect_speed: the Mb/s of the first GLOB=MBPS that matches, else 0. */
static uint32_t
expected_speed(const struct snmp_target *t, const char *name)
{
	char word[128];
	const char *p = t->expect_speed;
	uint32_t mbps;

	while (fw_word_next(&p, word, sizeof(word)) > 0)
		if (speed_word(word, &mbps) == 0 && fnmatch(word, name, 0) == 0)
			return mbps;
	return 0;
}

static int
check_expect_speed(const char *who, const char *list)
{
	char word[128], copy[128];
	const char *p = list;
	uint32_t mbps;

	while (fw_word_next(&p, word, sizeof(word)) > 0) {
		fw_strlcpy(copy, word, sizeof(copy));
		if (speed_word(word, &mbps) < 0) {
			log_warnx("%s: expect_speed '%s' is not GLOB=MBPS", who,
			    copy);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *
oper_name(int st)
{
	static const char *const names[] = { "?", "up", "down", "testing",
	    "unknown", "dormant", "notPresent", "lowerLayerDown" };

	return st >= 1 && st <= 7 ? names[st] : "?";
}

static struct snmp_link *
link_find(struct snmp_target *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_links; i++)
		if (strcmp(t->links[i]->name, name) == 0)
			return t->links[i];
	return NULL;
}

static struct snmp_link *
link_get(struct snmp_target *t, const char *name)
{
	struct snmp_link *l;

	if ((l = link_find(t, name)) != NULL)
		return l;
	if (t->n_links >= SNMP_ROWS_MAX)
		return NULL;
	l = xcalloc(1, sizeof(*l));
	fw_strlcpy(l->name, name, sizeof(l->name));
	l->admin = SNMP_IF_UP;
	t->links = xreallocarray(t->links, t->n_links + 1, sizeof(*t->links));
	t->links[t->n_links++] = l;
	return l;
}

static void
link_state(struct snmp_target *t, struct fw_report *r, struct fw_entity *e,
    struct snmp_link *l, const struct snmp_if *i)
{
	int admin = i->have & IF_ADMIN ? i->admin : SNMP_IF_UP;
	enum fw_state st;
	const char *why;
	double v;
	struct fw_check *c;

	if (!l->up_kept && ctx_baseline_peek(t->ctx, e, "was_up", &v,
	    NULL) == 0) {
		l->was_up = true;
		l->up_kept = true;
	}
	if (!(i->have & IF_OPER)) {
		st = FW_STATE_UNKNOWN;
		why = "of unknown state (no ifOperStatus)";
	} else if (admin != SNMP_IF_UP) {
		st = FW_STATE_OK;
		why = "administratively down";
	} else if (i->oper == SNMP_IF_UP) {
		st = FW_STATE_OK;
		why = "up";
		l->was_up = true;
		if (!l->up_kept) {
			ctx_baseline(t->ctx, e, "was_up", 1, &v);
			l->up_kept = true;
		}
	} else if (i->oper == SNMP_IF_DOWN || i->oper == SNMP_IF_NOTPRESENT ||
	    i->oper == SNMP_IF_LOWERLAYERDOWN) {
		if (glob_match(t->expect_up, l->name, i->alias)) {
			st = FW_STATE_CRITICAL;
			why = "down (expected up)";
		} else if (l->was_up) {
			st = FW_STATE_WARNING;
			why = "down";
		} else {
			st = FW_STATE_OK;
			why = "down, never seen up";
		}
	} else if (i->oper == SNMP_IF_UNKNOWN) {
		st = FW_STATE_UNKNOWN;
		why = "of unknown state (the router says so)";
	} else {
		st = FW_STATE_OK;
		why = oper_name(i->oper);
	}
	c = report_check(r, e, "router.link_down", st, "link %s on %s is %s: "
	    "ifOperStatus %s, ifAdminStatus %s%s%s%s", l->name, t->name, why,
	    oper_name(i->oper),
	    oper_name(admin), i->alias[0] ? " (alias '" : "", i->alias,
	    i->alias[0] ? "')" : "");
	check_detail_str(c, "oper_status", oper_name(i->oper));
	check_detail_num(c, "if_index", i->index);
}

/* The counters start over: a reboot, a discontinuity, a counter gone back. */
static void
link_restart(struct snmp_link *l)
{
	l->n_anchors = 0;
	l->have_prev = false;
}

static uint64_t
err_delta(uint32_t prev, uint32_t now)
{
	/*
	 * An error counter that went back was reset, not wrapped: four
	 * billion errors between two polls is no link.
	 */
	return now >= prev ? now - prev : 0;
}

/* Keep an anchor every window/8; drop those older than the window. */
static void
anchors_add(struct snmp_link *l, const struct anchor *a, int64_t window_ms)
{
	unsigned i, keep = 0;

	if (l->n_anchors > 0 &&
	    a->ms - l->anchors[l->n_anchors - 1].ms < window_ms / 8)
		return;
	/* The oldest still inside the window stays, and one before it. */
	while (keep + 1 < l->n_anchors &&
	    a->ms - l->anchors[keep + 1].ms >= window_ms)
		keep++;
	if (keep > 0) {
		for (i = keep; i < l->n_anchors; i++)
			l->anchors[i - keep] = l->anchors[i];
		l->n_anchors -= keep;
	}
	if (l->n_anchors == SNMP_ANCHORS) {
		memmove(&l->anchors[0], &l->anchors[1],
		    (SNMP_ANCHORS - 1) * sizeof(l->anchors[0]));
		l->n_anchors--;
	}
	l->anchors[l->n_anchors++] = *a;
}

/* The oldest anchor within the window (or the oldest there is). */
static const struct anchor *
anchor_base(const struct snmp_link *l, int64_t now, int64_t window_ms)
{
	unsigned i;

	for (i = 0; i < l->n_anchors; i++)
		if (now - l->anchors[i].ms <= window_ms)
			return &l->anchors[i];
	return l->n_anchors > 0 ? &l->anchors[l->n_anchors - 1] : NULL;
}

static void
link_rates(struct snmp_target *t, struct fw_report *r, struct fw_entity *e,
    struct snmp_link *l, const struct snmp_if *i, bool restarted)
{
	int64_t now = now_ms();
	struct anchor cur = { .ms = now };
	const struct anchor *base;
	double dt, in_bps, out_bps, util, ppm;
	uint64_t derr, dpkt;
	struct fw_check *c;

	if (restarted || ((i->have & IF_DISC) && l->have_prev &&
	    i->discontinuity != l->disc) || ((i->have & IF_HC) && l->have_prev &&
	    (i->in_octets < l->in_oct || i->out_octets < l->out_oct)))
		link_restart(l);
	if (l->have_prev)
		l->errs += err_delta(l->in_err, i->in_errors) +
		    err_delta(l->out_err, i->out_errors) +
		    err_delta(l->in_disc, i->in_discards);
	l->in_err = i->in_errors;
	l->out_err = i->out_errors;
	l->in_disc = i->in_discards;
	l->in_oct = i->in_octets;
	l->out_oct = i->out_octets;
	l->disc = i->discontinuity;
	l->have_prev = true;
	cur.in = i->in_octets;
	cur.out = i->out_octets;
	cur.pkts = i->in_pkts + i->out_pkts;
	cur.errs = l->errs;
	base = anchor_base(l, now, t->window_ms);
	anchors_add(l, &cur, t->window_ms);
	if (base == NULL || (dt = (double)(now - base->ms) / 1000.0) < 1.0)
		return;
	if ((i->have & IF_HC) && (i->have & IF_SPEED) && i->high_speed > 0) {
		in_bps = (double)(cur.in - base->in) * 8.0 / dt;
		out_bps = (double)(cur.out - base->out) * 8.0 / dt;
		util = 100.0 * (in_bps > out_bps ? in_bps : out_bps) /
		    ((double)i->high_speed * 1e6);
		report_reading(r, e, "in_bits_per_second", "bps", in_bps,
		    NULL, NULL);
		report_reading(r, e, "out_bits_per_second", "bps", out_bps,
		    NULL, NULL);
		c = report_value(r, e, "router.link_saturation", util,
		    "link %s on %s carries %.1f%% of its %u Mb/s (in %.1f, out "
		    "%.1f Mb/s over %.0f s)", l->name, t->name, util,
		    i->high_speed, in_bps / 1e6, out_bps / 1e6, dt);
		check_detail_num(c, "speed_mbps", i->high_speed);
	}
	if (!(i->have & (IF_ERRORS | IF_OUTERRORS | IF_DISCARDS)))
		return;
	derr = cur.errs - base->errs;
	dpkt = cur.pkts >= base->pkts ? cur.pkts - base->pkts : 0;
	ppm = derr < SNMP_MIN_ERRORS ? 0 : 1e6 * (double)derr /
	    (double)(dpkt + derr);
	c = report_value(r, e, "router.link_errors", ppm, "link %s on %s: "
	    "%llu errors and discards in %llu packets over %.0f s (%.1f per "
	    "million)", l->name, t->name, (unsigned long long)derr,
	    (unsigned long long)dpkt, dt, ppm);
	check_detail_num(c, "errors", (double)derr);
	check_detail_num(c, "packets", (double)dpkt);
	check_detail_num(c, "in_errors", i->in_errors);
	check_detail_num(c, "out_errors", i->out_errors);
	check_detail_num(c, "in_discards", i->in_discards);
}

static void
link_flaps(struct snmp_target *t, struct fw_report *r, struct fw_entity *e,
    struct snmp_link *l, const struct snmp_if *i, uint32_t prev_change,
    bool had_prev, bool restarted)
{
	int64_t now = now_ms();
	unsigned k, n = 0;

	int admin = i->have & IF_ADMIN ? i->admin : SNMP_IF_UP;
	bool by_hand = admin != SNMP_IF_UP || l->admin != SNMP_IF_UP;

	l->admin = admin;
	if (!(i->have & IF_LASTCHANGE))
		return;
	/*
	 * A change while the link was or is administratively down is the
	 * operator's, not a flap (as the net collector's carrier counts).
	 */
	if (had_prev && !restarted && !by_hand &&
	    i->last_change != prev_change) {
		if (l->n_flaps == SNMP_FLAPS) {
			memmove(&l->flaps[0], &l->flaps[1],
			    (SNMP_FLAPS - 1) * sizeof(l->flaps[0]));
			l->n_flaps--;
		}
		l->flaps[l->n_flaps++] = now;
	}
	for (k = 0; k < l->n_flaps; k++)
		if (now - l->flaps[k] <= t->flap_ms)
			n++;
	report_value(r, e, "router.link_flapping", n, "link %s on %s changed "
	    "state %u time%s within %lld s (ifLastChange)", l->name, t->name,
	    n, n == 1 ? "" : "s", (long long)(t->flap_ms / 1000));
	l->last_change = i->last_change;
}

static void
link_speed(struct snmp_target *t, struct fw_report *r, struct fw_entity *e,
    struct snmp_link *l, const struct snmp_if *i)
{
	uint32_t want = expected_speed(t, l->name);
	double v;

	if (!(i->have & IF_SPEED) || i->high_speed == 0 ||
	    !(i->have & IF_OPER) || i->oper != SNMP_IF_UP)
		return;
	if (!l->max_known) {
		if (ctx_baseline_peek(t->ctx, e, "max_speed", &v, NULL) == 0 &&
		    v > 0 && v <= UINT32_MAX)
			l->max_speed = (uint32_t)v;
		l->max_known = true;
	}
	if (i->high_speed > l->max_speed) {
		l->max_speed = i->high_speed;
		ctx_baseline(t->ctx, e, "max_speed", l->max_speed, &v);
	}
	report_reading(r, e, "speed_mbps", "Mb/s", i->high_speed, NULL, NULL);
	if (want == 0)
		want = l->max_speed;
	report_check(r, e, "router.link_speed_degraded", i->high_speed < want ?
	    FW_STATE_WARNING : FW_STATE_OK, "link %s on %s runs at %u Mb/s "
	    "(%s %u Mb/s)", l->name, t->name, i->high_speed,
	    expected_speed(t, l->name) ? "expected" : "highest seen", want);
}

static void
judge_links(struct snmp_target *t, struct fw_report *r, struct cycle *cy,
    bool restarted)
{
	char id[SNMP_ID_MAX], name[SNMP_IFNAME_MAX + 16];
	struct snmp_data *d = &cy->data;
	struct snmp_link *l;
	struct fw_entity *e;
	uint32_t prev_change;
	unsigned blind = 0;
	bool had_prev;
	size_t k;

	for (k = 0; k < t->n_links; k++)
		t->links[k]->seen = false;
	for (k = 0; k < d->n_ifs; k++) {
		struct snmp_if *i = &d->ifs[k];

		if (i->have & IF_NAME)
			fw_strlcpy(name, i->name, sizeof(name));
		else if (i->have & IF_DESCR && i->descr[0] != '\0')
			fw_strlcpy(name, i->descr, sizeof(name));
		else
			fw_snprintf(name, sizeof(name), "ifIndex%u", i->index);
		if (i->type == 24 || !glob_match(t->include, name, i->alias) ||
		    glob_match(t->exclude, name, i->alias))
			continue;	/* softwareLoopback(24) is no link */
		/*
		 * A row without ifOperStatus is no link to judge; one that
		 * lost it since is of unknown state.
		 */
		if (!(i->have & IF_OPER) && (l = link_find(t, name)) == NULL) {
			blind++;
			continue;
		}
		if ((l = link_get(t, name)) == NULL)
			break;
		if (l->seen)		/* two rows, one ifName */
			continue;
		l->seen = true;
		fw_snprintf(id, sizeof(id), "%s/%s", t->name, name);
		e = report_entity(r, FW_KIND_ROUTER_LINK, id, id);
		entity_label(e, "router", "%s", t->name);
		entity_label(e, "if_name", "%s", name);
		entity_label(e, "if_index", "%u", i->index);
		if (i->alias[0] != '\0')
			entity_label(e, "if_alias", "%s", i->alias);
		entity_relate(e, "part_of", FW_KIND_ROUTER, t->name);
		had_prev = l->have_prev;
		prev_change = l->last_change;
		link_state(t, r, e, l, i);
		link_flaps(t, r, e, l, i, prev_change, had_prev, restarted);
		link_speed(t, r, e, l, i);
		link_rates(t, r, e, l, i, restarted);
	}
	if (blind > 0 && cy->partial[0] == '\0')
		fw_snprintf(cy->partial, sizeof(cy->partial), "%u row%s of "
		    "ifTable without ifOperStatus: not watched", blind,
		    blind == 1 ? "" : "s");
	/* Links gone from the table are forgotten (a removed card). */
	for (k = 0; k < t->n_links;) {
		if (t->links[k]->seen) {
			k++;
			continue;
		}
		free(t->links[k]);
		t->links[k] = t->links[--t->n_links];
	}
}

static const char *
bgp_state_name(int st)
{
	static const char *const names[] = { "?", "idle", "connect", "active",
	    "opensent", "openconfirm", "established" };

	return st >= 1 && st <= 6 ? names[st] : "?";
}

static struct snmp_peer *
peer_get(struct snmp_target *t, const uint8_t addr[4])
{
	size_t i;

	for (i = 0; i < t->n_peers; i++)
		if (memcmp(t->peers[i].addr, addr, 4) == 0)
			return &t->peers[i];
	if (t->n_peers >= SNMP_ROWS_MAX)
		return NULL;
	t->peers = xreallocarray(t->peers, t->n_peers + 1, sizeof(*t->peers));
	memset(&t->peers[t->n_peers], 0, sizeof(t->peers[0]));
	memcpy(t->peers[t->n_peers].addr, addr, 4);
	return &t->peers[t->n_peers++];
}

static struct fw_entity *
peer_entity(struct snmp_target *t, struct fw_report *r, const uint8_t a[4])
{
	char id[SNMP_ID_MAX], name[SNMP_ID_MAX];
	struct fw_entity *e;

	fw_snprintf(id, sizeof(id), "%s/bgp/%u.%u.%u.%u", t->name, a[0], a[1],
	    a[2], a[3]);
	fw_snprintf(name, sizeof(name), "%s peer %u.%u.%u.%u", t->name, a[0],
	    a[1], a[2], a[3]);
	e = report_entity(r, FW_KIND_BGP_PEER, id, name);
	entity_label(e, "router", "%s", t->name);
	entity_label(e, "peer", "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	entity_relate(e, "part_of", FW_KIND_ROUTER, t->name);
	return e;
}

static void
judge_peer(struct snmp_target *t, struct fw_report *r,
    const struct snmp_bgp_peer *b)
{
	struct snmp_peer *p = peer_get(t, b->addr);
	int admin = b->have & BGP_ADMIN ? b->admin : 2;
	struct fw_entity *e;
	struct fw_check *c;
	enum fw_state st;
	const char *why;
	double v;

	if (p == NULL)
		return;
	p->seen = true;
	e = peer_entity(t, r, b->addr);
	if (b->have & BGP_AS)
		entity_label(e, "remote_as", "%u", b->remote_as);
	if (!p->was_up && ctx_baseline_peek(t->ctx, e, "was_up", &v,
	    NULL) == 0)
		p->was_up = true;
	if (admin == 1) {
		st = FW_STATE_OK;
		why = "administratively stopped";
	} else if (b->state == SNMP_BGP_ESTABLISHED) {
		st = FW_STATE_OK;
		why = "established";
		if (!p->was_up)
			ctx_baseline(t->ctx, e, "was_up", 1, &v);
		p->was_up = true;
	} else if (p->was_up) {
		st = FW_STATE_CRITICAL;
		why = "no longer established";
	} else {
		st = FW_STATE_OK;
		why = "not established, never seen established";
	}
	c = report_check(r, e, "router.bgp_peer_down", st, "BGP peer %s (AS "
	    "%u) of %s is %s: state %s, last error %u/%u", b->addr_str,
	    b->remote_as, t->name, why, bgp_state_name(b->state),
	    b->last_error[0], b->last_error[1]);
	check_detail_str(c, "bgp_state", bgp_state_name(b->state));
	if (b->have & BGP_LASTERR) {
		check_detail_num(c, "last_error_code", b->last_error[0]);
		check_detail_num(c, "last_error_subcode", b->last_error[1]);
	}
	if (b->have & BGP_TRANS) {
		v = ctx_rise(t->ctx, e, "established_transitions",
		    b->transitions, t->bgp_ms);
		report_value(r, e, "router.bgp_peer_flapping", v, "BGP peer %s "
		    "of %s was established %.0f time%s within %lld s",
		    b->addr_str, t->name, v, v == 1 ? "" : "s",
		    (long long)(t->bgp_ms / 1000));
	}
}

static void
judge_bgp(struct snmp_target *t, struct fw_report *r, struct snmp_data *d,
    bool answered)
{
	struct fw_entity *e;
	size_t k;

	if (!t->bgp)
		return;
	for (k = 0; k < t->n_peers; k++)
		t->peers[k].seen = false;
	/*
	 * No bgpPeerTable at all while peers were seen: BGP4-MIB's
	 * subagent is away (snmpd restarted, AgentX not back yet).  Their
	 * state is unknown, not down.
	 */
	if (d->n_peers == 0 || !answered) {
		for (k = 0; k < t->n_peers; k++) {
			e = peer_entity(t, r, t->peers[k].addr);
			report_check(r, e, "router.bgp_peer_down",
			    FW_STATE_UNKNOWN, "BGP peer %u.%u.%u.%u of %s: "
			    "state unknown, the router gives no bgpPeerTable "
			    "(its BGP agent may be restarting)",
			    t->peers[k].addr[0], t->peers[k].addr[1],
			    t->peers[k].addr[2], t->peers[k].addr[3], t->name);
		}
		return;
	}
	for (k = 0; k < d->n_peers; k++)
		if (d->peers[k].have & BGP_STATE)
			judge_peer(t, r, &d->peers[k]);
	/* A peer removed from the router's configuration is forgotten. */
	for (k = 0; k < t->n_peers;) {
		if (t->peers[k].seen) {
			k++;
			continue;
		}
		e = peer_entity(t, r, t->peers[k].addr);
		report_check(r, e, "router.bgp_peer_down", FW_STATE_OK,
		    "BGP peer %u.%u.%u.%u of %s is no longer configured",
		    t->peers[k].addr[0], t->peers[k].addr[1],
		    t->peers[k].addr[2], t->peers[k].addr[3], t->name);
		t->peers[k] = t->peers[--t->n_peers];
	}
}

static void
judge_sensors(struct snmp_target *t, struct fw_report *r, struct snmp_data *d)
{
	char id[SNMP_ID_MAX], name[SNMP_ID_MAX];
	struct fw_entity *e;
	enum fw_state st;
	double v;
	size_t k;

	for (k = 0; k < d->n_sensors; k++) {
		const struct snmp_sensor *s = &d->sensors[k];

		if (!(s->have & SENS_OPER))
			continue;
		fw_snprintf(id, sizeof(id), "%s/sensor/%u", t->name, s->index);
		if (s->have & SENS_NAME)
			fw_snprintf(name, sizeof(name), "%s %s", t->name,
			    s->name);
		else
			fw_snprintf(name, sizeof(name), "%s sensor %u",
			    t->name, s->index);
		e = report_entity(r, FW_KIND_SENSOR, id, name);
		entity_label(e, "router", "%s", t->name);
		entity_relate(e, "part_of", FW_KIND_ROUTER, t->name);
		st = s->oper == SNMP_SENS_NONOPERATIONAL ? FW_STATE_CRITICAL :
		    s->oper == SNMP_SENS_OK ? FW_STATE_OK : FW_STATE_UNKNOWN;
		report_check(r, e, "router.sensor", st, "%s: the router says "
		    "%s", name, s->oper == SNMP_SENS_OK ? "ok" :
		    s->oper == SNMP_SENS_UNAVAILABLE ? "unavailable" :
		    s->oper == SNMP_SENS_NONOPERATIONAL ? "nonoperational" :
		    "an unknown status");
		v = snmp_sensor_value(s);
		if (st != FW_STATE_OK || !(s->have & SENS_VALUE) || isnan(v))
			continue;
		report_reading(r, e, s->type == SNMP_SENS_CELSIUS ?
		    "temperature_celsius" : "value", NULL, v, NULL, NULL);
		if (s->type == SNMP_SENS_CELSIUS)
			report_value(r, e, "router.sensor_temp", v, "%s is at "
			    "%.1f °C", name, v);
	}
}

/* sysUpTime: did the router restart since the last poll? */
static bool
judge_uptime(struct snmp_target *t, struct fw_report *r, struct fw_entity *e,
    const struct snmp_data *d)
{
	int64_t now = clock_wall_ms(), when, at;
	bool restarted = false;
	double prev, v;
	char stamp[32];

	if (!d->has_uptime)
		return false;
	if (ctx_baseline_peek(t->ctx, e, "sys_uptime", &prev, &when) == 0 &&
	    prev >= 0 && prev <= UINT32_MAX &&
	    snmp_uptime_reset((uint32_t)prev, d->uptime, now - when)) {
		restarted = true;
		ctx_baseline(t->ctx, e, "rebooted_at",
		    (double)(now - (int64_t)d->uptime * 10), &v);
		log_info("%s: restarted (sysUpTime went from %.0f to %u)",
		    t->who, prev, d->uptime);
	}
	ctx_baseline(t->ctx, e, "sys_uptime", d->uptime, &v);
	report_reading(r, e, "uptime_seconds", "s", d->uptime / 100.0, NULL,
	    NULL);
	if (ctx_baseline_peek(t->ctx, e, "rebooted_at", &v, NULL) == 0 &&
	    now - (int64_t)v < t->hold_ms) {
		at = (int64_t)v;
		event_format_time(at, stamp);
		report_check(r, e, "router.rebooted", FW_STATE_CRITICAL, "%s "
		    "restarted at %s (sysUpTime %u s)", t->name, stamp,
		    d->uptime / 100);
	} else {
		report_check(r, e, "router.rebooted", FW_STATE_OK, "%s is up "
		    "for %u s", t->name, d->uptime / 100);
	}
	return restarted;
}

static struct fw_entity *
router_entity(struct snmp_target *t, struct fw_report *r,
    const struct snmp_data *d)
{
	struct fw_entity *e = report_entity(r, FW_KIND_ROUTER, t->name,
	    t->name);

	entity_label(e, "address", "%s", t->address);
	if (d != NULL && d->sys_name[0] != '\0')
		entity_label(e, "sys_name", "%s", d->sys_name);
	if (d != NULL && d->sys_descr[0] != '\0')
		entity_label(e, "sys_descr", "%s", d->sys_descr);
	return e;
}

/* A poll that got its answers: everything judged in one report. */
static void
judge(struct snmp_target *t, struct cycle *cy)
{
	struct snmp_data *d = &cy->data;
	struct fw_report *r = ctx_report_open(t->ctx);
	struct fw_entity *e = router_entity(t, r, d);
	bool restarted;

	report_check(r, e, "router.unreachable", FW_STATE_OK, "%s answers "
	    "SNMP at %s%s%s%s", t->name, t->address, d->sys_name[0] ?
	    " (sysName '" : "", d->sys_name, d->sys_name[0] ? "')" : "");
	restarted = judge_uptime(t, r, e, d);
	judge_links(t, r, cy, restarted);
	judge_bgp(t, r, d, true);
	if (t->sensors)
		judge_sensors(t, r, d);
	ctx_report_commit(t->ctx, r);
}

/* A poll without answers: the router's reachability is the news. */
static void
judge_failure(struct snmp_target *t, int err, const char *why)
{
	struct fw_report *r = ctx_report_open(t->ctx);
	struct fw_entity *e = router_entity(t, r, NULL);
	struct fw_check *c;

	if (err == -EACCES || err == -EPROTO) {
		c = report_check(r, e, "router.unreachable", FW_STATE_UNKNOWN,
		    "%s answers at %s but %s: %s", t->name, t->address,
		    err == -EACCES ? "refuses the agent's request" :
		    "not as an SNMP agent must", why);
	} else {
		c = report_check(r, e, "router.unreachable",
		    FW_STATE_CRITICAL, "%s does not answer SNMP at %s: %s "
		    "(%u poll%s in a row)", t->name, t->address, why, t->fails,
		    t->fails == 1 ? "" : "s");
	}
	check_detail_num(c, "failed_polls", t->fails);
	ctx_report_commit(t->ctx, r);
}

/* ---- one poll: the system GET, then the walks ---- */

static void
cycle_free(struct cycle *cy)
{
	if (cy == NULL)
		return;
	snmp_data_clear(&cy->data);
	free(cy);
}

static void
cycle_end(struct snmp_target *t, int err, const char *why)
{
	struct cycle *cy = t->cycle;

	if (cy == NULL)
		return;
	t->cycle = NULL;
	t->gen++;		/* answers still on their way are stale */
	if (err == 0) {
		if (t->fails > 0 || cy->data.errors > 0 || cy->partial[0])
			log_debug("%s: answers again", t->who);
		t->fails = 0;
		judge(t, cy);
		if (cy->data.errors > 0)
			ctx_fail(t->ctx, -EBADMSG, "%u varbind%s refused, "
			    "first %s%s%s", cy->data.errors,
			    cy->data.errors == 1 ? "" : "s",
			    cy->data.first_error, cy->partial[0] ? "; " : "",
			    cy->partial);
		else if (cy->partial[0] != '\0')
			ctx_fail(t->ctx, -EPROTO, "%s", cy->partial);
		else
			ctx_fail(t->ctx, 0, NULL);
	} else {
		t->fails++;
		/*
		 * SNMPv3 keeps the engine id it learnt: a router replaced
		 * by a spare (a new engine id) would never answer that
		 * session again.  The next poll opens a new one.
		 */
		if (t->tmpl.version == SNMP_VERSION_3) {
			t->reopen = true;
			free(t->tmpl.securityEngineID);
			t->tmpl.securityEngineID = NULL;
			t->tmpl.securityEngineIDLen = 0;
		}
		if (err == -EACCES || err == -EPROTO)
			ctx_fail(t->ctx, err, "%s at %s %s: %s", t->name,
			    t->address, err == -EACCES ? "refuses the agent's "
			    "request" : "answers, but not as an SNMP agent must",
			    why);
		else if (t->fails == 1)
			log_info("%s: no answer: %s", t->who, why);
		judge_failure(t, err, why);
	}
	cycle_free(cy);
	ctx_hold(t->ctx, -1);
}

static int
walk_start(struct snmp_target *t, enum snmp_table tb)
{
	const struct snmp_table_def *td = snmp_table_def(tb);
	struct walk *w = &t->cycle->walks[tb];
	size_t c;

	memset(w, 0, sizeof(*w));
	w->active = true;
	w->reps = t->reps;
	for (c = 0; c < td->n_cols; c++) {
		memcpy(w->last[c], td->entry, td->entry_len * sizeof(oid));
		w->last[c][td->entry_len] = td->cols[c];
		w->last_len[c] = td->entry_len + 1;
	}
	t->cycle->left++;
	return walk_send(t, tb);
}

static int
walk_send(struct snmp_target *t, enum snmp_table tb)
{
	struct walk *w = &t->cycle->walks[tb];
	const struct snmp_table_def *td = snmp_table_def(tb);
	netsnmp_pdu *pdu;
	size_t c;

	/* Enough for SNMP_ROWS_MAX rows at one row a request, and then some. */
	if (++w->requests > SNMP_ROWS_MAX + 16)
		return -E2BIG;
	pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
	pdu->non_repeaters = 0;
	pdu->max_repetitions = w->reps;
	w->n_req = 0;
	for (c = 0; c < td->n_cols; c++) {
		if (w->col_done[c])
			continue;
		snmp_add_null_var(pdu, w->last[c], w->last_len[c]);
		w->req_cols[w->n_req++] = c;
	}
	return send_pdu(t, pdu, tb);
}

static void
walk_finish(struct snmp_target *t, enum snmp_table tb)
{
	struct cycle *cy = t->cycle;
	int rc;

	cy->walks[tb].active = false;
	/* Sensors' names: only once there are sensors to name. */
	if (tb == SNMP_T_SENSOR && cy->data.n_sensors > 0 &&
	    (rc = walk_start(t, SNMP_T_ENTNAME)) < 0) {
		cy->left--;
		cy->walks[SNMP_T_ENTNAME].active = false;
	}
	if (--cy->left == 0)
		cycle_end(t, 0, NULL);
}

/* A table the router would not give: the rest of the poll stands. */
static void
walk_fail(struct snmp_target *t, enum snmp_table tb, const char *why)
{
	struct cycle *cy = t->cycle;

	if (cy->partial[0] == '\0')
		fw_snprintf(cy->partial, sizeof(cy->partial), "%s: %s",
		    snmp_table_def(tb)->name, why);
	walk_finish(t, tb);
}

static void
walk_answer(struct snmp_target *t, enum snmp_table tb, netsnmp_pdu *pdu)
{
	struct walk *w = &t->cycle->walks[tb];
	netsnmp_variable_list *vb;
	size_t pos = 0, c, left;
	int rc;

	if (pdu->errstat == SNMP_ERR_TOOBIG && w->reps > 1) {
		w->reps /= 2;	/* the router's buffer is smaller: ask less */
		if (walk_send(t, tb) < 0)
			walk_fail(t, tb, "could not send");
		return;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		walk_fail(t, tb, snmp_errstring((int)pdu->errstat));
		return;
	}
	for (vb = pdu->variables; vb != NULL && w->n_req > 0;
	    vb = vb->next_variable, pos++) {
		c = w->req_cols[pos % w->n_req];
		if (w->col_done[c])
			continue;
		if (!snmp_column_advances(tb, c, vb->name, vb->name_length,
		    w->last[c], w->last_len[c]) ||
		    vb->name_length > SNMP_OID_KEEP) {
			w->col_done[c] = true;	/* past it, or going back */
			continue;
		}
		memcpy(w->last[c], vb->name, vb->name_length * sizeof(oid));
		w->last_len[c] = vb->name_length;
		rc = snmp_parse_column(&t->cycle->data, tb, c, vb);
		if (rc == 1) {
			w->col_done[c] = true;
		} else if (rc == -ENOSPC) {
			walk_fail(t, tb, "more than 4096 rows: the rest is not read");
			return;
		}
	}
	for (c = left = 0; c < w->n_req; c++)
		if (!w->col_done[w->req_cols[c]])
			left++;
	if (pos == 0 || left == 0) {
		walk_finish(t, tb);
		return;
	}
	if ((rc = walk_send(t, tb)) < 0)
		walk_fail(t, tb, rc == -E2BIG ? "too many requests" :
		    "could not send");
}

static void
system_answer(struct snmp_target *t, netsnmp_pdu *pdu)
{
	struct cycle *cy = t->cycle;
	netsnmp_variable_list *vb;

	if (pdu->errstat != SNMP_ERR_NOERROR) {
		cycle_end(t, -EPROTO, snmp_errstring((int)pdu->errstat));
		return;
	}
	for (vb = pdu->variables; vb != NULL; vb = vb->next_variable)
		snmp_parse_system(&cy->data, vb);
	if (!cy->data.has_uptime) {
		cycle_end(t, -EPROTO, "no sysUpTime in the answer");
		return;
	}
	cy->left = 1;	/* held while the walks start */
	if (walk_start(t, SNMP_T_IF) < 0 || walk_start(t, SNMP_T_IFX) < 0 ||
	    (t->bgp && walk_start(t, SNMP_T_BGP) < 0) ||
	    (t->sensors && walk_start(t, SNMP_T_SENSOR) < 0)) {
		cycle_end(t, -EIO, "could not send");
		return;
	}
	if (--cy->left == 0)
		cycle_end(t, 0, NULL);
}

static const char *
report_reason(netsnmp_pdu *pdu)
{
	const char *why = NULL;

	if (pdu->variables != NULL)
		why = snmplib_report_reason(pdu->variables->name,
		    pdu->variables->name_length);
	return why != NULL ? why : "an SNMP REPORT";
}

static int
on_answer(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_target *t = sp->callback_magic;
	unsigned kind = (unsigned)((uintptr_t)magic & 7);
	uint64_t gen = (uint64_t)((uintptr_t)magic >> 3);
	char why[SNMP_ERR_MAX];

	/* Resends are the library's own business, not an outcome. */
	if (op == NETSNMP_CALLBACK_OP_RESEND ||
	    op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	if (t == NULL || t->closing || t->cycle == NULL ||
	    gen != (t->gen & (UINTPTR_MAX >> 3)))
		return 1;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		fw_snprintf(why, sizeof(why), "no answer within %lld ms and %d "
		    "retr%s%s", (long long)t->timeout_ms, t->retries,
		    t->retries == 1 ? "y" : "ies", kind >= SNMP_KIND_DISCO ? "" :
		    ", in the middle of a walk");
		cycle_end(t, -ETIMEDOUT, why);
	} else if (kind == SNMP_KIND_DISCO && pdu != NULL &&
	    (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
	    op == NETSNMP_CALLBACK_OP_SEC_ERROR)) {
		/* The REPORT, which the library may call a USM error. */
		discovery_answer(t, pdu);
	} else if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		cycle_end(t, -EACCES, "its answer fails the USM checks (wrong "
		    "passphrase, protocol or user?)");
	} else if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		cycle_end(t, -EIO, "could not send");
	} else if (pdu->command == SNMP_MSG_REPORT) {
		cycle_end(t, -EACCES, report_reason(pdu));
	} else if (pdu->command != SNMP_MSG_RESPONSE) {
		cycle_end(t, -EPROTO, "an answer that is no RESPONSE");
	} else if (kind == SNMP_KIND_SYS) {
		system_answer(t, pdu);
	} else if (kind < SNMP_T_COUNT && t->cycle->walks[kind].active) {
		walk_answer(t, (enum snmp_table)kind, pdu);
	}
	return 1;
}

/* The system GET: the first request of a poll on a working session. */
static void
system_send(struct snmp_target *t)
{
	netsnmp_pdu *pdu;

	pdu = snmp_pdu_create(SNMP_MSG_GET);
	snmp_add_null_var(pdu, snmp_oid_sysuptime,
	    OID_LENGTH(snmp_oid_sysuptime));
	snmp_add_null_var(pdu, snmp_oid_sysname, OID_LENGTH(snmp_oid_sysname));
	snmp_add_null_var(pdu, snmp_oid_sysdescr,
	    OID_LENGTH(snmp_oid_sysdescr));
	if (send_pdu(t, pdu, SNMP_KIND_SYS) < 0)
		cycle_end(t, -EIO, snmp_api_errstring(snmp_errno));
	reschedule(t);
}

/*
 * SNMPv3 needs the router's engine id before it can authenticate.
 * net-snmp would learn it with a synchronous probe inside its send — the
 * whole loop waiting timeout times retries on a dead router — so it is
 * learnt here instead, as RFC 3414 4 does it: a request without user or
 * engine id, which the router answers with a REPORT that carries its id.
 */
static int
discovery_send(struct snmp_target *t)
{
	netsnmp_session s;
	netsnmp_pdu *pdu;
	int rc;

	snmplib_usm_probe_user();
	snmp_sess_init(&s);
	s.peername = t->peer;
	s.version = SNMP_VERSION_3;
	s.securityModel = SNMP_SEC_MODEL_USM;
	s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	s.securityName = (char *)"";
	s.securityNameLen = 0;
	s.timeout = t->timeout_ms * 1000;
	s.retries = t->retries;
	s.callback_magic = t;
	s.flags |= SNMP_FLAGS_DONT_PROBE;
	if ((rc = session_connect_from(t, &s)) < 0)
		return rc;
	t->discovering = true;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	pdu->version = SNMP_VERSION_3;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityName = xstrdup("");	/* given, and empty */
	pdu->securityNameLen = 0;
	snmp_add_null_var(pdu, snmp_oid_sysuptime,
	    OID_LENGTH(snmp_oid_sysuptime));
	return send_pdu(t, pdu, SNMP_KIND_DISCO);
}

/* Out of net-snmp's call stack: the probe's session closed, ours opened. */
static void
discovery_next(void *arg)
{
	struct snmp_target *t = arg;

	t->next_timer = 0;
	if (t->cycle == NULL || !t->discovering)
		return;
	session_close(t);
	if (session_connect(t) < 0) {
		cycle_end(t, -EIO, "no session could be opened");
		return;
	}
	system_send(t);
}

static void
discovery_answer(struct snmp_target *t, netsnmp_pdu *pdu)
{
	/* The library may hand the REPORT over more than once. */
	if (!t->discovering || t->next_timer != 0)
		return;
	if (pdu->command != SNMP_MSG_REPORT ||
	    pdu->securityEngineIDLen < 5 || pdu->securityEngineIDLen > 32) {
		cycle_end(t, -EPROTO, "no engine id in its answer to the "
		    "SNMPv3 discovery");
		return;
	}
	free(t->tmpl.securityEngineID);
	t->tmpl.securityEngineID = netsnmp_memdup(pdu->securityEngineID,
	    pdu->securityEngineIDLen);
	t->tmpl.securityEngineIDLen = pdu->securityEngineIDLen;
	t->next_timer = ctx_add_timer(t->ctx, 0, discovery_next, t);
}

static void
cycle_start(struct snmp_target *t)
{
	t->cycle = xcalloc(1, sizeof(*t->cycle));
	t->cycle->started = now_ms();
	snmp_data_init(&t->cycle->data);
	ctx_hold(t->ctx, 1);
	if (t->reopen || t->sess == NULL || t->discovering) {
		t->reopen = false;
		session_close(t);
		if (t->tmpl.version == SNMP_VERSION_3 &&
		    t->tmpl.securityEngineIDLen == 0) {
			if (discovery_send(t) < 0)
				cycle_end(t, -EIO, "could not send");
			reschedule(t);
			return;
		}
		if (session_connect(t) < 0) {
			cycle_end(t, -EIO, "no session could be opened");
			return;
		}
	}
	system_send(t);
}

static int
snmp_poll(void *state, struct fw_report *out)
{
	struct snmp_target *t = state;

	/* The poll before is still walking: its timeouts end it. */
	if (t->cycle != NULL) {
		log_debug("%s: the poll before is still in flight", t->who);
		return 0;
	}
	cycle_start(t);
	return 0;
}

/* ---- the trap listener's hook (snmp_poller.h) ---- */

static void
kick_now(void *arg)
{
	struct snmp_target *t = arg;

	t->kick_timer = 0;
	t->kicked_ms = now_ms();
	ctx_request_poll(t->ctx);
}

int
snmp_poller_kick(const char *ip)
{
	struct snmp_target *t;
	int64_t now = now_ms(), wait;
	int n = 0;

	for (t = targets; t != NULL; t = t->next) {
		if (strcmp(t->ip, ip) != 0)
			continue;
		n++;
		if (t->kick_timer != 0)
			continue;	/* one is coming: a storm is one poll */
		wait = t->kicked_ms + SNMP_KICK_MS - now;
		if (t->kicked_ms == 0 || wait <= 0)
			kick_now(t);
		else
			t->kick_timer = ctx_add_timer(t->ctx, wait, kick_now,
			    t);
	}
	return n;
}

/* ---- set-up ---- */

/* address into net-snmp's transport spec and the bare IP, for traps. */
static int
target_address(struct snmp_target *t, const char *addr, int64_t port,
    char *peer, size_t size)
{
	char host[256];
	const char *p = addr, *end, *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	bool v6 = false;
	int rc;

	if (strncmp(p, "udp:", 4) == 0)
		p += 4;
	else if (strncmp(p, "udp6:", 5) == 0)
		p += 5;
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL)
			return -EINVAL;
		fw_snprintf(host, sizeof(host), "%.*s", (int)(end - p - 1),
		    p + 1);
		v6 = true;
		if (end[1] == ':' && fw_parse_i64(end + 2, 1, 65535, &port) < 0)
			return -EINVAL;
	} else if ((colon = strchr(p, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		fw_snprintf(host, sizeof(host), "%.*s", (int)(colon - p), p);
		if (fw_parse_i64(colon + 1, 1, 65535, &port) < 0)
			return -EINVAL;
	} else {
		fw_strlcpy(host, p, sizeof(host));
		v6 = strchr(p, ':') != NULL;
	}
	if (host[0] == '\0')
		return -EINVAL;
	/* Resolved once, at start: never again from the loop. */
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		log_warnx("%s: %s: %s", t->who, host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, t->ip, sizeof(t->ip),
	    NULL, 0, NI_NUMERICHOST);
	v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	if (rc != 0)
		return -EINVAL;
	fw_snprintf(peer, size, v6 ? "udp6:[%s]:%lld" : "udp:%s:%lld", t->ip,
	    (long long)port);
	return 0;
}

static int
session_auth(struct snmp_target *t, const struct fw_conf_section *cs)
{
	netsnmp_session *s = &t->tmpl;
	const char *v = conf_get_str(cs, snmp_keys, "version"), *cf;

	if (strcmp(v, "3") == 0) {
		if (snmplib_usm_set(s, t->who, conf_get_str(cs, snmp_keys,
		    "user"), conf_get_str(cs, snmp_keys, "auth_protocol"),
		    conf_get_str(cs, snmp_keys, "auth_password_file"),
		    conf_get_str(cs, snmp_keys, "priv_protocol"),
		    conf_get_str(cs, snmp_keys, "priv_password_file")) < 0)
			return -EINVAL;
		/* The engine id is learnt from the first answer's REPORT,
		 * asynchronously: no blocking probe at open. */
		s->flags |= SNMP_FLAGS_DONT_PROBE;
		return 0;
	}
	s->version = SNMP_VERSION_2c;
	if ((cf = conf_get_str(cs, snmp_keys, "community_file")) != NULL) {
		if (snmplib_read_secret(t->who, cf, t->comm,
		    sizeof(t->comm)) < 0)
			return -EINVAL;
	} else if ((v = conf_get_str(cs, snmp_keys, "community")) != NULL) {
		fw_strlcpy(t->comm, v, sizeof(t->comm));
	} else {
		log_warnx("%s: version 2c needs community or community_file",
		    t->who);
		return -EINVAL;
	}
	s->community = (u_char *)t->comm;
	s->community_len = strlen(t->comm);
	return 0;
}

/*
 * A session from s, its socket watched.  net-snmp clears "do not probe"
 * once a session is open, and would then probe for the engine id inside
 * the first send, synchronously: it is set again.
 */
static int
session_connect_from(struct snmp_target *t, netsnmp_session *s)
{
	netsnmp_transport *tr;
	int rc;

	t->discovering = false;
	if ((t->sess = snmp_sess_open(s)) == NULL) {
		log_warnx("%s: %s: %s", t->who, t->address,
		    snmp_api_errstring(snmp_errno));
		return -EINVAL;
	}
	snmp_sess_session(t->sess)->flags |= SNMP_FLAGS_DONT_PROBE;
	if ((tr = snmp_sess_transport(t->sess)) == NULL)
		return -EIO;
	if ((rc = ctx_watch_answers(t->ctx, tr->sock, EPOLLIN)) < 0)
		return rc;
	t->fd = tr->sock;
	return 0;
}

static int
session_connect(struct snmp_target *t)
{
	return session_connect_from(t, &t->tmpl);
}

static void
session_close(struct snmp_target *t)
{
	ctx_del_timer(t->ctx, t->timer);
	t->timer = 0;
	if (t->fd >= 0)
		ctx_unwatch_fd(t->ctx, t->fd);
	t->fd = -1;
	if (t->sess != NULL)
		snmp_sess_close(t->sess);
	t->sess = NULL;
}

static int
session_open(struct snmp_target *t, const struct fw_conf_section *cs)
{
	const char *addr = conf_get_str(cs, snmp_keys, "address");
	int rc;

	if (addr == NULL || addr[0] == '\0') {
		log_warnx("%s: no address", t->who);
		return -EINVAL;
	}
	fw_strlcpy(t->address, addr, sizeof(t->address));
	if ((rc = target_address(t, addr, conf_get_int(cs, snmp_keys, "port"),
	    t->peer, sizeof(t->peer))) < 0) {
		if (rc == -EINVAL)
			log_warnx("%s: address '%s' is not HOST, HOST:PORT or "
			    "[IPv6]:PORT", t->who, addr);
		return rc;
	}
	snmplib_init(NULL);
	snmp_sess_init(&t->tmpl);
	t->tmpl.peername = t->peer;
	t->tmpl.timeout = t->timeout_ms * 1000;
	t->tmpl.retries = t->retries;
	t->tmpl.callback_magic = t;
	if ((rc = session_auth(t, cs)) < 0)
		return rc;
	/* v3 opens at the first poll, after the engine id is learnt. */
	return t->tmpl.version == SNMP_VERSION_3 ? 0 : session_connect(t);
}

static void
snmp_teardown(void *state)
{
	struct snmp_target *t = state, **pp;
	size_t i;

	if (t == NULL)
		return;
	for (pp = &targets; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->closing = true;	/* no answer is judged now */
	ctx_del_timer(t->ctx, t->kick_timer);
	ctx_del_timer(t->ctx, t->next_timer);
	session_close(t);
	if (t->tmpl.version == SNMP_VERSION_3)
		snmplib_usm_clear(&t->tmpl);
	explicit_bzero(t->comm, sizeof(t->comm));
	if (t->cycle != NULL)
		ctx_hold(t->ctx, -1);
	cycle_free(t->cycle);
	for (i = 0; i < t->n_links; i++)
		free(t->links[i]);
	free(t->links);
	free(t->peers);
	free(t->include);
	free(t->exclude);
	free(t->expect_up);
	free(t->expect_speed);
	free(t);
}

static int
snmp_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct snmp_target *t = xcalloc(1, sizeof(*t));
	const char *inst = ctx_instance(ctx);

	*ret_state = t;
	t->ctx = ctx;
	t->fd = -1;
	fw_strlcpy(t->name, inst != NULL ? inst : "snmp", sizeof(t->name));
	fw_snprintf(t->who, sizeof(t->who), "snmp:%s", t->name);
	t->timeout_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys, "timeout");
	t->retries = (int)conf_get_int(cs, snmp_keys, "retries");
	t->reps = (int)conf_get_int(cs, snmp_keys, "max_repetitions");
	t->include = xstrdup(conf_get_str(cs, snmp_keys, "interfaces"));
	t->exclude = xstrdup(conf_get_str(cs, snmp_keys, "exclude"));
	t->expect_up = xstrdup(conf_get_str(cs, snmp_keys, "expect_up"));
	t->expect_speed = xstrdup(conf_get_str(cs, snmp_keys, "expect_speed"));
	t->window_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys, "window");
	t->flap_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys,
	    "flap_window");
	t->bgp_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys, "bgp_window");
	t->hold_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys,
	    "reboot_hold");
	t->bgp = conf_get_bool(cs, snmp_keys, "bgp");
	t->sensors = conf_get_bool(cs, snmp_keys, "sensors");
	if (inst == NULL) {
		log_warnx("snmp: a router is a section of its own, "
		    "[snmp:NAME]");
		return -EINVAL;
	}
	if (check_expect_speed(t->who, t->expect_speed) < 0)
		return -EINVAL;
	t->next = targets;
	targets = t;
	return session_open(t, cs);
}

const struct fw_collector snmp_collector = {
	.name = "snmp",
	.interval_ms = 30 * 1000,
	.instances = true,
	.keys = snmp_keys,
	.checks = snmp_checks,
	.init = snmp_init,
	.poll = snmp_poll,
	.ready = snmp_ready,
	.teardown = snmp_teardown,
};
