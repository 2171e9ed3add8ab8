/* The "netlink" collector: NICs and bonds from rtnetlink pushed into the loop (RTNLGRP_LINK), link modes from ethtool over generic netlink, counters judged as rates. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "forewarn/clock.h"
#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/util.h"
#include "netlink_parse.h"
#include "nic_ident.h"

#define NET_IFACES_MAX	8192	/* beyond this, links are not followed */
#define NET_FLAPS_MAX	64	/* carrier-down times kept per link */
#define NET_BUF_SIZE	(64 * 1024)
#define NET_RCVBUF	(4 * 1024 * 1024)	/* a burst of 1,000 links */
#define NET_MIN_ERRORS	3	/* fewer in a window is no ratio */
#define NET_MIN_DROPS	10
#define NET_OPTICS_MS	(5 * 60 * 1000LL)	/* module EEPROM reads */

static const struct fw_check_def net_checks[] = {
	{ "net.link_down", "a link that was up (or is expected up) lost its "
	    "carrier while administratively up", FW_CMP_NONE, NAN, NAN, 0, 1,
	    1, NULL },
	{ "net.flapping", "carrier losses within flap_window", FW_CMP_ABOVE,
	    3, 10, 0, 1, 1, "count" },
	{ "net.speed_degraded", "the link runs below the highest speed seen "
	    "on it", FW_CMP_NONE, NAN, NAN, 0, 2, 1, NULL },
	{ "net.duplex", "the link runs half duplex", FW_CMP_NONE, NAN, NAN, 0,
	    2, 1, NULL },
	{ "net.errors", "receive and transmit errors per million packets "
	    "within window", FW_CMP_ABOVE, 1, 100, 0, 1, 1, "ppm" },
	{ "net.drops", "dropped and missed packets within window (the host "
	    "not keeping up)", FW_CMP_ABOVE, 0.1, 5, 0, 1, 1, "percent" },
	{ "net.optics", "a module's received power at or below its own "
	    "low warning or alarm threshold", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ "net.bond_down", "a bond administratively up with no working slave",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "net.bond_degraded", "a bond with fewer working slaves than it had: "
	    "its redundancy is gone or going", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ .code = NULL }
};

static const struct fw_conf_key net_keys[] = {
	{ "include", FW_CONF_LIST, "", 0, 0, NULL,
	    "links to watch beyond the default: name globs, kind:KIND" },
	{ "exclude", FW_CONF_LIST, "", 0, 0, NULL,
	    "links not to watch (include wins): name globs, kind:KIND" },
	{ "expect_up", FW_CONF_LIST, "", 0, 0, NULL,
	    "links that must be up (critical when down, even if never seen up)"
	    },
	{ "window", FW_CONF_DURATION, "15m", 60000, 0, NULL,
	    "the window over which errors and drops are counted" },
	{ "flap_window", FW_CONF_DURATION, "10m", 1000, 0, NULL,
	    "the window over which carrier losses are counted" },
	{ "flap_settle", FW_CONF_DURATION, "60s", 100, 0, NULL,
	    "a flapping link must stay unchanged this long before net.link_down"
	    " speaks for it again" },
	{ .name = NULL }
};

struct net_if {
	int		ifindex;
	struct nl_link	l;		/* the latest message */
	char		id[NL_MAC_MAX + 16];
	bool		seen;		/* in the latest full dump */
	bool		was_up;		/* up at some time: down is news */
	bool		up_kept;	/* was_up is in the store */
	bool		first;		/* not reported yet */
	bool		have_down;	/* carrier_down known */
	uint32_t	last_down;
	unsigned	n_flaps;
	int64_t		flaps[NET_FLAPS_MAX];	/* monotonic ms of losses */
	int64_t		changed_ms;	/* monotonic ms of the last change */
	int		last_master;	/* the bond it was related to */
	char		last_bond[NL_NAME_MAX];
	/* ethtool */
	bool		optics_na;	/* the driver has no module EEPROM */
	int64_t		optics_ms;	/* monotonic ms of the last read */
	bool		has_optics;
	struct sff_diag	optics;
	bool		has_fcs;	/* IEEE 802.3 FCS errors (STATS) */
	uint64_t	fcs_errors;
	bool		has_linkstate;	/* LINKSTATE at the latest poll */
	struct nl_ethtool ls;
	bool		has_modes;
	uint32_t	speed, max_speed;
	uint8_t		duplex;
	unsigned	bond_max;	/* a bond's most slaves seen */
};

struct net_state {
	struct fw_ctx		*ctx;
	struct mnl_socket	*ev;		/* RTNLGRP_LINK notifications */
	struct mnl_socket	*dump;		/* our RTM_GETLINK dumps */
	struct mnl_socket	*genl;		/* ethtool */
	uint16_t		 ethtool_id;	/* 0: not available */
	unsigned		 seq;
	char			*include, *exclude, *expect_up;
	int64_t			 window_ms, flap_window_ms, settle_ms;
	struct net_if		**ifs;
	size_t			 n_ifs;
	bool			 overflow_said;
	char			*buf;
	uint8_t			 page[128];	/* the module EEPROM page read */
	size_t			 page_len;
};

/* ---- the interface table ---- */

static struct net_if *
if_find(struct net_state *s, int ifindex)
{
	size_t i;

	for (i = 0; i < s->n_ifs; i++)
		if (s->ifs[i]->ifindex == ifindex)
			return s->ifs[i];
	return NULL;
}

static struct net_if *
if_get(struct net_state *s, int ifindex)
{
	struct net_if *n = if_find(s, ifindex);

	if (n != NULL)
		return n;
	if (s->n_ifs >= NET_IFACES_MAX) {
		if (!s->overflow_said)
			log_warnx("netlink: more than %d links; the rest are "
			    "not watched", NET_IFACES_MAX);
		s->overflow_said = true;
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->ifindex = ifindex;
	n->first = true;
	s->ifs = xreallocarray(s->ifs, s->n_ifs + 1, sizeof(*s->ifs));
	s->ifs[s->n_ifs++] = n;
	return n;
}

static void
if_drop(struct net_state *s, struct net_if *n)
{
	size_t i;

	for (i = 0; i < s->n_ifs; i++)
		if (s->ifs[i] == n) {
			s->ifs[i] = s->ifs[--s->n_ifs];
			break;
		}
	free(n);
}

/* ---- which links are watched ---- */

static bool
list_match(const char *list, const struct nl_link *l)
{
	char word[64];
	const char *p = list;
	size_t len;

	while ((len = fw_word_next(&p, word, sizeof(word))) > 0)
		if (len < sizeof(word) && (strncmp(word, "kind:", 5) == 0 ?
		    fnmatch(word + 5, l->kind, 0) == 0 :
		    fnmatch(word, l->name, 0) == 0))
			return true;
	return false;
}

/*
 * Every link but loopback and container plumbing: tun/tap of VMs, bridges
 * (docker0 loses its carrier with its last container) and veths attached
 * to a bridge.  include wins over exclude, exclude over the default.
 */
static bool
if_watched(struct net_state *s, const struct nl_link *l)
{
	const struct net_if *m;

	if (list_match(s->include, l))
		return true;
	if (list_match(s->exclude, l))
		return false;
	if (l->flags & IFF_LOOPBACK)
		return false;
	if (strcmp(l->kind, "tun") == 0 || strcmp(l->kind, "bridge") == 0 ||
	    strcmp(l->kind, "openvswitch") == 0)
		return false;
	if (strcmp(l->kind, "veth") == 0 && l->master != 0 &&
	    (m = if_find(s, l->master)) != NULL &&
	    (strcmp(m->l.kind, "bridge") == 0 ||
	    strcmp(m->l.kind, "openvswitch") == 0))
		return false;
	return true;
}

/* ---- judging one link ---- */

static bool
link_is_up(const struct nl_link *l)
{
	if (!(l->flags & IFF_UP) || l->carrier == 0)
		return false;
	/*
	 * The carrier decides: operstate follows it through linkwatch a
	 * moment later, so "carrier on, lowerlayerdown" is a link coming up.
	 */
	if (l->carrier == 1)
		return true;
	return l->operstate != NL_OPER_DOWN &&
	    l->operstate != NL_OPER_LOWERLAYERDOWN &&
	    l->operstate != NL_OPER_NOTPRESENT;
}

/* A bond slave also needs its bond's link monitor (MII or ARP) to agree. */
static bool
slave_working(const struct nl_link *l)
{
	return link_is_up(l) && (!l->is_bond_slave ||
	    l->mii_status == NL_MII_UP);
}

static const char *
oper_name(uint8_t o)
{
	static const char *const names[] = { "unknown", "notpresent", "down",
	    "lowerlayerdown", "testing", "dormant", "up" };

	return o < FW_ARRAY_SIZE(names) ? names[o] : "unknown";
}

/* ETHTOOL_LINK_EXT_STATE_*: why the driver says the link is down. */
static const char *
ext_state_name(uint8_t st)
{
	static const char *const names[] = { "autonegotiation failed",
	    "link training failed", "logical mismatch", "bad signal integrity",
	    "no cable", "cable issue", "module EEPROM issue",
	    "calibration failed", "power budget exceeded", "overheated",
	    "module issue" };

	return st < FW_ARRAY_SIZE(names) ? names[st] : "unknown reason";
}

static int64_t
mono_ms(void)
{
	return clock_mono_now().us / 1000;
}

/* Carrier losses since the last message, from the kernel's own count. */
static void
count_flaps(struct net_state *s, struct net_if *n, const struct nl_link *l,
    bool was_up_before)
{
	uint32_t downs = 0, i;
	int64_t now = mono_ms();

	if (l->has_updown) {
		/* Taken down by hand is no flap: count losses while up. */
		if (n->have_down && l->carrier_down >= n->last_down &&
		    (l->flags & IFF_UP))
			downs = l->carrier_down - n->last_down;
		n->have_down = true;
		n->last_down = l->carrier_down;
	} else if (was_up_before && !link_is_up(l)) {
		downs = 1;	/* an old kernel: what we saw */
	}
	if (downs > 0)
		n->changed_ms = now;
	for (i = 0; i < downs && i < NET_FLAPS_MAX; i++) {
		if (n->n_flaps == NET_FLAPS_MAX) {
			memmove(n->flaps, n->flaps + 1,
			    (NET_FLAPS_MAX - 1) * sizeof(n->flaps[0]));
			n->n_flaps--;
		}
		n->flaps[n->n_flaps++] = now;
	}
	(void)s;
}

static unsigned
flaps_in_window(struct net_state *s, struct net_if *n)
{
	int64_t now = mono_ms();
	unsigned i, k = 0;

	for (i = 0; i < n->n_flaps; i++)
		if (now - n->flaps[i] <= s->flap_window_ms)
			n->flaps[k++] = n->flaps[i];
	n->n_flaps = k;
	return k;
}

static const char *
bond_name_of(struct net_state *s, const struct nl_link *l)
{
	const struct net_if *m;

	if (l->master == 0 || (m = if_find(s, l->master)) == NULL ||
	    strcmp(m->l.kind, "bond") != 0)
		return NULL;
	return m->l.name;
}

static struct fw_entity *
nic_entity(struct net_state *s, struct fw_report *out, struct net_if *n)
{
	const struct nl_link *l = &n->l;
	const char *bond = bond_name_of(s, l);
	struct fw_entity *e;

	e = report_entity(out, FW_KIND_NIC, n->id, l->name);
	entity_label(e, "kernel_name", "%s", l->name);
	if (l->kind[0] != '\0')
		entity_label(e, "kind", "%s", l->kind);
	if (l->mac[0] != '\0')
		entity_label(e, "mac", "%s", l->mac);
	entity_label(e, "mtu", "%u", l->mtu);
	if (n->has_modes && n->speed != 0 && n->speed != UINT32_MAX)
		entity_label(e, "speed_mbps", "%u", n->speed);
	if (n->last_bond[0] != '\0' && (bond == NULL ||
	    strcmp(bond, n->last_bond) != 0)) {
		entity_unrelate(e, "slave_of", FW_KIND_BOND, n->last_bond);
		n->last_bond[0] = '\0';
	}
	if (bond != NULL) {
		entity_relate(e, "slave_of", FW_KIND_BOND, bond);
		entity_label(e, "master", "%s", bond);
		fw_strlcpy(n->last_bond, bond, sizeof(n->last_bond));
	}
	return e;
}

/* Remember that a link has been up, across restarts. */
static void
keep_was_up(struct net_state *s, struct fw_entity *e, struct net_if *n)
{
	double prev;
	int64_t t;

	if (n->first && !n->was_up &&
	    ctx_baseline_peek(s->ctx, e, "net_was_up", &prev, &t) == 0 &&
	    prev > 0)
		n->was_up = true;
	if (n->was_up && !n->up_kept) {
		ctx_baseline(s->ctx, e, "net_was_up", 1, &prev);
		n->up_kept = true;
	}
}

/*
 * net.flapping; true while net.link_down should wait: while it flaps,
 * net.flapping speaks and net.link_down waits until the link has kept one
 * state for flap_settle, so a link that stays down after a storm is still
 * reported, that much later.
 */
static bool
check_flapping(struct net_state *s, struct fw_report *out,
    struct fw_entity *e, struct net_if *n)
{
	unsigned flaps = flaps_in_window(s, n);
	struct fw_check *c;
	int64_t quiet;

	c = report_value(out, e, "net.flapping", flaps, "%s: %u carrier "
	    "loss%s within %lld min", n->l.name, flaps, flaps == 1 ? "" : "es",
	    (long long)(s->flap_window_ms / 60000));
	check_detail_num(c, "carrier_changes", n->l.carrier_changes);
	if (n->has_linkstate && n->ls.has_ext_down_cnt)
		check_detail_num(c, "phy_link_down_events", n->ls.ext_down_cnt);
	quiet = mono_ms() - n->changed_ms;
	if (flaps >= net_checks[1].warning && quiet < s->settle_ms) {
		ctx_poll_after(s->ctx, s->settle_ms - quiet + 10);
		return true;
	}
	return false;
}

/* Down is news only for a link that was up, or is expected up. */
static enum fw_state
link_judge(struct net_state *s, const struct net_if *n, const char **ret_why)
{
	const struct nl_link *l = &n->l;

	if (!(l->flags & IFF_UP)) {
		*ret_why = "administratively down";
		return FW_STATE_OK;
	}
	if (link_is_up(l) && !slave_working(l) && n->was_up) {
		*ret_why = "carrier on, but its bond's link monitor says down";
		return FW_STATE_WARNING;
	}
	if (link_is_up(l)) {
		*ret_why = "up";
		return FW_STATE_OK;
	}
	if (list_match(s->expect_up, l)) {
		*ret_why = "down (expected up)";
		return FW_STATE_CRITICAL;
	}
	if (n->was_up) {
		*ret_why = "down";
		return FW_STATE_WARNING;
	}
	*ret_why = "down, never seen up (not cabled?)";
	return FW_STATE_OK;
}

static void
check_link(struct net_state *s, struct fw_report *out, struct fw_entity *e,
    struct net_if *n)
{
	const struct nl_link *l = &n->l;
	const char *why, *reason;
	struct fw_check *c;
	enum fw_state st;

	if (check_flapping(s, out, e, n))
		return;
	st = link_judge(s, n, &why);
	reason = n->has_linkstate && n->ls.has_ext_state && !link_is_up(l) ?
	    ext_state_name(n->ls.ext_state) : NULL;
	c = report_check(out, e, "net.link_down", st, "%s (%s) is %s: "
	    "operstate %s, carrier %s%s%s", l->name, n->id, why,
	    oper_name(l->operstate), l->carrier < 0 ? "unknown" :
	    l->carrier ? "on" : "off", reason ? "; the driver says: " : "",
	    reason ? reason : "");
	check_detail_str(c, "operstate", oper_name(l->operstate));
	if (reason != NULL)
		check_detail_str(c, "ext_state", reason);
	if (n->has_linkstate && n->ls.has_sqi) {
		check_detail_num(c, "sqi", n->ls.sqi);
		check_detail_num(c, "sqi_max", n->ls.sqi_max);
	}
	check_detail_num(c, "carrier", l->carrier);
	check_detail_num(c, "admin_up", (l->flags & IFF_UP) != 0);
}

/* Errors and drops as ratios over the window: only in a full pass. */
static void
check_counters(struct net_state *s, struct fw_report *out,
    struct fw_entity *e, const struct net_if *n)
{
	const struct nl_stats *st = &n->l.stats;
	double pk, er, dr, ratio, pct;
	struct fw_check *c;

	/* A link that is down counts nothing worth judging (and its
	 * verdict from while it was up stands until it is up again). */
	if (!n->l.has_stats || !link_is_up(&n->l))
		return;
	pk = ctx_rise(s->ctx, e, "net_packets", (double)(st->rx_packets +
	    st->tx_packets), s->window_ms);
	er = ctx_rise(s->ctx, e, "net_errors", (double)(st->rx_errors +
	    st->tx_errors), s->window_ms);
	dr = ctx_rise(s->ctx, e, "net_drops", (double)(st->rx_dropped +
	    st->tx_dropped + st->rx_missed_errors), s->window_ms);
	ratio = er >= NET_MIN_ERRORS ? er * 1e6 / (pk + er > 0 ? pk + er : 1) :
	    0;
	c = report_value(out, e, "net.errors", ratio, "%s: %.0f errors in "
	    "%.0f packets within %lld min (%.3g ppm)", n->l.name, er, pk,
	    (long long)(s->window_ms / 60000), ratio);
	check_detail_num(c, "errors", er);
	check_detail_num(c, "packets", pk);
	check_detail_num(c, "rx_crc_errors", (double)st->rx_crc_errors);
	check_detail_num(c, "rx_frame_errors", (double)st->rx_frame_errors);
	check_detail_num(c, "tx_carrier_errors", (double)st->tx_carrier_errors);
	if (n->has_fcs)
		check_detail_num(c, "fcs_errors", (double)n->fcs_errors);
	pct = dr >= NET_MIN_DROPS ? dr * 100 / (pk + dr > 0 ? pk + dr : 1) : 0;
	c = report_value(out, e, "net.drops", pct, "%s: %.0f packets dropped "
	    "or missed in %.0f within %lld min (%.3g%%)", n->l.name, dr, pk,
	    (long long)(s->window_ms / 60000), pct);
	check_detail_num(c, "drops", dr);
	check_detail_num(c, "rx_missed_errors", (double)st->rx_missed_errors);
	report_reading(out, e, "rx_packets", "", (double)st->rx_packets, NULL,
	    NULL);
	report_reading(out, e, "rx_errors", "", (double)st->rx_errors, NULL,
	    NULL);
	report_reading(out, e, "carrier_changes", "",
	    (double)n->l.carrier_changes, NULL, NULL);
}

/* Speed and duplex from ethtool: only while the link is up. */
static void
check_modes(struct net_state *s, struct fw_report *out, struct fw_entity *e,
    struct net_if *n)
{
	struct fw_check *c;
	double prev;
	int64_t t;

	if (!n->has_modes || !link_is_up(&n->l) || n->speed == 0 ||
	    n->speed == UINT32_MAX)
		return;
	if (n->max_speed == 0 && ctx_baseline_peek(s->ctx, e, "net_max_speed",
	    &prev, &t) == 0 && prev > 0 && prev < UINT32_MAX)
		n->max_speed = (uint32_t)prev;
	if (n->speed > n->max_speed) {
		n->max_speed = n->speed;
		ctx_baseline(s->ctx, e, "net_max_speed", n->speed, &prev);
	}
	c = report_check(out, e, "net.speed_degraded", n->speed < n->max_speed ?
	    FW_STATE_WARNING : FW_STATE_OK, "%s runs at %u Mb/s (highest seen "
	    "%u Mb/s)", n->l.name, n->speed, n->max_speed);
	check_detail_num(c, "speed_mbps", n->speed);
	check_detail_num(c, "max_speed_mbps", n->max_speed);
	if (n->duplex == DUPLEX_HALF || n->duplex == DUPLEX_FULL)
		report_check(out, e, "net.duplex", n->duplex == DUPLEX_HALF ?
		    FW_STATE_WARNING : FW_STATE_OK, "%s runs %s duplex",
		    n->l.name, n->duplex == DUPLEX_HALF ? "half" : "full");
}

static void
list_add(char *buf, size_t size, const struct net_if *n)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s (%s)", len ? ", " : "",
		    n->l.name, n->id);
}

/*
 * The most slaves a bond has had is what it is configured with: a slave
 * that left it or lost its link is redundancy gone.  Down to one working
 * link, one more failure is an outage.
 */
static void
check_bond_slaves(struct fw_report *out, struct fw_entity *e,
    const struct net_if *b, unsigned slaves, unsigned working,
    const char *up, const char *lost, enum fw_state down)
{
	unsigned expected = b->bond_max > slaves ? b->bond_max : slaves;
	struct fw_check *c;

	if (down == FW_STATE_CRITICAL)
		c = report_check(out, e, "net.bond_degraded", FW_STATE_CRITICAL,
		    "%s is down, past being degraded: no working slave%s%s",
		    b->l.name, lost[0] ? "; lost: " : "", lost);
	else if (!(b->l.flags & IFF_UP) || expected <= 1 || working >= expected)
		c = report_check(out, e, "net.bond_degraded", FW_STATE_OK,
		    !(b->l.flags & IFF_UP) ? "%s is administratively down" :
		    expected <= 1 ? "%s has a single slave: no redundancy to "
		    "lose" : "%s: all %u slaves working", b->l.name, expected);
	else
		c = report_check(out, e, "net.bond_degraded", working <= 1 ?
		    FW_STATE_CRITICAL : FW_STATE_WARNING, working == 1 ?
		    "%s now runs on a single link: %s; %u of %u slaves lost%s%s" :
		    "%s runs on %s; %u of %u slaves lost%s%s", b->l.name, up,
		    expected - working, expected, lost[0] ? ": " :
		    " (left the bond)", lost);
	check_detail_num(c, "slaves_working", working);
	check_detail_num(c, "slaves_expected", expected);
}

/* A bond's own state and its redundancy, from its slaves. */
static void
report_bond(struct net_state *s, struct fw_report *out, struct net_if *b)
{
	char up[256] = "", lost[256] = "";
	unsigned slaves = 0, working = 0;
	struct fw_entity *e;
	struct fw_check *c;
	enum fw_state st;
	double prev;
	int64_t t;
	size_t i;

	for (i = 0; i < s->n_ifs; i++) {
		if (s->ifs[i]->l.master != b->ifindex)
			continue;
		slaves++;
		if (slave_working(&s->ifs[i]->l)) {
			working++;
			list_add(up, sizeof(up), s->ifs[i]);
		} else {
			list_add(lost, sizeof(lost), s->ifs[i]);
		}
	}
	e = report_entity(out, FW_KIND_BOND, b->l.name, b->l.name);
	entity_label(e, "kernel_name", "%s", b->l.name);
	entity_label(e, "mtu", "%u", b->l.mtu);
	if (b->bond_max == 0 && ctx_baseline_peek(s->ctx, e, "net_bond_slaves",
	    &prev, &t) == 0 && prev > 0 && prev < 1024)
		b->bond_max = (unsigned)prev;
	if (slaves > b->bond_max) {
		b->bond_max = slaves;
		ctx_baseline(s->ctx, e, "net_bond_slaves", slaves, &prev);
	}
	st = (b->l.flags & IFF_UP) && (working == 0 || !link_is_up(&b->l)) ?
	    FW_STATE_CRITICAL : FW_STATE_OK;
	c = report_check(out, e, "net.bond_down", st, "%s: %u of %u slave%s "
	    "working%s", b->l.name, working, slaves, slaves == 1 ? "" : "s",
	    !(b->l.flags & IFF_UP) ? " (administratively down)" :
	    st == FW_STATE_CRITICAL ? ", the bond is down" : "");
	check_detail_num(c, "slaves", slaves);
	check_detail_num(c, "slaves_working", working);
	check_detail_num(c, "slaves_expected", b->bond_max);
	check_bond_slaves(out, e, b, slaves, working, up, lost, st);
}

static void	check_optics(struct net_state *s, struct fw_report *out,
		    struct fw_entity *e, struct net_if *n);

static void
report_if(struct net_state *s, struct fw_report *out, struct net_if *n,
    bool full)
{
	struct fw_entity *e;

	if (strcmp(n->l.kind, "bond") == 0) {
		report_bond(s, out, n);
		n->first = false;
		return;
	}
	if (!if_watched(s, &n->l))
		return;
	e = nic_entity(s, out, n);
	keep_was_up(s, e, n);
	check_link(s, out, e, n);
	if (full) {
		check_counters(s, out, e, n);
		check_modes(s, out, e, n);
		check_optics(s, out, e, n);
	}
	n->first = false;
}

/* A link left the kernel: a NIC pulled is news, a virtual link deleted is not. */
static void
report_gone(struct net_state *s, struct fw_report *out, struct net_if *n)
{
	struct fw_entity *e;
	bool physical = n->l.kind[0] == '\0';

	if (strcmp(n->l.kind, "bond") == 0) {
		e = report_entity(out, FW_KIND_BOND, n->l.name, n->l.name);
		report_check(out, e, "net.bond_down", FW_STATE_OK, "%s was "
		    "deleted", n->l.name);
		report_check(out, e, "net.bond_degraded", FW_STATE_OK, "%s was "
		    "deleted", n->l.name);
		return;
	}
	if (!if_watched(s, &n->l))
		return;
	e = nic_entity(s, out, n);
	if (n->last_bond[0] != '\0')
		entity_unrelate(e, "slave_of", FW_KIND_BOND, n->last_bond);
	report_check(out, e, "net.link_down", physical && n->was_up ?
	    FW_STATE_CRITICAL : FW_STATE_OK, "%s (%s) %s", n->l.name, n->id,
	    physical ? "is gone: removed from the kernel" : "was deleted");
	report_value(out, e, "net.flapping", 0, "%s: deleted", n->l.name);
}

/* Take one link message; report it now when a notification brought it. */
static void
take_link(struct net_state *s, const struct nl_link *l, struct fw_report *out)
{
	struct net_if *n = if_find(s, l->ifindex);
	bool was_up;

	if (l->deleted) {
		if (n == NULL)
			return;
		if (out != NULL)
			report_gone(s, out, n);
		if_drop(s, n);
		return;
	}
	if ((n = if_get(s, l->ifindex)) == NULL)
		return;
	was_up = !n->first && link_is_up(&n->l);
	if (!n->first && strcmp(n->l.name, l->name) != 0)
		log_info("netlink: '%s' is now '%s'", n->l.name, l->name);
	n->l = *l;
	n->seen = true;
	nic_identity(n->id, sizeof(n->id), l->perm_mac, l->mac, l->name);
	count_flaps(s, n, l, was_up);
	if (!n->first && was_up != link_is_up(l)) {
		n->changed_ms = mono_ms();
		n->has_linkstate = false;	/* its reason was for before */
	}
	if (link_is_up(l))
		n->was_up = true;
	if (out != NULL)
		report_if(s, out, n, false);
	/* A slave's change is its bond's change. */
	if (out != NULL && l->master != 0 && (n = if_find(s, l->master)) !=
	    NULL && strcmp(n->l.kind, "bond") == 0)
		report_bond(s, out, n);
}

/* ---- sockets ---- */

static struct mnl_socket *
sock_open(int bus, unsigned groups)
{
	struct mnl_socket *nl;

	nl = mnl_socket_open2(bus, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl == NULL)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

typedef int (*net_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Send a request and read its answer to the end.  The kernel answers a
 * dump from within the calls (each read makes the next part), so the
 * non-blocking socket has the data: nothing waits.  0 or -errno.
 */
static int
net_request(struct net_state *s, struct mnl_socket *nl, struct nlmsghdr *req,
    mnl_cb_t cb, void *arg)
{
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	req->nlmsg_seq = ++s->seq;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, s->buf, NET_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;	/* EAGAIN: the kernel broke off */
		}
		rc = mnl_cb_run(s->buf, (size_t)n, req->nlmsg_seq, portid, cb,
		    arg);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
		if (!(req->nlmsg_flags & NLM_F_DUMP))
			return 0;
	}
}

static int
dump_link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct net_state *s = arg;
	struct nl_link l;

	if (nl_link_parse(nlh, nlh->nlmsg_len, &l) == 0)
		take_link(s, &l, NULL);
	return MNL_CB_OK;
}

static int
dump_links(struct net_state *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return net_request(s, s->dump, nlh, dump_link_cb, s);
}

/* ---- ethtool over generic netlink ---- */

static int
family_cb(const struct nlmsghdr *nlh, void *arg)
{
	uint16_t *id = arg;

	nl_genl_family_parse(nlh, nlh->nlmsg_len, ETHTOOL_GENL_NAME, id);
	return MNL_CB_STOP;
}

static void
ethtool_resolve(struct net_state *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int rc;

	/* No ACK asked: the reply is the answer, nothing stays queued. */
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	rc = net_request(s, s->genl, nlh, family_cb, &s->ethtool_id);
	if (rc < 0 || s->ethtool_id == 0) {
		s->ethtool_id = 0;
		log_info("netlink: ethtool over netlink is not available "
		    "(kernel older than 5.6?): no speed or duplex");
	}
}

static int
ethtool_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct net_state *s = arg;
	struct nl_ethtool r;
	struct net_if *n;

	if (nl_ethtool_parse(nlh, nlh->nlmsg_len, s->ethtool_id, &r) < 0 ||
	    (n = if_find(s, r.ifindex)) == NULL)
		return MNL_CB_OK;
	if (r.cmd == ETHTOOL_MSG_STATS_GET_REPLY && r.has_fcs_errors) {
		n->has_fcs = true;
		n->fcs_errors = r.fcs_errors;
	}
	if (r.cmd == ETHTOOL_MSG_LINKSTATE_GET_REPLY) {
		n->has_linkstate = true;
		n->ls = r;
	}
	if (r.cmd == ETHTOOL_MSG_LINKMODES_GET_REPLY && r.has_speed) {
		n->has_modes = true;
		n->speed = r.speed;
		n->duplex = r.has_duplex ? r.duplex : DUPLEX_UNKNOWN;
	}
	return MNL_CB_OK;
}

/* One dump of cmd for every link; what a driver lacks is left out. */
static int
ethtool_dump(struct net_state *s, uint8_t cmd, uint32_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *hdr;
	int rc;

	nlh->nlmsg_type = s->ethtool_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ETHTOOL_GENL_VERSION;
	/* ETHTOOL_A_*_HEADER; ethtool validates strictly: flag the nest. */
	hdr = mnl_attr_nest_start(nlh, (cmd == ETHTOOL_MSG_STATS_GET ?
	    ETHTOOL_A_STATS_HEADER : 1) | NLA_F_NESTED);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, flags);
	mnl_attr_nest_end(nlh, hdr);
	if (cmd == ETHTOOL_MSG_STATS_GET) {
		/* The eth-mac group only, as a compact bitset. */
		uint32_t groups = 1u << ETHTOOL_STATS_ETH_MAC;
		struct nlattr *bs;

		bs = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GROUPS |
		    NLA_F_NESTED);
		mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
		mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE,
		    ETHTOOL_STATS_ETH_MAC + 1);
		mnl_attr_put(nlh, ETHTOOL_A_BITSET_VALUE, sizeof(groups),
		    &groups);
		mnl_attr_nest_end(nlh, bs);
	}
	rc = net_request(s, s->genl, nlh, ethtool_cb, s);
	if (rc < 0)
		log_debug("netlink: ethtool dump %u: %s", cmd, strerror(-rc));
	return rc;
}

/* ---- module EEPROM (SFP, QSFP, QSFP-DD) ---- */

static int
eeprom_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct net_state *s = arg;
	struct nl_ethtool r;

	if (nl_ethtool_parse(nlh, nlh->nlmsg_len, s->ethtool_id, &r) < 0 ||
	    r.cmd != ETHTOOL_MSG_MODULE_EEPROM_GET_REPLY || r.eeprom == NULL)
		return MNL_CB_OK;
	s->page_len = r.eeprom_len < sizeof(s->page) ? r.eeprom_len :
	    sizeof(s->page);
	memcpy(s->page, r.eeprom, s->page_len);
	return MNL_CB_OK;
}

/* One 128-byte page into dst; 0, or -errno (EOPNOTSUPP: no module EEPROM). */
static int
eeprom_read(struct net_state *s, int ifindex, uint8_t i2c, uint8_t page,
    uint32_t offset, uint8_t *dst, size_t *ret_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *hdr;
	int rc;

	/* Zeroed: the u8 attributes' padding goes to the kernel as it is. */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = s->ethtool_id;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_MODULE_EEPROM_GET;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_MODULE_EEPROM_HEADER |
	    NLA_F_NESTED);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_nest_end(nlh, hdr);
	mnl_attr_put_u32(nlh, ETHTOOL_A_MODULE_EEPROM_OFFSET, offset);
	mnl_attr_put_u32(nlh, ETHTOOL_A_MODULE_EEPROM_LENGTH, 128);
	mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_PAGE, page);
	mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_BANK, 0);
	mnl_attr_put_u8(nlh, ETHTOOL_A_MODULE_EEPROM_I2C_ADDRESS, i2c);
	s->page_len = 0;
	if ((rc = net_request(s, s->genl, nlh, eeprom_cb, s)) < 0)
		return rc;
	if (s->page_len == 0)
		return -ENODATA;
	memcpy(dst, s->page, s->page_len);
	*ret_len = s->page_len;
	return 0;
}

/*
 * Read and decode a module's diagnostics.  The kernel reads the module's
 * EEPROM within the request (I2C, a few ms on real hardware), so this runs
 * once per NET_OPTICS_MS per port, never from a notification.
 */
static int
optics_read(struct net_state *s, struct net_if *n)
{
	uint8_t lower[128], up1[128], up2[128];
	size_t ll = 0, l1 = 0, l2 = 0;
	int rc;

	if ((rc = eeprom_read(s, n->ifindex, 0x50, 0, 0, lower, &ll)) < 0)
		return rc;
	switch (sff_type_of(lower[0])) {
	case SFF_8472:
		/* The diagnostics are at I2C address 0x51 (A2h). */
		if ((rc = eeprom_read(s, n->ifindex, 0x51, 0, 0, up1, &l1)) < 0)
			return rc;
		return sff8472_parse(lower, ll, up1, l1, &n->optics);
	case SFF_8636:
		if (eeprom_read(s, n->ifindex, 0x50, 3, 128, up1, &l1) < 0)
			l1 = 0;		/* flat memory: no thresholds */
		return sff8636_parse(lower, ll, l1 ? up1 : NULL, l1,
		    &n->optics);
	case SFF_CMIS:
		if (eeprom_read(s, n->ifindex, 0x50, 2, 128, up1, &l1) < 0)
			l1 = 0;
		if (eeprom_read(s, n->ifindex, 0x50, 0x11, 128, up2, &l2) < 0)
			l2 = 0;
		return cmis_parse(lower, ll, l1 ? up1 : NULL, l1,
		    l2 ? up2 : NULL, l2, &n->optics);
	default:
		return -ENODATA;	/* copper, DAC, unknown */
	}
}

static const char *
sff_name(enum sff_type t)
{
	return t == SFF_8472 ? "SFP" : t == SFF_8636 ? "QSFP" :
	    t == SFF_CMIS ? "CMIS module" : "module";
}

/* Received power against the module's thresholds; quiet when it has none. */
static void
check_optics(struct net_state *s, struct fw_report *out, struct fw_entity *e,
    struct net_if *n)
{
	int64_t now = mono_ms();
	const struct sff_diag *d = &n->optics;
	struct fw_check *c;
	char where[24];
	unsigned lane;
	double dbm;
	int rc, level;

	if (s->ethtool_id == 0 || n->optics_na || n->l.kind[0] != '\0' ||
	    !(n->l.flags & IFF_UP))
		return;
	if (!n->has_optics || now - n->optics_ms >= NET_OPTICS_MS) {
		n->optics_ms = now;
		rc = optics_read(s, n);
		if (rc < 0) {
			/* Not available: a driver without module access, no
			 * module, copper, no CAP_NET_ADMIN.  Said once. */
			log_debug("netlink: '%s': no module diagnostics: %s",
			    n->l.name, strerror(-rc));
			n->optics_na = true;
			return;
		}
		n->has_optics = true;
	}
	level = sff_judge_rx(d, &lane, &dbm);
	if (level < 0)
		return;
	/* No light on a port never up is an empty port, not a fault. */
	if (level > 0 && !n->was_up)
		level = 0;
	if (d->lanes > 1)
		fw_snprintf(where, sizeof(where), " on lane %u", lane + 1);
	else
		where[0] = '\0';
	c = report_check(out, e, "net.optics", level == 2 ? FW_STATE_CRITICAL :
	    level == 1 ? FW_STATE_WARNING : FW_STATE_OK, "%s (%s): rx power "
	    "%.1f dBm%s; the module's low warning %.1f dBm, low alarm %.1f "
	    "dBm", n->l.name, sff_name(d->type), dbm, where,
	    d->rx_low_warn_dbm, d->rx_low_alarm_dbm);
	check_detail_num(c, "rx_dbm", dbm);
	check_detail_num(c, "rx_low_warn_dbm", d->rx_low_warn_dbm);
	check_detail_num(c, "rx_low_alarm_dbm", d->rx_low_alarm_dbm);
	check_detail_num(c, "temperature_c", d->temp_c);
	check_detail_num(c, "tx_bias_ma", d->bias_ma[lane]);
	report_reading(out, e, "rx_power_dbm", "dBm", dbm, NULL, NULL);
	report_reading(out, e, "module_temperature", "celsius", d->temp_c,
	    NULL, NULL);
}

/* ---- the collector ---- */

static void
report_all(struct net_state *s, struct fw_report *out)
{
	size_t i;

	for (i = 0; i < s->n_ifs; i++)
		report_if(s, out, s->ifs[i], true);
}

/*
 * A full look: everything the kernel knows now.  Links that vanished
 * without a notification we read (ENOBUFS) are gone.
 */
static int
net_resync(struct net_state *s, struct fw_report *out)
{
	size_t i;
	int rc;

	for (i = 0; i < s->n_ifs; i++)
		s->ifs[i]->seen = false;
	if ((rc = dump_links(s)) < 0) {
		log_warnx("netlink: dumping links: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < s->n_ifs; ) {
		if (s->ifs[i]->seen) {
			i++;
			continue;
		}
		report_gone(s, out, s->ifs[i]);
		if_drop(s, s->ifs[i]);
	}
	if (s->ethtool_id != 0) {
		for (i = 0; i < s->n_ifs; i++)
			s->ifs[i]->has_linkstate = false;
		ethtool_dump(s, ETHTOOL_MSG_LINKMODES_GET,
		    ETHTOOL_FLAG_COMPACT_BITSETS);
		/* The PHY's own link-down count needs the stats flag (6.2+). */
		if (ethtool_dump(s, ETHTOOL_MSG_LINKSTATE_GET,
		    ETHTOOL_FLAG_STATS) < 0)
			ethtool_dump(s, ETHTOOL_MSG_LINKSTATE_GET, 0);
		/* IEEE FCS errors where the driver keeps them (5.13+). */
		ethtool_dump(s, ETHTOOL_MSG_STATS_GET, 0);
	}
	report_all(s, out);
	return 0;
}

static int
net_poll(void *state, struct fw_report *out)
{
	return net_resync(state, out);
}

static int
notify_cb(const struct nlmsghdr *nlh, void *arg)
{
	void **a = arg;
	struct nl_link l;
	int rc;

	rc = nl_link_parse(nlh, nlh->nlmsg_len, &l);
	if (rc == 0)
		take_link(a[0], &l, a[1]);
	else if (rc == -EBADMSG)
		log_debug("netlink: a malformed link message (%u bytes)",
		    nlh->nlmsg_len);
	return MNL_CB_OK;
}

static int
net_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct net_state *s = state;
	void *arg[2] = { s, out };
	ssize_t n;
	int i;

	for (i = 0; i < 256; i++) {
		n = mnl_socket_recvfrom(s->ev, s->buf, NET_BUF_SIZE);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				/* Notifications were lost: ask for everything. */
				log_info("netlink: notifications lost (ENOBUFS);"
				    " reading every link again");
				return net_resync(s, out);
			}
			return -errno;
		}
		mnl_cb_run(s->buf, (size_t)n, 0, 0, notify_cb, arg);
	}
	ctx_request_poll(s->ctx);	/* more than a burst: look at all */
	return 0;
}

static int
net_init(const struct fw_conf_section *cs, struct fw_ctx *ctx, void **ret)
{
	struct net_state *s = xcalloc(1, sizeof(*s));
	int size = NET_RCVBUF;

	s->ctx = ctx;
	*ret = s;
	s->buf = xmalloc(NET_BUF_SIZE);
	s->include = xstrdup(conf_get_str(cs, net_keys, "include"));
	s->exclude = xstrdup(conf_get_str(cs, net_keys, "exclude"));
	s->expect_up = xstrdup(conf_get_str(cs, net_keys, "expect_up"));
	s->window_ms = (int64_t)conf_get_duration_ms(cs, net_keys, "window");
	s->flap_window_ms = (int64_t)conf_get_duration_ms(cs, net_keys,
	    "flap_window");
	s->settle_ms = (int64_t)conf_get_duration_ms(cs, net_keys,
	    "flap_settle");
	s->ev = sock_open(NETLINK_ROUTE, RTMGRP_LINK);
	s->dump = sock_open(NETLINK_ROUTE, 0);
	if (s->ev == NULL || s->dump == NULL) {
		log_warnx("netlink: cannot open an rtnetlink socket: %s",
		    strerror(errno));
		return -errno;
	}
	/* Room for a burst; beyond it ENOBUFS makes us dump again. */
	if (setsockopt(mnl_socket_get_fd(s->ev), SOL_SOCKET, SO_RCVBUFFORCE,
	    &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(s->ev), SOL_SOCKET, SO_RCVBUF,
		    &size, sizeof(size));
	s->genl = sock_open(NETLINK_GENERIC, 0);
	if (s->genl != NULL)
		ethtool_resolve(s);
	if (ctx_watch_fd(ctx, mnl_socket_get_fd(s->ev), EPOLLIN) < 0)
		return -EMFILE;
	return 0;
}

static void
net_teardown(void *state)
{
	struct net_state *s = state;
	size_t i;

	if (s == NULL)
		return;
	/* The core has dropped the watch on ev before calling us. */
	if (s->ev != NULL)
		mnl_socket_close(s->ev);
	if (s->dump != NULL)
		mnl_socket_close(s->dump);
	if (s->genl != NULL)
		mnl_socket_close(s->genl);
	for (i = 0; i < s->n_ifs; i++)
		free(s->ifs[i]);
	free(s->ifs);
	free(s->include);
	free(s->exclude);
	free(s->expect_up);
	free(s->buf);
	free(s);
}

const struct fw_collector netlink_collector = {
	.name = "net",
	.interval_ms = 30 * 1000,
	.keys = net_keys,
	.checks = net_checks,
	.init = net_init,
	.poll = net_poll,
	.ready = net_ready,
	.teardown = net_teardown,
};
