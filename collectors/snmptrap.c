/*
 * The "snmptrap" collector: an optional listener for SNMPv2c and SNMPv3
 * notifications (traps and informs).  A linkDown, linkUp, coldStart,
 * warmStart or BGP notification from a router the agent polls asks for a
 * poll of that router now: the poll, not the trap, decides (a trap can be
 * lost, forged or late).  Storms are bounded twice: notifications past
 * rate a second are dropped and counted, and polls so asked of one router
 * are a second apart (snmp_poller.h).
 */
#include <errno.h>
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
#include "forewarn/log.h"
#include "forewarn/snmplib.h"
#include "forewarn/util.h"
#include "snmp_poller.h"

#define TRAP_SAY_MS	(60 * 1000)	/* complaints: once a minute */

static const struct fw_check_def trap_checks[] = { { .code = NULL } };

static const struct fw_conf_key trap_keys[] = {
	{ "listen", FW_CONF_STRING, "", 0, 0, NULL,
	    "where to listen, udp:ADDR:PORT (empty: no listener)" },
	{ "community", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "v2c notifications are taken with this community only" },
	{ "community_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file whose first line is the v2c community" },
	FW_SNMP_USM_KEYS,
	{ "rate", FW_CONF_INT, "100", 1, 100000, NULL,
	    "notifications taken per second; more are dropped and counted" },
	{ .name = NULL }
};

/* snmpTrapOID.0 and the notifications that ask for a poll. */
static const oid trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid snmp_traps[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5 };	/* .1-.4 */
static const oid bgp_traps[] = { 1, 3, 6, 1, 2, 1, 15, 0 };	/* .1 .2 */
static const oid bgp_traps_old[] = { 1, 3, 6, 1, 2, 1, 15, 7 };

struct trap_state {
	struct fw_ctx	*ctx;
	void		*sess;
	int		 fd;
	char		 community[SNMPLIB_SECRET_MAX];
	char		 user[64];
	unsigned	 rate;
	int64_t		 second;	/* monotonic s of the count */
	unsigned	 in_second;
	uint64_t	 taken, dropped, refused, strangers;
	int64_t		 said_drop, said_refused, said_stranger;
};

static int64_t
now_ms(void)
{
	return clock_mono_now().us / 1000;
}

/* Say it at most once a minute, with how often it happened. */
static bool
say_now(int64_t *said)
{
	int64_t now = now_ms();

	if (*said != 0 && now - *said < TRAP_SAY_MS)
		return false;
	*said = now;
	return true;
}

static bool
rate_take(struct trap_state *st)
{
	int64_t s = now_ms() / 1000;

	if (s != st->second) {
		st->second = s;
		st->in_second = 0;
	}
	if (st->in_second++ < st->rate)
		return true;
	st->dropped++;
	if (say_now(&st->said_drop))
		log_warnx("snmptrap: more than %u notifications a second: "
		    "%llu dropped so far", st->rate,
		    (unsigned long long)st->dropped);
	return false;
}

/* Whether the PDU passes our community (v2c) or is authPriv (v3). */
static bool
trap_authentic(const struct trap_state *st, const netsnmp_pdu *pdu)
{
	size_t n = strlen(st->community);

	if (pdu->version == SNMP_VERSION_3)
		return st->user[0] != '\0' &&
		    pdu->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV &&
		    pdu->securityNameLen == strlen(st->user) &&
		    memcmp(pdu->securityName, st->user,
		    pdu->securityNameLen) == 0;
	return pdu->version == SNMP_VERSION_2c && n > 0 &&
	    pdu->community_len == n &&
	    memcmp(pdu->community, st->community, n) == 0;
}

static bool
oid_under(const oid *name, size_t len, const oid *base, size_t blen)
{
	return len == blen + 1 && memcmp(name, base, blen * sizeof(oid)) == 0;
}

/* linkDown/Up, coldStart/warmStart, BGP's notifications: poll again. */
static bool
trap_asks_poll(const netsnmp_pdu *pdu, char *ret_what, size_t size)
{
	const netsnmp_variable_list *vb;
	const oid *o;
	size_t n;

	for (vb = pdu->variables; vb != NULL; vb = vb->next_variable)
		if (snmp_oid_compare(vb->name, vb->name_length, trap_oid,
		    OID_LENGTH(trap_oid)) == 0)
			break;
	if (vb == NULL || vb->type != ASN_OBJECT_ID || vb->val.objid == NULL)
		return false;
	o = vb->val.objid;
	n = vb->val_len / sizeof(oid);
	if (oid_under(o, n, snmp_traps, OID_LENGTH(snmp_traps)) &&
	    o[n - 1] >= 1 && o[n - 1] <= 4) {
		static const char *const names[] = { "", "coldStart",
		    "warmStart", "linkDown", "linkUp" };

		fw_strlcpy(ret_what, names[o[n - 1]], size);
		return true;
	}
	if (oid_under(o, n, bgp_traps, OID_LENGTH(bgp_traps)) ||
	    oid_under(o, n, bgp_traps_old, OID_LENGTH(bgp_traps_old))) {
		fw_strlcpy(ret_what, o[n - 1] == 1 ? "bgpEstablished" :
		    "bgpBackwardTransition", size);
		return true;
	}
	return false;
}

/* The sender's address, numeric, from the UDP transport's data. */
static int
trap_source(const netsnmp_pdu *pdu, char *ip, size_t size)
{
	const struct sockaddr *sa = pdu->transport_data;
	socklen_t len;

	if (sa == NULL || pdu->transport_data_length <
	    (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	else if (sa->sa_family == AF_INET6 && pdu->transport_data_length >=
	    (int)sizeof(struct sockaddr_in6))
		len = sizeof(struct sockaddr_in6);
	else
		return -EAFNOSUPPORT;
	return getnameinfo(sa, len, ip, size, NULL, 0, NI_NUMERICHOST) == 0 ?
	    0 : -EINVAL;
}

/* An inform is answered: the sender's retries end here. */
static void
trap_acknowledge(struct trap_state *st, netsnmp_pdu *pdu)
{
	netsnmp_pdu *reply;

	if (pdu->command != SNMP_MSG_INFORM ||
	    (reply = snmp_clone_pdu(pdu)) == NULL)
		return;
	reply->command = SNMP_MSG_RESPONSE;
	reply->errstat = 0;
	reply->errindex = 0;
	if (snmp_sess_send(st->sess, reply) == 0)
		snmp_free_pdu(reply);
}

static int
on_notification(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct trap_state *st = sp->callback_magic;
	char ip[64], what[32];
	int n;

	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || st == NULL ||
	    (pdu->command != SNMP_MSG_TRAP2 && pdu->command != SNMP_MSG_INFORM))
		return 1;
	if (!rate_take(st))
		return 1;
	if (!trap_authentic(st, pdu)) {
		st->refused++;
		if (say_now(&st->said_refused))
			log_warnx("snmptrap: a notification with a wrong "
			    "community or user was refused (%llu so far)",
			    (unsigned long long)st->refused);
		return 1;
	}
	trap_acknowledge(st, pdu);
	if (trap_source(pdu, ip, sizeof(ip)) < 0 ||
	    !trap_asks_poll(pdu, what, sizeof(what)))
		return 1;
	st->taken++;
	if ((n = snmp_poller_kick(ip)) > 0) {
		log_debug("snmptrap: %s from %s: polling it now", what, ip);
	} else {
		st->strangers++;
		if (say_now(&st->said_stranger))
			log_info("snmptrap: %s from %s, which is no router "
			    "polled here ([snmp:NAME] address)", what, ip);
	}
	return 1;
}

/* Nothing to look at: notifications come to trap_ready(). */
static int
trap_poll(void *state, struct fw_report *out)
{
	return 0;
}

static int
trap_ready(void *state, int fd, uint32_t events, struct fw_report *out)
{
	struct trap_state *st = state;

	snmplib_sess_read(st->sess, fd);
	return 0;
}

/*
 * The v3 user of informs, for our own engine (informs' receiver is
 * authoritative): made the way snmptrapd's createUser makes it.
 */
static int
trap_user(struct trap_state *st, const struct fw_conf_section *cs)
{
	char auth[SNMPLIB_SECRET_MAX], priv[SNMPLIB_SECRET_MAX];
	char line[3 * SNMPLIB_SECRET_MAX];
	const char *user = conf_get_str(cs, trap_keys, "user");
	const char *af = conf_get_str(cs, trap_keys, "auth_password_file");
	const char *pf = conf_get_str(cs, trap_keys, "priv_password_file");
	int rc = -EINVAL;

	if (user == NULL)
		return 0;
	if (af == NULL || pf == NULL || strlen(user) >= sizeof(st->user) ||
	    strpbrk(user, " \t\"") != NULL) {
		log_warnx("snmptrap: user needs auth_password_file and "
		    "priv_password_file, and a name without blanks or quotes");
		return -EINVAL;
	}
	if (snmplib_read_secret("snmptrap", af, auth, sizeof(auth)) < 0 ||
	    snmplib_read_secret("snmptrap", pf, priv, sizeof(priv)) < 0)
		goto out;
	if (strlen(auth) < 8 || strlen(priv) < 8 || strchr(auth, '"') ||
	    strchr(priv, '"')) {
		log_warnx("snmptrap: USM passphrases need 8 characters or more "
		    "and no double quote");
		goto out;
	}
	fw_snprintf(line, sizeof(line), "%s %s \"%s\" %s \"%s\"", user,
	    conf_get_str(cs, trap_keys, "auth_protocol"), auth,
	    conf_get_str(cs, trap_keys, "priv_protocol"), priv);
	usm_parse_create_usmUser("createUser", line);
	fw_strlcpy(st->user, user, sizeof(st->user));
	rc = 0;
out:
	explicit_bzero(line, sizeof(line));
	explicit_bzero(auth, sizeof(auth));
	explicit_bzero(priv, sizeof(priv));
	return rc;
}

static void
trap_user_remove(const char *name)
{
	u_char engine[64];
	struct usmUser *u;
	int len;

	if (name[0] == '\0' ||
	    (len = snmpv3_get_engineID(engine, sizeof(engine))) <= 0)
		return;
	if ((u = usm_get_user(engine, (size_t)len, name)) != NULL) {
		usm_remove_user(u);
		usm_free_user(u);
	}
}

static void
trap_teardown(void *state)
{
	struct trap_state *st = state;

	if (st == NULL)
		return;
	if (st->fd >= 0)
		ctx_unwatch_fd(st->ctx, st->fd);
	if (st->sess != NULL)
		snmp_sess_close(st->sess);
	trap_user_remove(st->user);
	explicit_bzero(st->community, sizeof(st->community));
	free(st);
}

static int
trap_open(struct trap_state *st, const char *listen)
{
	netsnmp_transport *tr;
	netsnmp_session s;
	int rc;

	if ((tr = netsnmp_transport_open_server("snmptrap", listen)) == NULL) {
		log_warnx("snmptrap: cannot listen on %s: %s", listen,
		    snmp_api_errstring(snmp_errno));
		return -EADDRNOTAVAIL;
	}
	snmp_sess_init(&s);
	s.peername = SNMP_DEFAULT_PEERNAME;
	s.version = SNMP_DEFAULT_VERSION;
	s.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
	s.retries = SNMP_DEFAULT_RETRIES;
	s.timeout = SNMP_DEFAULT_TIMEOUT;
	s.callback = on_notification;
	s.callback_magic = st;
	s.authenticator = NULL;
	s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
	if ((st->sess = snmp_sess_add(&s, tr, NULL, NULL)) == NULL) {
		log_warnx("snmptrap: %s: %s", listen,
		    snmp_api_errstring(snmp_errno));
		return -EIO;
	}
	if ((rc = ctx_watch_fd(st->ctx, tr->sock, EPOLLIN)) < 0)
		return rc;
	st->fd = tr->sock;
	log_info("snmptrap: listening on %s", listen);
	return 0;
}

static int
trap_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct trap_state *st = xcalloc(1, sizeof(*st));
	const char *listen = conf_get_str(cs, trap_keys, "listen"), *v;
	int rc;

	*ret_state = st;
	st->ctx = ctx;
	st->fd = -1;
	st->rate = (unsigned)conf_get_int(cs, trap_keys, "rate");
	if (listen == NULL || listen[0] == '\0')
		return 0;	/* no listener unless asked for */
	snmplib_init(NULL);
	if ((v = conf_get_str(cs, trap_keys, "community_file")) != NULL) {
		if ((rc = snmplib_read_secret("snmptrap", v, st->community,
		    sizeof(st->community))) < 0)
			return rc;
	} else if ((v = conf_get_str(cs, trap_keys, "community")) != NULL) {
		fw_strlcpy(st->community, v, sizeof(st->community));
	}
	if ((rc = trap_user(st, cs)) < 0)
		return rc;
	if (st->community[0] == '\0' && st->user[0] == '\0') {
		log_warnx("snmptrap: listen needs a community or a v3 user");
		return -EINVAL;
	}
	return trap_open(st, listen);
}

const struct fw_collector snmptrap_collector = {
	.name = "snmptrap",
	.interval_ms = 0,
	.keys = trap_keys,
	.checks = trap_checks,
	.init = trap_init,
	.poll = trap_poll,
	.ready = trap_ready,
	.teardown = trap_teardown,
};
