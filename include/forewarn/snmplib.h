/*
 * What every user of net-snmp's library in the agent shares — the SNMP
 * sink, the router poller and the trap listener: one initialisation (no
 * configuration files, no MIBs, no persistent state of the library's own),
 * secrets read from files, and SNMPv3 USM authPriv set on a session.
 */
#ifndef FOREWARN_SNMPLIB_H
#define FOREWARN_SNMPLIB_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define SNMPLIB_SECRET_MAX	512

/* The choices of auth_protocol and priv_protocol keys. */
extern const char *const snmplib_auths[];
extern const char *const snmplib_privs[];

/*
 * The keys of an SNMPv3 USM user (authPriv), the same in the sink's,
 * the poller's and the trap listener's tables; read by snmplib_usm_set().
 */
#define FW_SNMP_USM_KEYS \
	{ "user", FW_CONF_STRING, NULL, 0, 0, NULL, "v3 USM user" }, \
	{ "auth_protocol", FW_CONF_ENUM, "SHA-256", 0, 0, snmplib_auths, \
	    "v3 authentication" }, \
	{ "auth_password_file", FW_CONF_PATH, NULL, 0, 0, NULL, \
	    "v3: a file whose first line is the authentication passphrase" }, \
	{ "priv_protocol", FW_CONF_ENUM, "AES", 0, 0, snmplib_privs, \
	    "v3 privacy (AES-128)" }, \
	{ "priv_password_file", FW_CONF_PATH, NULL, 0, 0, NULL, \
	    "v3: a file whose first line is the privacy passphrase" }

/* Once per process; dir (may be NULL) holds what the library must write. */
void	snmplib_init(const char *dir);

/*
 * The first line of path into buf: 0, or -errno with a message naming who
 * ("sink nms", "snmp:core1") and the file.  Never logs the secret.
 */
int	snmplib_read_secret(const char *who, const char *path, char *buf,
	    size_t size);

/*
 * SNMPv3 authPriv for user on s: protocols by name (snmplib_auths,
 * snmplib_privs), passphrases from their files, keys made (Ku; the library
 * localises them to the engine).  0 or -EINVAL, said once naming who.
 * snmplib_usm_clear() frees and wipes what it set, after snmp_sess_open().
 */
int	snmplib_usm_set(netsnmp_session *s, const char *who, const char *user,
	    const char *auth_proto, const char *auth_file,
	    const char *priv_proto, const char *priv_file);
void	snmplib_usm_clear(netsnmp_session *s);

/*
 * The USM user without name or keys that an engine id discovery (RFC 3414
 * 4) is sent as: made once.
 */
void	snmplib_usm_probe_user(void);

/*
 * A single session (snmp_sess_open's handle) in the agent's loop: read what
 * came on its fd (its callbacks run), and how long until it must be woken
 * for a retransmission or a timeout (then call snmp_sess_timeout): ms, or
 * -1 when nothing is in flight.
 */
void	snmplib_sess_read(void *sess, int fd);
int64_t	snmplib_sess_wait_ms(void *sess);

/*
 * Why an SNMPv3 REPORT refused a request (usmStatsWrongDigests: "wrong
 * authentication passphrase"), or NULL when the OID is no USM statistic.
 */
const char *snmplib_report_reason(const oid *name, size_t len);

#endif
