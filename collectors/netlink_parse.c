/* Parsers of rtnetlink link messages, ethtool replies and module EEPROM pages, validated attribute by attribute (libmnl). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netlink_parse.h"

/* Newer than the 6.1 headers: the PHY's own count of link-down events. */
#define NL_LINKSTATE_EXT_DOWN_CNT	(ETHTOOL_A_LINKSTATE_EXT_SUBSTATE + 1)
/* The 23 fields every kernel since 2.6.35 sends in IFLA_STATS64. */
#define NL_STATS64_MIN	(23 * 8)

/* A whole message of at least hdr_len payload bytes within len. */
static const struct nlmsghdr *
nl_msg(const void *buf, size_t len, size_t hdr_len)
{
	const struct nlmsghdr *nlh = buf;

	if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) ||
	    nlh->nlmsg_len > len ||
	    nlh->nlmsg_len - sizeof(*nlh) < MNL_ALIGN(hdr_len))
		return NULL;
	return nlh;
}

static void
nl_mac_format(const struct nlattr *a, char *buf, size_t size)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t i, n = mnl_attr_get_payload_len(a), off = 0;

	buf[0] = '\0';
	if (n == 0 || n * 3 > size)
		return;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%02x",
		    i ? ":" : "", p[i]);
}

/* A NUL-terminated string attribute that fits size, copied. */
static int
nl_str(const struct nlattr *a, char *buf, size_t size)
{
	const char *s = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a), len;

	if (mnl_attr_validate(a, MNL_TYPE_STRING) < 0 && n != 0)
		return -EBADMSG;
	len = strnlen(s, n);
	if (len >= size)
		return -EBADMSG;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

static int
nl_u32(const struct nlattr *a, uint32_t *ret)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*ret = mnl_attr_get_u32(a);
	return 0;
}

static int
nl_u8(const struct nlattr *a, uint8_t *ret)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EBADMSG;
	*ret = mnl_attr_get_u8(a);
	return 0;
}

struct nl_walk {
	struct nl_link	*l;
	int		 err;
};

static int
bond_slave_cb(const struct nlattr *a, void *arg)
{
	struct nl_walk *w = arg;
	struct nl_link *l = w->l;
	uint32_t v = 0;

	switch (mnl_attr_get_type(a)) {
	case IFLA_BOND_SLAVE_STATE:
		w->err = nl_u8(a, &l->slave_state);
		break;
	case IFLA_BOND_SLAVE_MII_STATUS:
		w->err = nl_u8(a, &l->mii_status);
		break;
	case IFLA_BOND_SLAVE_LINK_FAILURE_COUNT:
		w->err = nl_u32(a, &v);
		l->link_failure_count = v;
		break;
	case IFLA_BOND_SLAVE_PERM_HWADDR:
		nl_mac_format(a, l->perm_mac, sizeof(l->perm_mac));
		break;
	case IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE:
		w->err = nl_u8(a, &l->ad_actor_state);
		l->has_ad_state = w->err == 0;
		break;
	}
	return w->err < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int
bond_cb(const struct nlattr *a, void *arg)
{
	struct nl_walk *w = arg;
	uint32_t v = 0;

	switch (mnl_attr_get_type(a)) {
	case IFLA_BOND_MODE:
		w->err = nl_u8(a, &w->l->bond_mode);
		w->l->has_bond_mode = w->err == 0;
		break;
	case IFLA_BOND_ACTIVE_SLAVE:
		w->err = nl_u32(a, &v);
		w->l->bond_active_slave = v > 0x7fffffff ? 0 : (int)v;
		break;
	}
	return w->err < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * IFLA_LINKINFO: the kind comes before its data in the kernel's order, but
 * a hostile message may reorder them, so the data is walked afterwards.
 */
static int
linkinfo_cb(const struct nlattr *a, void *arg)
{
	const struct nlattr **tb = arg;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= IFLA_INFO_SLAVE_DATA)
		tb[type] = a;
	return MNL_CB_OK;
}

static int
nl_linkinfo(const struct nlattr *a, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_INFO_SLAVE_DATA + 1] = { NULL };
	struct nl_walk w = { l, 0 };

	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, linkinfo_cb, tb) < 0)
		return -EBADMSG;
	if (tb[IFLA_INFO_KIND] != NULL &&
	    nl_str(tb[IFLA_INFO_KIND], l->kind, sizeof(l->kind)) < 0)
		return -EBADMSG;
	if (tb[IFLA_INFO_SLAVE_KIND] != NULL &&
	    nl_str(tb[IFLA_INFO_SLAVE_KIND], l->slave_kind,
	    sizeof(l->slave_kind)) < 0)
		return -EBADMSG;
	if (tb[IFLA_INFO_DATA] != NULL && strcmp(l->kind, "bond") == 0 &&
	    (mnl_attr_validate(tb[IFLA_INFO_DATA], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(tb[IFLA_INFO_DATA], bond_cb, &w) < 0))
		return -EBADMSG;
	if (tb[IFLA_INFO_SLAVE_DATA] != NULL &&
	    strcmp(l->slave_kind, "bond") == 0) {
		l->is_bond_slave = true;
		if (mnl_attr_validate(tb[IFLA_INFO_SLAVE_DATA],
		    MNL_TYPE_NESTED) < 0 || mnl_attr_parse_nested(
		    tb[IFLA_INFO_SLAVE_DATA], bond_slave_cb, &w) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int
nl_stats64(const struct nlattr *a, struct nl_link *l)
{
	struct rtnl_link_stats64 st;
	size_t n = mnl_attr_get_payload_len(a);

	if (n < NL_STATS64_MIN)
		return -EBADMSG;
	memset(&st, 0, sizeof(st));
	memcpy(&st, mnl_attr_get_payload(a), n < sizeof(st) ? n : sizeof(st));
	l->has_stats = true;
	l->stats.rx_packets = st.rx_packets;
	l->stats.tx_packets = st.tx_packets;
	l->stats.rx_errors = st.rx_errors;
	l->stats.tx_errors = st.tx_errors;
	l->stats.rx_dropped = st.rx_dropped;
	l->stats.tx_dropped = st.tx_dropped;
	l->stats.rx_crc_errors = st.rx_crc_errors;
	l->stats.rx_frame_errors = st.rx_frame_errors;
	l->stats.rx_fifo_errors = st.rx_fifo_errors;
	l->stats.rx_missed_errors = st.rx_missed_errors;
	l->stats.tx_carrier_errors = st.tx_carrier_errors;
	l->stats.collisions = st.collisions;
	l->stats.tx_window_errors = st.tx_window_errors;
	return 0;
}

static int
link_attr(const struct nlattr *a, struct nl_link *l)
{
	uint32_t v = 0;
	uint8_t c;
	int rc = 0;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		rc = nl_str(a, l->name, sizeof(l->name));
		break;
	case IFLA_ADDRESS:
		nl_mac_format(a, l->mac, sizeof(l->mac));
		break;
	case IFLA_PERM_ADDRESS:
		if (l->perm_mac[0] == '\0')
			nl_mac_format(a, l->perm_mac, sizeof(l->perm_mac));
		break;
	case IFLA_OPERSTATE:
		rc = nl_u8(a, &l->operstate);
		break;
	case IFLA_CARRIER:
		if ((rc = nl_u8(a, &c)) == 0)
			l->carrier = c != 0;
		break;
	case IFLA_MTU:
		rc = nl_u32(a, &l->mtu);
		break;
	case IFLA_MASTER:
		if ((rc = nl_u32(a, &v)) == 0)
			l->master = v > 0x7fffffff ? 0 : (int)v;
		break;
	case IFLA_CARRIER_CHANGES:
		rc = nl_u32(a, &l->carrier_changes);
		l->has_carrier_changes = rc == 0;
		break;
	case IFLA_CARRIER_UP_COUNT:
		rc = nl_u32(a, &l->carrier_up);
		l->has_updown = rc == 0;
		break;
	case IFLA_CARRIER_DOWN_COUNT:
		rc = nl_u32(a, &l->carrier_down);
		l->has_updown = rc == 0;
		break;
	case IFLA_STATS64:
		rc = nl_stats64(a, l);
		break;
	case IFLA_LINKINFO:
		rc = nl_linkinfo(a, l);
		break;
	}
	return rc;
}

static int
link_cb(const struct nlattr *a, void *arg)
{
	struct nl_walk *w = arg;

	w->err = link_attr(a, w->l);
	return w->err < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int
nl_link_parse(const void *buf, size_t len, struct nl_link *ret)
{
	const struct nlmsghdr *nlh = nl_msg(buf, len, sizeof(struct ifinfomsg));
	const struct ifinfomsg *ifi;
	struct nl_link l;
	struct nl_walk w = { &l, 0 };

	if (nlh == NULL)
		return -EBADMSG;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -ENOMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(&l, 0, sizeof(l));
	l.carrier = -1;
	l.deleted = nlh->nlmsg_type == RTM_DELLINK;
	l.ifindex = ifi->ifi_index;
	l.flags = ifi->ifi_flags;
	if (l.ifindex <= 0)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_cb, &w) < 0 || w.err < 0)
		return -EBADMSG;
	if (l.name[0] == '\0')
		return -EBADMSG;
	*ret = l;
	return 0;
}

/* ---- generic netlink ---- */

struct ctrl_walk {
	const char	*name;
	bool		 match;
	bool		 have_id;
	uint16_t	 id;
};

static int
ctrl_cb(const struct nlattr *a, void *arg)
{
	struct ctrl_walk *w = arg;
	char name[GENL_NAMSIZ];

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_NAME:
		if (nl_str(a, name, sizeof(name)) < 0)
			return MNL_CB_ERROR;
		w->match = strcmp(name, w->name) == 0;
		break;
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		w->id = mnl_attr_get_u16(a);
		w->have_id = true;
		break;
	}
	return MNL_CB_OK;
}

int
nl_genl_family_parse(const void *buf, size_t len, const char *name,
    uint16_t *ret_id)
{
	const struct nlmsghdr *nlh = nl_msg(buf, len, GENL_HDRLEN);
	struct ctrl_walk w = { name, false, false, 0 };

	if (nlh == NULL)
		return -EBADMSG;
	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return -ENOMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, ctrl_cb, &w) < 0)
		return -EBADMSG;
	if (!w.match || !w.have_id)
		return -ENOENT;
	*ret_id = w.id;
	return 0;
}

static int
eth_header_cb(const struct nlattr *a, void *arg)
{
	struct nl_ethtool *e = arg;
	uint32_t v = 0;

	switch (mnl_attr_get_type(a)) {
	case ETHTOOL_A_HEADER_DEV_INDEX:
		if (nl_u32(a, &v) < 0 || v == 0 || v > 0x7fffffff)
			return MNL_CB_ERROR;
		e->ifindex = (int)v;
		break;
	case ETHTOOL_A_HEADER_DEV_NAME:
		if (nl_str(a, e->name, sizeof(e->name)) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int
eth_linkmodes(uint16_t type, const struct nlattr *a, struct nl_ethtool *e)
{
	switch (type) {
	case ETHTOOL_A_LINKMODES_SPEED:
		e->has_speed = true;
		return nl_u32(a, &e->speed);
	case ETHTOOL_A_LINKMODES_DUPLEX:
		e->has_duplex = true;
		return nl_u8(a, &e->duplex);
	case ETHTOOL_A_LINKMODES_AUTONEG:
		e->has_autoneg = true;
		return nl_u8(a, &e->autoneg);
	}
	return 0;
}

static int
eth_linkstate(uint16_t type, const struct nlattr *a, struct nl_ethtool *e)
{
	switch (type) {
	case ETHTOOL_A_LINKSTATE_LINK:
		e->has_link = true;
		return nl_u8(a, &e->link);
	case ETHTOOL_A_LINKSTATE_SQI:
		e->has_sqi = true;
		return nl_u32(a, &e->sqi);
	case ETHTOOL_A_LINKSTATE_SQI_MAX:
		return nl_u32(a, &e->sqi_max);
	case ETHTOOL_A_LINKSTATE_EXT_STATE:
		e->has_ext_state = true;
		return nl_u8(a, &e->ext_state);
	case ETHTOOL_A_LINKSTATE_EXT_SUBSTATE:
		return nl_u8(a, &e->ext_substate);
	case NL_LINKSTATE_EXT_DOWN_CNT:
		e->has_ext_down_cnt = true;
		return nl_u32(a, &e->ext_down_cnt);
	}
	return 0;
}

/* One ETHTOOL_A_STATS_GRP: its id and, of eth-mac, the FCS error count. */
struct stats_grp {
	bool		have_id;
	uint32_t	id;
	bool		have_fcs;
	uint64_t	fcs;
	bool		bad;
};

static int
stat_cb(const struct nlattr *a, void *arg)
{
	struct stats_grp *g = arg;

	if (mnl_attr_get_type(a) == ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0) {
			g->bad = true;
			return MNL_CB_ERROR;
		}
		g->have_fcs = true;
		g->fcs = mnl_attr_get_u64(a);
	}
	return MNL_CB_OK;
}

static int
grp_cb(const struct nlattr *a, void *arg)
{
	struct stats_grp *g = arg;

	switch (mnl_attr_get_type(a)) {
	case ETHTOOL_A_STATS_GRP_ID:
		if (nl_u32(a, &g->id) < 0)
			return MNL_CB_ERROR;
		g->have_id = true;
		break;
	case ETHTOOL_A_STATS_GRP_STAT:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, stat_cb, g) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int
eth_stats_grp(const struct nlattr *a, struct nl_ethtool *e)
{
	struct stats_grp g;

	memset(&g, 0, sizeof(g));
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, grp_cb, &g) < 0 || g.bad)
		return -EBADMSG;
	/* The id may follow the counters: decide once the group is read. */
	if (g.have_id && g.id == ETHTOOL_STATS_ETH_MAC && g.have_fcs) {
		e->has_fcs_errors = true;
		e->fcs_errors = g.fcs;
	}
	return 0;
}

static int
eth_cb(const struct nlattr *a, void *arg)
{
	struct nl_ethtool *e = arg;
	uint16_t type = mnl_attr_get_type(a);
	int rc = 0;

	/* A reply's header is attribute 1, but 2 in STATS (1 is padding). */
	if (type == (e->cmd == ETHTOOL_MSG_STATS_GET_REPLY ?
	    ETHTOOL_A_STATS_HEADER : 1)) {
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, eth_header_cb, e) < 0)
			return MNL_CB_ERROR;
		return MNL_CB_OK;
	}
	switch (e->cmd) {
	case ETHTOOL_MSG_LINKMODES_GET_REPLY:
		rc = eth_linkmodes(type, a, e);
		break;
	case ETHTOOL_MSG_LINKSTATE_GET_REPLY:
		rc = eth_linkstate(type, a, e);
		break;
	case ETHTOOL_MSG_STATS_GET_REPLY:
		if (type == ETHTOOL_A_STATS_GRP)
			rc = eth_stats_grp(a, e);
		break;
	case ETHTOOL_MSG_MODULE_EEPROM_GET_REPLY:
		if (type == ETHTOOL_A_MODULE_EEPROM_DATA) {
			e->eeprom = mnl_attr_get_payload(a);
			e->eeprom_len = mnl_attr_get_payload_len(a);
		}
		break;
	}
	return rc < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int
nl_ethtool_parse(const void *buf, size_t len, uint16_t family,
    struct nl_ethtool *ret)
{
	const struct nlmsghdr *nlh = nl_msg(buf, len, GENL_HDRLEN);
	const struct genlmsghdr *g;
	struct nl_ethtool e;

	if (nlh == NULL)
		return -EBADMSG;
	if (nlh->nlmsg_type != family || family < NLMSG_MIN_TYPE)
		return -ENOMSG;
	g = mnl_nlmsg_get_payload(nlh);
	memset(&e, 0, sizeof(e));
	e.cmd = g->cmd;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, eth_cb, &e) < 0 ||
	    e.ifindex == 0)
		return -EBADMSG;
	*ret = e;
	return 0;
}

/* ---- module EEPROM (SFF-8024 identifiers, SFF-8472, SFF-8636, CMIS) ---- */

enum sff_type
sff_type_of(uint8_t id)
{
	switch (id) {
	case 0x03:			/* SFP/SFP+/SFP28 */
		return SFF_8472;
	case 0x0c: case 0x0d: case 0x11:	/* QSFP, QSFP+, QSFP28 */
		return SFF_8636;
	case 0x18: case 0x19: case 0x1e:	/* QSFP-DD, OSFP, QSFP+ CMIS */
		return SFF_CMIS;
	}
	return SFF_UNKNOWN;
}

double
sff_mw_to_dbm(double mw)
{
	return mw <= 0.0001 ? -40.0 : 10.0 * log10(mw);
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static double
be_temp(const uint8_t *p)
{
	return (double)(int16_t)be16(p) / 256.0;
}

/* Optical power in units of 0.1 µW, as dBm. */
static double
be_dbm(const uint8_t *p)
{
	return sff_mw_to_dbm((double)be16(p) / 10000.0);
}

/* Power thresholds in the order high alarm, low alarm, high warn, low warn. */
static void
sff_rx_thresholds(const uint8_t *p, struct sff_diag *d)
{
	d->has_thresholds = true;
	d->rx_high_alarm_dbm = be_dbm(p);
	d->rx_low_alarm_dbm = be_dbm(p + 2);
	d->rx_high_warn_dbm = be_dbm(p + 4);
	d->rx_low_warn_dbm = be_dbm(p + 6);
}

int
sff8472_parse(const uint8_t *a0, size_t a0_len, const uint8_t *a2,
    size_t a2_len, struct sff_diag *ret)
{
	struct sff_diag d;

	if (a0 == NULL || a0_len < 96 || sff_type_of(a0[0]) != SFF_8472)
		return -EBADMSG;
	/* Byte 92: bit 6 diagnostics implemented, bit 4 externally calibrated. */
	if (!(a0[92] & 0x40))
		return -ENODATA;
	if (a0[92] & 0x10)
		return -ENOTSUP;
	if (a2 == NULL || a2_len < 118)
		return -EBADMSG;
	memset(&d, 0, sizeof(d));
	d.type = SFF_8472;
	d.has_diag = true;
	d.lanes = 1;
	d.temp_high_alarm_c = be_temp(a2 + 0);
	d.temp_high_warn_c = be_temp(a2 + 4);
	sff_rx_thresholds(a2 + 32, &d);
	d.temp_c = be_temp(a2 + 96);
	d.bias_ma[0] = (double)be16(a2 + 100) * 0.002;
	d.tx_dbm[0] = be_dbm(a2 + 102);
	d.rx_dbm[0] = be_dbm(a2 + 104);
	d.rx_los = (a2[110] & 0x02) != 0;	/* status/control: Rx_LOS */
	*ret = d;
	return 0;
}

int
sff8636_parse(const uint8_t *lower, size_t lower_len, const uint8_t *page3,
    size_t page3_len, struct sff_diag *ret)
{
	struct sff_diag d;
	unsigned i;

	if (lower == NULL || lower_len < 58 ||
	    sff_type_of(lower[0]) != SFF_8636)
		return -EBADMSG;
	memset(&d, 0, sizeof(d));
	d.type = SFF_8636;
	d.has_diag = true;
	d.lanes = 4;
	d.temp_c = be_temp(lower + 22);
	for (i = 0; i < 4; i++) {
		d.rx_dbm[i] = be_dbm(lower + 34 + 2 * i);
		d.bias_ma[i] = (double)be16(lower + 42 + 2 * i) * 0.002;
		d.tx_dbm[i] = be_dbm(lower + 50 + 2 * i);
	}
	d.rx_los = (lower[3] & 0x0f) != 0;	/* Rx LOS latched, lanes 1-4 */
	/* Upper page 03h as bytes 128..255: thresholds at 128 and 176. */
	if (page3 != NULL && page3_len >= 56) {
		d.temp_high_alarm_c = be_temp(page3 + 0);
		d.temp_high_warn_c = be_temp(page3 + 4);
		sff_rx_thresholds(page3 + 48, &d);
	}
	*ret = d;
	return 0;
}

int
cmis_parse(const uint8_t *lower, size_t lower_len, const uint8_t *page2,
    size_t page2_len, const uint8_t *page11, size_t page11_len,
    struct sff_diag *ret)
{
	struct sff_diag d;
	unsigned i;

	if (lower == NULL || lower_len < 16 || sff_type_of(lower[0]) != SFF_CMIS)
		return -EBADMSG;
	memset(&d, 0, sizeof(d));
	d.type = SFF_CMIS;
	d.temp_c = be_temp(lower + 14);
	/* Page 02h (bytes 128..255): temperature at 128, rx power at 176. */
	if (page2 != NULL && page2_len >= 56) {
		d.temp_high_alarm_c = be_temp(page2 + 0);
		d.temp_high_warn_c = be_temp(page2 + 4);
		sff_rx_thresholds(page2 + 48, &d);
	}
	/* Page 11h: tx power from 154, bias from 170, rx power from 186. */
	if (page11 != NULL && page11_len >= 74) {
		d.has_diag = true;
		d.lanes = 8;
		for (i = 0; i < 8; i++) {
			d.tx_dbm[i] = be_dbm(page11 + 26 + 2 * i);
			d.bias_ma[i] = (double)be16(page11 + 42 + 2 * i) * 0.002;
			d.rx_dbm[i] = be_dbm(page11 + 58 + 2 * i);
		}
	}
	*ret = d;
	return 0;
}

int
sff_judge_rx(const struct sff_diag *d, unsigned *ret_lane, double *ret_dbm)
{
	unsigned i, lane = 0;
	double worst = 1e9;
	int level = 0;

	if (!d->has_diag || !d->has_thresholds || d->lanes == 0 ||
	    d->rx_low_warn_dbm <= -40.0 || d->rx_low_alarm_dbm <= -40.0)
		return -ENODATA;
	for (i = 0; i < d->lanes && i < 8; i++)
		if (d->rx_dbm[i] < worst) {
			worst = d->rx_dbm[i];
			lane = i;
		}
	if (worst <= d->rx_low_alarm_dbm)
		level = 2;
	else if (worst <= d->rx_low_warn_dbm)
		level = 1;
	*ret_lane = lane;
	*ret_dbm = worst;
	return level;
}
