/* Tests of the netlink collector's parsers: rtnetlink and ethtool replies captured from this kernel, module EEPROM pages built per SFF-8472/8636/CMIS. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/ethtool_netlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <net/if.h>

#include "../../collectors/netlink_parse.h"
#include "../../collectors/nic_ident.h"

/*
 * RTM_NEWLINK of veth 'va' (MTU 9000, peer up) from an RTM_GETLINK dump
 * on Linux 6.18 in a network namespace.
 */
static const char va_hex[] =
	"d405000010000200010000000f0a000000000100030000004310010000000000"
	"070003007661000008000d00e803000005001000060000000500110000000000"
	"05004300000000000800040028230000080032004400000008003300ffff0000"
	"08001b000000000008001e000000000008003d000000000008001f0002000000"
	"08002800ffff0000080029000000010008003a000000010008003f0000000100"
	"080040000000010008003b00f8ff070008003c00ffff00000800420000000000"
	"08002000020000000500210001000000080023000200000008002f0001000000"
	"0800300001000000060044000000000006004500000000000500270000000000"
	"0a0001003624d9172d4900000a000200ffffffffffff0000cc00170001000000"
	"0000000001000000000000005a000000000000005a0000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"000000006400070001000000010000005a0000005a0000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000c002b000500020000000000100012000900010076657468"
	"0000000008000500020000000c0006006e6f71756575650030031a008c000200"
	"8800010000000000000000000000000001000000010000000100000001000000"
	"0000000001000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000010270000e8030000000000000000000000000000"
	"0000000001000000a0020a00080001000000008014000500ffff00000ee40300"
	"f43e0000e8030000f40002000000000040000000282300000100000001000000"
	"0100000001000000ffffffffa00f0000e803000000000000803a090080510100"
	"0300000058020000100000000000000001000000010000000100000060ea0000"
	"0000000000000000000000000000000000000000000000000100000000000000"
	"0000000010270000e80300000100000000000000000000000100000000000000"
	"00000000010000000000000000000000000000000000000080ee360000000000"
	"0000000001000000000000000000000000000000000000000000000000040000"
	"00000000ffff0000ffffffff0100000000000000000000000000000034010300"
	"260000000000000001000000000000004c000000000000000000000000000000"
	"0100000000000000000000000000000000000000000000000000000000000000"
	"010000000000000001000000000000004c000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0100000000000000010000000000000000000000000000000000000000000000"
	"4c000000000000004c0000000000000000000000000000000000000000000000"
	"000000000000000000000000000000003c000600070000000000000000000000"
	"0000000000000000000000000100000000000000000000000000000000000000"
	"0000000000000000000000001400070000000000000000000000000000000000"
	"050008000000000024000e000000000000000000000000000000000000000000"
	"00000000000000000000000004003e8004004180";

/* ETHTOOL_MSG_LINKMODES_GET reply for 'va' (family 21, compact bitsets). */
static const char linkmodes_hex[] =
	"7c0000001500000002000000670a000004010000140001800800010003000000"
	"0700020076610000050002000000000034000380080002007900000014000400"
	"0000000000000000000000000000000014000500000000000000000000000000"
	"000000000800050010270000050006000100000005000a0000000000";

/* ETHTOOL_MSG_LINKSTATE_GET reply for 'va' (ETHTOOL_FLAG_STATS asked). */
static const char linkstate_hex[] =
	"300000001500000002000000900a000006010000140001800800010003000000"
	"07000200766100000500020001000000";

static size_t
unhex(const char *h, uint8_t *out, size_t size)
{
	size_t n = 0;
	unsigned v;

	while (h[0] != '\0' && h[1] != '\0' && n < size) {
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void
test_link_veth(void **unused)
{
	static uint8_t buf[4096];
	size_t n = unhex(va_hex, buf, sizeof(buf));
	struct nl_link l;

	assert_int_equal(nl_link_parse(buf, n, &l), 0);
	assert_string_equal(l.name, "va");
	assert_string_equal(l.kind, "veth");
	assert_false(l.deleted);
	assert_true(l.flags & IFF_UP);
	assert_int_equal(l.operstate, NL_OPER_UP);
	assert_int_equal(l.carrier, 1);
	assert_int_equal(l.mtu, 9000);
	assert_true(l.has_updown && l.has_carrier_changes && l.has_stats);
	assert_int_equal(l.carrier_changes, l.carrier_up + l.carrier_down);
	assert_int_equal(strlen(l.mac), 17);
	assert_string_equal(l.perm_mac, "");	/* veth has none */
	assert_false(l.is_bond_slave);
}

static void
test_link_truncated(void **unused)
{
	static uint8_t buf[4096];
	size_t n = unhex(va_hex, buf, sizeof(buf)), cut;
	struct nl_link l;

	/* Every shorter buffer: refused, never read past its end. */
	for (cut = 0; cut < n; cut++)
		assert_int_equal(nl_link_parse(buf, cut, &l), -EBADMSG);
	/* A length field beyond the attribute area. */
	buf[16 + 16 + 0] = 0xff;
	buf[16 + 16 + 1] = 0x7f;
	assert_int_not_equal(nl_link_parse(buf, n, &l), 0);
}

static void
test_link_other_type(void **unused)
{
	static uint8_t buf[4096];
	size_t n = unhex(va_hex, buf, sizeof(buf));
	struct nl_link l;

	buf[4] = 24;	/* RTM_NEWROUTE */
	buf[5] = 0;
	assert_int_equal(nl_link_parse(buf, n, &l), -ENOMSG);
	buf[4] = 17;	/* RTM_DELLINK */
	assert_int_equal(nl_link_parse(buf, n, &l), 0);
	assert_true(l.deleted);
}

static void
put_attr(uint8_t *buf, size_t *off, uint16_t type, const void *data,
    uint16_t len)
{
	uint16_t alen = 4 + len;

	memcpy(buf + *off, &alen, 2);
	memcpy(buf + *off + 2, &type, 2);
	memcpy(buf + *off + 4, data, len);
	*off += (alen + 3u) & ~3u;
}

/* A bond slave as the kernel lays it out: IFLA_LINKINFO with slave data. */
static void
test_link_bond_slave(void **unused)
{
	uint8_t msg[512] = { 0 }, sd[64], li[128];
	size_t off = 32, so = 0, lo = 0;
	uint8_t mii = NL_MII_DOWN, state = 1, ad = 0x3d;
	uint32_t fails = 4, mtu = 1500, master = 7, v;
	uint8_t perm[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct nl_link l;

	put_attr(sd, &so, IFLA_BOND_SLAVE_STATE, &state, 1);
	put_attr(sd, &so, IFLA_BOND_SLAVE_MII_STATUS, &mii, 1);
	put_attr(sd, &so, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, &fails, 4);
	put_attr(sd, &so, IFLA_BOND_SLAVE_PERM_HWADDR, perm, 6);
	put_attr(sd, &so, IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE, &ad, 1);
	put_attr(li, &lo, IFLA_INFO_SLAVE_KIND, "bond", 5);
	put_attr(li, &lo, IFLA_INFO_SLAVE_DATA | NLA_F_NESTED, sd,
	    (uint16_t)so);
	put_attr(msg, &off, IFLA_IFNAME, "eth1", 5);
	put_attr(msg, &off, IFLA_MTU, &mtu, 4);
	put_attr(msg, &off, IFLA_MASTER, &master, 4);
	put_attr(msg, &off, IFLA_LINKINFO | NLA_F_NESTED, li, (uint16_t)lo);
	v = (uint32_t)off;
	memcpy(msg, &v, 4);
	msg[4] = 16;	/* RTM_NEWLINK */
	v = 3;
	memcpy(msg + 16 + 4, &v, 4);	/* ifi_index */
	assert_int_equal(nl_link_parse(msg, off, &l), 0);
	assert_string_equal(l.name, "eth1");
	assert_int_equal(l.master, 7);
	assert_true(l.is_bond_slave);
	assert_string_equal(l.slave_kind, "bond");
	assert_int_equal(l.mii_status, NL_MII_DOWN);
	assert_int_equal(l.slave_state, 1);
	assert_int_equal(l.link_failure_count, 4);
	assert_true(l.has_ad_state && l.ad_actor_state == 0x3d);
	assert_string_equal(l.perm_mac, "52:54:00:12:34:56");
	assert_int_equal(l.carrier, -1);	/* not given */
	/* A u8 where a u32 belongs is malformed. */
	msg[32 + 12 + 0] = 5;
	assert_int_equal(nl_link_parse(msg, off, &l), -EBADMSG);
}

static void
test_ethtool_linkmodes(void **unused)
{
	static uint8_t buf[1024];
	size_t n = unhex(linkmodes_hex, buf, sizeof(buf));
	struct nl_ethtool e;

	assert_int_equal(nl_ethtool_parse(buf, n, 21, &e), 0);
	assert_int_equal(e.cmd, ETHTOOL_MSG_LINKMODES_GET_REPLY);
	assert_string_equal(e.name, "va");
	assert_true(e.ifindex > 0);
	assert_true(e.has_speed && e.speed == 10000);
	assert_true(e.has_duplex && e.duplex == 1);
	assert_true(e.has_autoneg && e.autoneg == 0);
	assert_int_equal(nl_ethtool_parse(buf, n, 22, &e), -ENOMSG);
	assert_int_equal(nl_ethtool_parse(buf, n - 1, 21, &e), -EBADMSG);
}

static void
test_ethtool_linkstate(void **unused)
{
	static uint8_t buf[256];
	size_t n = unhex(linkstate_hex, buf, sizeof(buf));
	struct nl_ethtool e;

	assert_int_equal(nl_ethtool_parse(buf, n, 21, &e), 0);
	assert_int_equal(e.cmd, ETHTOOL_MSG_LINKSTATE_GET_REPLY);
	assert_true(e.has_link && e.link == 1);
	assert_false(e.has_sqi);		/* veth has no PHY */
	assert_false(e.has_ext_down_cnt);
}

/* A STATS reply as ethtool lays it out: eth-phy and eth-mac groups, the
 * group id after its counters in the second. */
static void
test_ethtool_stats(void **unused)
{
	uint8_t msg[512] = { 0 }, hdr[16], st[16], grp[64], grp2[64];
	size_t off = 16, ho = 0, so = 0, go = 0, g2 = 0;
	uint32_t idx = 5, id_mac = ETHTOOL_STATS_ETH_MAC, id_phy = 0, v;
	uint64_t fcs = 1234, other = 99;
	struct nl_ethtool e;

	msg[off] = ETHTOOL_MSG_STATS_GET_REPLY;
	msg[off + 1] = 1;
	off += 4;
	put_attr(hdr, &ho, ETHTOOL_A_HEADER_DEV_INDEX, &idx, 4);
	put_attr(msg, &off, ETHTOOL_A_STATS_HEADER | NLA_F_NESTED, hdr,
	    (uint16_t)ho);
	put_attr(st, &so, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, &other, 8);
	put_attr(grp2, &g2, ETHTOOL_A_STATS_GRP_ID, &id_phy, 4);
	put_attr(grp2, &g2, ETHTOOL_A_STATS_GRP_STAT | NLA_F_NESTED, st,
	    (uint16_t)so);
	put_attr(msg, &off, ETHTOOL_A_STATS_GRP | NLA_F_NESTED, grp2,
	    (uint16_t)g2);
	so = 0;
	put_attr(st, &so, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, &fcs, 8);
	put_attr(grp, &go, ETHTOOL_A_STATS_GRP_STAT | NLA_F_NESTED, st,
	    (uint16_t)so);
	put_attr(grp, &go, ETHTOOL_A_STATS_GRP_ID, &id_mac, 4);
	put_attr(msg, &off, ETHTOOL_A_STATS_GRP | NLA_F_NESTED, grp,
	    (uint16_t)go);
	v = (uint32_t)off;
	memcpy(msg, &v, 4);
	msg[4] = 21;
	assert_int_equal(nl_ethtool_parse(msg, off, 21, &e), 0);
	assert_int_equal(e.ifindex, 5);
	assert_true(e.has_fcs_errors);
	assert_true(e.fcs_errors == 1234);
	/* A counter that is not 8 bytes is malformed. */
	off = 16 + 4 + ((4 + ho + 3) & ~3u) + ((4 + g2 + 3) & ~3u);
	go = 0;
	so = 0;
	put_attr(st, &so, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, &idx, 4);
	put_attr(grp, &go, ETHTOOL_A_STATS_GRP_STAT | NLA_F_NESTED, st,
	    (uint16_t)so);
	put_attr(msg, &off, ETHTOOL_A_STATS_GRP | NLA_F_NESTED, grp,
	    (uint16_t)go);
	v = (uint32_t)off;
	memcpy(msg, &v, 4);
	assert_int_equal(nl_ethtool_parse(msg, off, 21, &e), -EBADMSG);
}

/* SFF-8472 pages of a 10GBASE-SR module (ethtool -m of a real one said
 * 6.986 mA bias, 0.4678 mW out); values put where the standard says. */
static void
sfp_pages(uint8_t *a0, uint8_t *a2, uint16_t rx)
{
	memset(a0, 0, 128);
	memset(a2, 0, 128);
	a0[0] = 0x03;
	a0[92] = 0x68;		/* DDM, internally calibrated, rx avg power */
	a2[0] = 0x50; a2[1] = 0x00;	/* temp high alarm 80 C */
	a2[4] = 0x4b; a2[5] = 0x00;	/* temp high warn 75 C */
	a2[32] = 0x27; a2[33] = 0x10;	/* rx high alarm 1.0 mW */
	a2[34] = 0x00; a2[35] = 0x64;	/* rx low alarm 0.01 mW: -20 dBm */
	a2[36] = 0x1f; a2[37] = 0x07;	/* rx high warn 0.7943 mW */
	a2[38] = 0x00; a2[39] = 0xfb;	/* rx low warn 0.0251 mW: -16 dBm */
	a2[96] = 0x22; a2[97] = 0x80;	/* 34.5 C */
	a2[100] = 0x0d; a2[101] = 0xa5;	/* 3493 * 2 uA */
	a2[102] = 0x12; a2[103] = 0x46;	/* 0.4678 mW */
	a2[104] = (uint8_t)(rx >> 8); a2[105] = (uint8_t)rx;
}

static void
test_sff8472(void **unused)
{
	uint8_t a0[128], a2[128];
	struct sff_diag d;
	unsigned lane = 9;
	double dbm = 0;

	sfp_pages(a0, a2, 0x1388);	/* 0.5 mW: -3 dBm */
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), 0);
	assert_int_equal(d.type, SFF_8472);
	assert_true(fabs(d.temp_c - 34.5) < 0.01);
	assert_true(fabs(d.bias_ma[0] - 6.986) < 0.001);
	assert_true(fabs(d.tx_dbm[0] - 10 * log10(0.4678)) < 0.001);
	assert_true(fabs(d.rx_dbm[0] + 3.0103) < 0.001);
	assert_true(fabs(d.rx_low_alarm_dbm + 20) < 0.001);
	assert_true(fabs(d.temp_high_alarm_c - 80) < 0.001);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), 0);
	sfp_pages(a0, a2, 0x00c8);	/* 0.02 mW: -17 dBm, below low warn */
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), 0);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), 1);
	assert_int_equal(lane, 0);
	sfp_pages(a0, a2, 0);		/* no light */
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), 0);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), 2);
	assert_true(dbm <= -40);
	/* No diagnostics, external calibration, short pages, a QSFP. */
	a0[92] = 0;
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), -ENODATA);
	a0[92] = 0x58;
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), -ENOTSUP);
	a0[92] = 0x68;
	assert_int_equal(sff8472_parse(a0, 128, a2, 100, &d), -EBADMSG);
	assert_int_equal(sff8472_parse(a0, 64, a2, 128, &d), -EBADMSG);
	a0[0] = 0x11;
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), -EBADMSG);
	/* Thresholds of 0 mW are no thresholds. */
	sfp_pages(a0, a2, 0x00c8);
	memset(a2 + 32, 0, 8);
	assert_int_equal(sff8472_parse(a0, 128, a2, 128, &d), 0);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), -ENODATA);
}

static void
test_sff8636(void **unused)
{
	uint8_t lower[128] = { 0 }, p3[128] = { 0 };
	struct sff_diag d;
	unsigned lane = 9, i;
	double dbm;

	lower[0] = 0x11;	/* QSFP28 */
	lower[22] = 0x1e;	/* 30 C */
	for (i = 0; i < 4; i++) {
		lower[34 + 2 * i] = 0x13;	/* 0.4864 mW */
		lower[42 + 2 * i] = 0x0f;
	}
	lower[34 + 4] = 0x00;
	lower[34 + 5] = 0x50;			/* lane 3: 0.008 mW */
	p3[48] = 0x43; p3[49] = 0xe2;		/* rx high alarm 1.7378 mW */
	p3[50] = 0x00; p3[51] = 0x64;		/* rx low alarm -20 dBm */
	p3[52] = 0x36; p3[53] = 0xb0;
	p3[54] = 0x00; p3[55] = 0xfb;		/* rx low warn -16 dBm */
	assert_int_equal(sff8636_parse(lower, 128, p3, 128, &d), 0);
	assert_int_equal(d.lanes, 4);
	assert_true(fabs(d.temp_c - 30) < 0.01);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), 2);
	assert_int_equal(lane, 2);
	/* Without page 03h there is nothing to judge against. */
	assert_int_equal(sff8636_parse(lower, 128, NULL, 0, &d), 0);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), -ENODATA);
	assert_int_equal(sff8636_parse(lower, 40, NULL, 0, &d), -EBADMSG);
}

static void
test_cmis(void **unused)
{
	uint8_t lower[128] = { 0 }, p2[128] = { 0 }, p11[128] = { 0 };
	struct sff_diag d;
	unsigned lane = 9, i;
	double dbm;

	lower[0] = 0x18;	/* QSFP-DD */
	lower[14] = 0x28;	/* 40 C */
	p2[50] = 0x00; p2[51] = 0x64;	/* rx low alarm -20 dBm */
	p2[54] = 0x00; p2[55] = 0xfb;	/* rx low warn -16 dBm */
	for (i = 0; i < 8; i++)
		p11[58 + 2 * i] = 0x10;	/* 0.4096 mW */
	p11[58 + 14] = 0x00;
	p11[58 + 15] = 0xe0;		/* lane 8: 0.0224 mW, -16.5 dBm */
	assert_int_equal(cmis_parse(lower, 128, p2, 128, p11, 128, &d), 0);
	assert_int_equal(d.lanes, 8);
	assert_true(fabs(d.temp_c - 40) < 0.01);
	assert_int_equal(sff_judge_rx(&d, &lane, &dbm), 1);
	assert_int_equal(lane, 7);
	assert_int_equal(cmis_parse(lower, 128, p2, 128, NULL, 0, &d), 0);
	assert_false(d.has_diag);
	assert_int_equal(cmis_parse(lower, 8, NULL, 0, NULL, 0, &d), -EBADMSG);
}

static void
test_identity(void **unused)
{
	char id[64];

	assert_int_equal(nic_identity(id, sizeof(id), "52:54:00:aa:bb:01",
	    "02:00:00:00:00:09", "eth0"), 0);
	assert_string_equal(id, "52:54:00:aa:bb:01");
	assert_int_equal(nic_identity(id, sizeof(id), "00:00:00:00:00:00",
	    "a6:1f:00:00:00:01", "va"), 0);
	assert_string_equal(id, "a6:1f:00:00:00:01");
	assert_int_equal(nic_identity(id, sizeof(id), "", "", "tun0"), 0);
	assert_string_equal(id, "name:tun0");
	assert_false(nic_mac_usable("52:54:00:zz:00:01"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_veth),
		cmocka_unit_test(test_link_truncated),
		cmocka_unit_test(test_link_other_type),
		cmocka_unit_test(test_link_bond_slave),
		cmocka_unit_test(test_ethtool_linkmodes),
		cmocka_unit_test(test_ethtool_linkstate),
		cmocka_unit_test(test_ethtool_stats),
		cmocka_unit_test(test_sff8472),
		cmocka_unit_test(test_sff8636),
		cmocka_unit_test(test_cmis),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
