/*
 * Pure parsers of what the kernel sends the netlink collector: rtnetlink
 * link messages, ethtool generic-netlink replies and module EEPROM pages.
 * Every input is hostile: lengths and attribute types are validated, a bad
 * message is refused with -EBADMSG, never read past its end.
 */
#ifndef FOREWARN_NETLINK_PARSE_H
#define FOREWARN_NETLINK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_NAME_MAX	16	/* IFNAMSIZ */
#define NL_MAC_MAX	(32 * 3)	/* printed hardware address */

/* IFLA_STATS64 fields the checks read. */
struct nl_stats {
	uint64_t	rx_packets, tx_packets;
	uint64_t	rx_errors, tx_errors;
	uint64_t	rx_dropped, tx_dropped;
	uint64_t	rx_crc_errors, rx_frame_errors, rx_fifo_errors;
	uint64_t	rx_missed_errors, tx_carrier_errors;
	uint64_t	collisions, tx_window_errors;
};

/* Operational states (RFC 2863, IF_OPER_*). */
enum nl_oper {
	NL_OPER_UNKNOWN = 0, NL_OPER_NOTPRESENT = 1, NL_OPER_DOWN = 2,
	NL_OPER_LOWERLAYERDOWN = 3, NL_OPER_TESTING = 4, NL_OPER_DORMANT = 5,
	NL_OPER_UP = 6,
};

/* Bonding's MII status of a slave (BOND_LINK_*). */
enum nl_mii {
	NL_MII_UP = 0, NL_MII_FAIL = 1, NL_MII_DOWN = 2, NL_MII_BACK = 3,
};

/* One RTM_NEWLINK / RTM_DELLINK. */
struct nl_link {
	bool		deleted;		/* RTM_DELLINK */
	int		ifindex;
	unsigned	flags;			/* IFF_* */
	char		name[NL_NAME_MAX];
	char		kind[16];		/* IFLA_INFO_KIND: "veth", "bond"; "" */
	char		slave_kind[16];		/* IFLA_INFO_SLAVE_KIND: "bond" */
	char		mac[NL_MAC_MAX];	/* "" when the link has none */
	char		perm_mac[NL_MAC_MAX];	/* IFLA_PERM_ADDRESS, or the bond
						   slave's perm_hwaddr */
	uint8_t		operstate;
	int		carrier;		/* 0, 1, or -1 when not given */
	uint32_t	mtu;
	int		master;			/* ifindex, 0 = none */
	bool		has_carrier_changes;
	uint32_t	carrier_changes;
	bool		has_updown;
	uint32_t	carrier_up, carrier_down;
	bool		has_stats;
	struct nl_stats	stats;
	/* A bond slave (IFLA_INFO_SLAVE_DATA). */
	bool		is_bond_slave;
	uint8_t		slave_state;		/* 0 active, 1 backup */
	uint8_t		mii_status;		/* enum nl_mii */
	uint32_t	link_failure_count;
	bool		has_ad_state;
	uint8_t		ad_actor_state;		/* LACP actor oper port state */
	/* A bond master (IFLA_INFO_DATA of kind "bond"). */
	bool		has_bond_mode;
	uint8_t		bond_mode;
	int		bond_active_slave;	/* ifindex, 0 = none */
};

/* LACP port state bits that say a port carries traffic. */
#define NL_LACP_SYNC		0x08
#define NL_LACP_COLLECTING	0x10
#define NL_LACP_DISTRIBUTING	0x20

/*
 * One rtnetlink message (header included, len bytes) into ret.  0;
 * -ENOMSG for a message of another type; -EBADMSG for a malformed one.
 */
int	nl_link_parse(const void *buf, size_t len, struct nl_link *ret);

/* What one ethtool reply said; has_* tell which attributes came. */
struct nl_ethtool {
	uint8_t		cmd;			/* ETHTOOL_MSG_*_REPLY */
	int		ifindex;
	char		name[NL_NAME_MAX];
	bool		has_speed;
	uint32_t	speed;			/* Mb/s; UINT32_MAX unknown */
	bool		has_duplex;
	uint8_t		duplex;			/* 0 half, 1 full, 0xff unknown */
	bool		has_autoneg;
	uint8_t		autoneg;
	bool		has_link;
	uint8_t		link;
	bool		has_sqi;
	uint32_t	sqi, sqi_max;
	bool		has_ext_state;
	uint8_t		ext_state, ext_substate;
	bool		has_ext_down_cnt;
	uint32_t	ext_down_cnt;
	bool		has_fcs_errors;
	uint64_t	fcs_errors;		/* IEEE 802.3 30.3.1.1.6 */
	const uint8_t	*eeprom;		/* into buf, eeprom_len bytes */
	size_t		eeprom_len;
};

/*
 * One ethtool generic-netlink reply of family id family (header
 * included).  0; -ENOMSG for another family; -EBADMSG when malformed.
 */
int	nl_ethtool_parse(const void *buf, size_t len, uint16_t family,
	    struct nl_ethtool *ret);

/* The generic netlink controller's answer: a family's id by name. */
int	nl_genl_family_parse(const void *buf, size_t len, const char *name,
	    uint16_t *ret_id);

/* A module's transceiver type from byte 0 of its EEPROM (SFF-8024). */
enum sff_type {
	SFF_UNKNOWN, SFF_8472, SFF_8636, SFF_CMIS,
};
enum sff_type sff_type_of(uint8_t identifier);

/* Diagnostics of a module, in base units; the module's own thresholds. */
struct sff_diag {
	enum sff_type	type;
	bool		has_diag;		/* digital diagnostics given */
	double		temp_c;
	unsigned	lanes;			/* rx power values (1 for SFP) */
	double		rx_dbm[8];
	double		tx_dbm[8];
	double		bias_ma[8];
	bool		has_thresholds;
	double		rx_low_alarm_dbm, rx_low_warn_dbm;
	double		rx_high_alarm_dbm, rx_high_warn_dbm;
	double		temp_high_alarm_c, temp_high_warn_c;
	bool		rx_los;			/* a lane says loss of signal */
};

/* Milliwatts as dBm; -40 dBm for zero (no light). */
double	sff_mw_to_dbm(double mw);

/*
 * SFF-8472 (SFP/SFP+): a0 the 128-byte A0h page, a2 the 128-byte lower A2h
 * page (thresholds, values, flags).  -EBADMSG when short or not an SFP;
 * -ENODATA when the module has no digital diagnostics; -ENOTSUP for
 * external calibration.
 */
int	sff8472_parse(const uint8_t *a0, size_t a0_len, const uint8_t *a2,
	    size_t a2_len, struct sff_diag *ret);
/*
 * SFF-8636 (QSFP+/QSFP28): lower the 128-byte lower page 00h, page3 the
 * upper page 03h (128 bytes: thresholds) or NULL.
 */
int	sff8636_parse(const uint8_t *lower, size_t lower_len,
	    const uint8_t *page3, size_t page3_len, struct sff_diag *ret);
/*
 * CMIS (QSFP-DD, OSFP): lower page 00h (128 bytes), upper page 02h
 * (thresholds) or NULL, upper page 11h (lane values) or NULL.
 */
int	cmis_parse(const uint8_t *lower, size_t lower_len,
	    const uint8_t *page2, size_t page2_len, const uint8_t *page11,
	    size_t page11_len, struct sff_diag *ret);

/*
 * Received power against the module's own thresholds: 2 when a lane is at
 * or below the low alarm, 1 at or below the low warning, else 0; the worst
 * lane and its power in ret_lane, ret_dbm.  -ENODATA without diagnostics
 * or thresholds (a threshold of 0 mW is no threshold).
 */
int	sff_judge_rx(const struct sff_diag *d, unsigned *ret_lane,
	    double *ret_dbm);

#endif
