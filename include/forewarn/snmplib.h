/*
 * What every user of net-snmp's library in the agent shares — the SNMP
 * sink, the router poller and the trap listener: one initialisation (no
 * configuration files, no MIBs, no persistent state of the library's own),
 * secrets read from files, and SNMPv3 USM authPriv set on a session.
 */
#ifndef FOREWARN_SNMPLIB_H
#define FOREWARN_SNMPLIB_H

#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define SNMPLIB_SECRET_MAX	512

/* The choices of auth_protocol and priv_protocol keys. */
extern const char *const snmplib_auths[];
extern const char *const snmplib_privs[];

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
 * Why an SNMPv3 REPORT refused a request (usmStatsWrongDigests: "wrong
 * authentication passphrase"), or NULL when the OID is no USM statistic.
 */
const char *snmplib_report_reason(const oid *name, size_t len);

#endif
