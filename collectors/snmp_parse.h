/*
 * The SNMP collector's pure layer: varbinds (as net-snmp decoded them) into
 * the rows the checks read — IF-MIB ifTable/ifXTable, BGP4-MIB
 * bgpPeerTable, ENTITY-SENSOR-MIB entPhySensorTable with entPhysicalName,
 * and the system group.  A router's answers are hostile: every varbind's
 * type and index are checked, tables are capped, and a bad varbind is
 * refused with a message naming its OID, never read past its length.
 */
#ifndef FOREWARN_SNMP_PARSE_H
#define FOREWARN_SNMP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

#define SNMP_ROWS_MAX		4096	/* rows per table of one router */
#define SNMP_IFNAME_MAX		64
#define SNMP_ALIAS_MAX		128
#define SNMP_SYSDESCR_MAX	256
#define SNMP_ERR_MAX		160

/* The tables a poll walks; columns are listed in snmp_parse.c. */
enum snmp_table {
	SNMP_T_IF,		/* ifEntry 1.3.6.1.2.1.2.2.1 */
	SNMP_T_IFX,		/* ifXEntry 1.3.6.1.2.1.31.1.1.1 */
	SNMP_T_BGP,		/* bgpPeerEntry 1.3.6.1.2.1.15.3.1 */
	SNMP_T_SENSOR,		/* entPhySensorEntry 1.3.6.1.2.1.99.1.1.1 */
	SNMP_T_ENTNAME,		/* entPhysicalName 1.3.6.1.2.1.47.1.1.1.1.7 */
	SNMP_T_COUNT
};

/* What a row holds: bits of its have mask. */
enum {
	IF_NAME = 1u << 0, IF_DESCR = 1u << 1, IF_ALIAS = 1u << 2,
	IF_TYPE = 1u << 3, IF_ADMIN = 1u << 4, IF_OPER = 1u << 5,
	IF_LASTCHANGE = 1u << 6, IF_HC = 1u << 7, IF_HCPKTS = 1u << 8,
	IF_ERRORS = 1u << 9, IF_SPEED = 1u << 10, IF_DISC = 1u << 11,
	IF_OUTERRORS = 1u << 12, IF_DISCARDS = 1u << 13,
	IF_INOCT = 1u << 14, IF_OUTOCT = 1u << 15,
};

/* ifOperStatus / ifAdminStatus (RFC 2863). */
enum snmp_ifstatus {
	SNMP_IF_UP = 1, SNMP_IF_DOWN = 2, SNMP_IF_TESTING = 3,
	SNMP_IF_UNKNOWN = 4, SNMP_IF_DORMANT = 5, SNMP_IF_NOTPRESENT = 6,
	SNMP_IF_LOWERLAYERDOWN = 7,
};

struct snmp_if {
	uint32_t	index;
	unsigned	have;
	char		name[SNMP_IFNAME_MAX];		/* ifName */
	char		descr[SNMP_IFNAME_MAX];		/* ifDescr */
	char		alias[SNMP_ALIAS_MAX];		/* ifAlias */
	int		type, admin, oper;
	uint32_t	last_change;			/* TimeTicks */
	uint64_t	in_octets, out_octets;		/* ifHC*Octets */
	uint64_t	in_pkts, out_pkts;		/* ifHC*UcastPkts */
	uint32_t	in_errors, out_errors, in_discards;	/* Counter32 */
	uint32_t	high_speed;			/* Mb/s */
	uint32_t	discontinuity;			/* TimeTicks */
};

enum {
	BGP_STATE = 1u << 0, BGP_ADMIN = 1u << 1, BGP_AS = 1u << 2,
	BGP_LASTERR = 1u << 3, BGP_TRANS = 1u << 4, BGP_ESTTIME = 1u << 5,
};

/* bgpPeerState (RFC 4273). */
enum snmp_bgp_state {
	SNMP_BGP_IDLE = 1, SNMP_BGP_CONNECT, SNMP_BGP_ACTIVE,
	SNMP_BGP_OPENSENT, SNMP_BGP_OPENCONFIRM, SNMP_BGP_ESTABLISHED,
};

struct snmp_bgp_peer {
	uint8_t		addr[4];	/* the index: bgpPeerRemoteAddr */
	char		addr_str[16];
	unsigned	have;
	int		state, admin;	/* admin: stop(1) start(2) */
	uint32_t	remote_as;
	uint8_t		last_error[2];	/* code, subcode */
	uint32_t	transitions;	/* FsmEstablishedTransitions */
	uint32_t	established_time;	/* seconds */
};

enum {
	SENS_TYPE = 1u << 0, SENS_SCALE = 1u << 1, SENS_PRECISION = 1u << 2,
	SENS_VALUE = 1u << 3, SENS_OPER = 1u << 4, SENS_NAME = 1u << 5,
};

/* entPhySensorType and entPhySensorOperStatus (RFC 3433). */
enum {
	SNMP_SENS_CELSIUS = 8, SNMP_SENS_RPM = 10,
	SNMP_SENS_OK = 1, SNMP_SENS_UNAVAILABLE = 2, SNMP_SENS_NONOPERATIONAL = 3,
};

struct snmp_sensor {
	uint32_t	index;		/* entPhysicalIndex */
	unsigned	have;
	int		type, scale, precision, oper;
	int32_t		value;
	char		name[SNMP_IFNAME_MAX];	/* entPhysicalName */
};

/* What one poll learnt of a router: the system group and the tables. */
struct snmp_data {
	bool		has_uptime;
	uint32_t	uptime;		/* sysUpTime, 1/100 s */
	char		sys_name[SNMP_IFNAME_MAX];
	char		sys_descr[SNMP_SYSDESCR_MAX];
	struct snmp_if	*ifs;
	size_t		n_ifs;
	struct snmp_bgp_peer *peers;
	size_t		n_peers;
	struct snmp_sensor *sensors;
	size_t		n_sensors;
	size_t		if_hint, peer_hint, sens_hint;	/* rows last found */
	unsigned	errors;		/* varbinds refused */
	char		first_error[SNMP_ERR_MAX];	/* the first, by OID */
};

/* A table's entry OID and the columns a poll asks for. */
struct snmp_table_def {
	const char	*name;		/* "ifTable", for messages */
	const oid	*entry;
	size_t		 entry_len;
	const oid	*cols;		/* column numbers under entry */
	size_t		 n_cols;
	size_t		 index_len;	/* sub-identifiers of an index */
};

const struct snmp_table_def *snmp_table_def(enum snmp_table t);

/* The OIDs of the system GET, in the order they are asked for. */
extern const oid snmp_oid_sysuptime[9], snmp_oid_sysname[9],
    snmp_oid_sysdescr[9];

void	snmp_data_init(struct snmp_data *d);
void	snmp_data_clear(struct snmp_data *d);

/*
 * One varbind of a system GET into d: 0; -ENOENT for noSuchObject and the
 * like (the value is unknown, not an error); -EBADMSG for a wrong type.
 */
int	snmp_parse_system(struct snmp_data *d, const netsnmp_variable_list *vb);

/*
 * One varbind of a walk of table t into d.  0 when taken; 1 when it lies
 * past the column (the column's walk is over); -EBADMSG (a wrong type or
 * index: counted in d->errors and the first kept in d->first_error) and
 * -ENOSPC (more rows than SNMP_ROWS_MAX) are the walk's to judge.
 * col is the position of the column in the table's def.
 */
int	snmp_parse_column(struct snmp_data *d, enum snmp_table t, size_t col,
	    const netsnmp_variable_list *vb);

/*
 * Whether name lies under the column col of table t and strictly after
 * prev (the last OID returned for it): a router that answers out of order
 * or repeats itself would walk forever.
 */
bool	snmp_column_advances(enum snmp_table t, size_t col, const oid *name,
	    size_t name_len, const oid *prev, size_t prev_len);

/* An interface by index, or NULL. */
struct snmp_if *snmp_data_if(struct snmp_data *d, uint32_t index);

/* A sensor's value in its base unit (degrees, rpm, volts): scale, precision. */
double	snmp_sensor_value(const struct snmp_sensor *s);

/*
 * Whether sysUpTime now (ticks) after elapsed_ms since prev says the agent
 * restarted: it went back, and not by wrapping past 2^32 ticks (497 days).
 */
bool	snmp_uptime_reset(uint32_t prev, uint32_t now, int64_t elapsed_ms);

#endif
