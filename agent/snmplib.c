/* net-snmp's library set up once for the whole agent, secrets from files and SNMPv3 USM (snmplib.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/select.h>

#include <net-snmp/library/large_fd_set.h>

#include "forewarn/log.h"
#include "forewarn/snmplib.h"
#include "forewarn/util.h"

const char *const snmplib_auths[] = { "SHA", "SHA-224", "SHA-256",
    "SHA-384", "SHA-512", NULL };
const char *const snmplib_privs[] = { "AES", NULL };

static bool	initialised;

void
snmplib_init(const char *dir)
{
	if (initialised)
		return;
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	if (dir != NULL)
		netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_PERSISTENT_DIR, dir);
	/* Numeric OIDs everywhere: no MIB is loaded, none is looked for. */
	setenv("MIBS", "", 1);
	snmp_disable_log();
	init_snmp("forewarnd");
	initialised = true;
}

int
snmplib_read_secret(const char *who, const char *path, char *buf,
    size_t size)
{
	FILE *f;
	size_t n;
	int rc;

	if ((f = fopen(path, "re")) == NULL) {
		rc = -errno;
		log_warnx("%s: %s: %s", who, path, strerror(-rc));
		return rc;
	}
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		log_warnx("%s: %s is empty", who, path);
		return -EINVAL;
	}
	return 0;
}

static const oid *
auth_oid(const char *name)
{
	if (strcmp(name, "SHA") == 0)
		return usmHMACSHA1AuthProtocol;
	if (strcmp(name, "SHA-224") == 0)
		return usmHMAC128SHA224AuthProtocol;
	if (strcmp(name, "SHA-256") == 0)
		return usmHMAC192SHA256AuthProtocol;
	if (strcmp(name, "SHA-384") == 0)
		return usmHMAC256SHA384AuthProtocol;
	if (strcmp(name, "SHA-512") == 0)
		return usmHMAC384SHA512AuthProtocol;
	return NULL;
}

int
snmplib_usm_set(netsnmp_session *s, const char *who, const char *user,
    const char *auth_proto, const char *auth_file, const char *priv_proto,
    const char *priv_file)
{
	char auth[SNMPLIB_SECRET_MAX], priv[SNMPLIB_SECRET_MAX];
	size_t plen = OID_LENGTH(usmHMACSHA1AuthProtocol);
	const oid *proto;
	int rc = -EINVAL;

	if (user == NULL || auth_file == NULL || priv_file == NULL) {
		log_warnx("%s: version 3 needs user, auth_password_file and "
		    "priv_password_file", who);
		return -EINVAL;
	}
	if ((proto = auth_oid(auth_proto)) == NULL ||
	    strcmp(priv_proto, "AES") != 0) {
		log_warnx("%s: unknown protocol %s/%s", who, auth_proto,
		    priv_proto);
		return -EINVAL;
	}
	if (snmplib_read_secret(who, auth_file, auth, sizeof(auth)) < 0 ||
	    snmplib_read_secret(who, priv_file, priv, sizeof(priv)) < 0)
		goto out;
	if (strlen(auth) < 8 || strlen(priv) < 8) {
		log_warnx("%s: USM passphrases need 8 characters or more", who);
		goto out;
	}
	s->version = SNMP_VERSION_3;
	s->securityName = xstrdup(user);
	s->securityNameLen = strlen(user);
	s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	s->securityAuthProto = snmp_duplicate_objid(proto, plen);
	s->securityAuthProtoLen = plen;
	s->securityAuthKeyLen = USM_AUTH_KU_LEN;
	s->securityPrivProto = snmp_duplicate_objid(usmAESPrivProtocol,
	    OID_LENGTH(usmAESPrivProtocol));
	s->securityPrivProtoLen = OID_LENGTH(usmAESPrivProtocol);
	s->securityPrivKeyLen = USM_PRIV_KU_LEN;
	if (generate_Ku(proto, (u_int)plen, (u_char *)auth, strlen(auth),
	    s->securityAuthKey, &s->securityAuthKeyLen) != SNMPERR_SUCCESS ||
	    generate_Ku(proto, (u_int)plen, (u_char *)priv, strlen(priv),
	    s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS) {
		log_warnx("%s: USM keys could not be made", who);
		snmplib_usm_clear(s);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(auth, sizeof(auth));
	explicit_bzero(priv, sizeof(priv));
	return rc;
}

void
snmplib_usm_clear(netsnmp_session *s)
{
	free(s->securityName);
	free(s->securityAuthProto);
	free(s->securityPrivProto);
	free(s->securityEngineID);
	s->securityName = NULL;
	s->securityAuthProto = NULL;
	s->securityPrivProto = NULL;
	s->securityEngineID = NULL;
	explicit_bzero(s->securityAuthKey, sizeof(s->securityAuthKey));
	explicit_bzero(s->securityPrivKey, sizeof(s->securityPrivKey));
}

void
snmplib_usm_probe_user(void)
{
	struct usmUser *u;

	if (usm_get_user(NULL, 0, (char *)"") != NULL)
		return;
	if ((u = usm_create_user()) == NULL)
		return;
	u->name = xstrdup("");
	u->secName = xstrdup("");
	u->authProtocolLen = OID_LENGTH(usmNoAuthProtocol);
	u->authProtocol = snmp_duplicate_objid(usmNoAuthProtocol,
	    u->authProtocolLen);
	u->privProtocolLen = OID_LENGTH(usmNoPrivProtocol);
	u->privProtocol = snmp_duplicate_objid(usmNoPrivProtocol,
	    u->privProtocolLen);
	usm_add_user(u);
}

void
snmplib_sess_read(void *sess, int fd)
{
	netsnmp_large_fd_set fds;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	NETSNMP_LARGE_FD_SET(fd, &fds);
	snmp_sess_read2(sess, &fds);
	netsnmp_large_fd_set_cleanup(&fds);
}

int64_t
snmplib_sess_wait_ms(void *sess)
{
	struct timeval tv = { 0, 0 };
	netsnmp_large_fd_set fds;
	int n = 0, block = 1;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_sess_select_info2(sess, &n, &fds, &tv, &block);
	netsnmp_large_fd_set_cleanup(&fds);
	if (block)
		return -1;
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1;
}

/* usmStats (RFC 3414), the counters a REPORT carries. */
static const oid usm_stats[] = { 1, 3, 6, 1, 6, 3, 15, 1, 1 };

const char *
snmplib_report_reason(const oid *name, size_t len)
{
	static const char *const why[] = {
		NULL,
		"the security level is not supported for this user",
		"not in the engine's time window",
		"unknown user name",
		"unknown engine id",
		"wrong authentication passphrase or protocol",
		"decryption failed: wrong privacy passphrase or protocol",
	};
	size_t n = OID_LENGTH(usm_stats);

	if (len < n + 1 || memcmp(name, usm_stats, n * sizeof(oid)) != 0 ||
	    name[n] < 1 || name[n] > 6)
		return NULL;
	return why[name[n]];
}
