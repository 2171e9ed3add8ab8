/*
 * The SNMP sink: every event as an SNMPv2c or SNMPv3 (USM authPriv) INFORM
 * to an NMS, through net-snmp's single-session API driven by our loop (the
 * library is not thread-safe: one thread, non-blocking, its fd and timeout
 * fed to epoll).  Informs, not traps: a trap to a dead receiver is lost
 * without a sign, an inform is acknowledged or times out and is retried by
 * the outbox.  The notifications are defined in docs/FOREWARN-MIB.txt.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <jansson.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "forewarn/clock.h"
#include "forewarn/events.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/snmplib.h"
#include "forewarn/util.h"

/*
 * The arc: net-snmp's experimental playpen (netSnmpPlaypen,
 * 1.3.6.1.4.1.8072.9999.9999), a placeholder until the project has an
 * enterprise number of its own; docs/FOREWARN-MIB.txt says the same.
 */
#define FW_ARC		1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7
static const oid oid_raised[] = { FW_ARC, 0, 1 };
static const oid oid_cleared[] = { FW_ARC, 0, 2 };
static const oid oid_heartbeat[] = { FW_ARC, 0, 3 };
static const oid oid_objects[] = { FW_ARC, 1 };	/* .N.0 below */
static const oid oid_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid oid_trapoid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

enum fw_snmp_object {
	OBJ_HOST = 1, OBJ_CHECK, OBJ_STATE, OBJ_PREVIOUS, OBJ_SEVERITY,
	OBJ_ENTITY_KIND, OBJ_ENTITY_ID, OBJ_ENTITY_NAME, OBJ_SUMMARY,
	OBJ_FINGERPRINT, OBJ_TIME,
};


struct snmp_sink {
	char		 name[64];
	struct fw_loop	*loop;
	struct fw_sink	*sink;
	void		*sess;		/* snmp_sess_open's handle */
	int		 fd;
	fw_timer_id	 timer;
	int64_t		 start_ms;	/* for sysUpTime */
	bool		 failing;
	int64_t		 heartbeat_ms;
	fw_timer_id	 heartbeat_timer;
	char		 host[128];
	struct snmp_req	*reqs;		/* in flight */
	struct snmp_req	*done;		/* answered, for the outbox */
	uintptr_t	 next_id;
	fw_timer_id	 done_timer;
};

struct snmp_req {
	struct snmp_sink *ss;
	int64_t		 seq;
	uintptr_t	 id;		/* the callback's magic: not a pointer */
	int		 rc;		/* when done */
	struct snmp_req	*next;
};

static const char *const versions[] = { "2c", "3", NULL };

static const struct fw_conf_key snmp_keys[] = {
	{ "address", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "the receiver: HOST or HOST:PORT (udp, port 162 by default)" },
	{ "version", FW_CONF_ENUM, "2c", 0, 0, versions, "2c or 3" },
	{ "community", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "v2c community (community_file is better)" },
	{ "community_file", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "a file whose first line is the v2c community" },
	FW_SNMP_USM_KEYS,
	{ "engine_id", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "v3: the receiver's snmpEngineID in hex (it is authoritative for "
	    "informs; given, no blocking discovery is needed)" },
	{ "timeout", FW_CONF_DURATION, "5s", 100, 60000, NULL,
	    "wait this long for the acknowledgement, per try" },
	{ "retries", FW_CONF_INT, "2", 0, 10, NULL,
	    "tries more before the outbox backs off" },
	{ "heartbeat", FW_CONF_DURATION, "1m", 0, 86400000, NULL,
	    "send forewarnHeartbeat this often, for a dead man's switch in the "
	    "NMS (0: off)" },
	{ .name = NULL }
};

static void	reschedule(struct snmp_sink *ss);

static void
on_timer(void *arg)
{
	struct snmp_sink *ss = arg;

	ss->timer = 0;
	snmp_sess_timeout(ss->sess);	/* resends, or times requests out */
	reschedule(ss);
}

/* net-snmp says how long until its next retransmission or timeout. */
static void
reschedule(struct snmp_sink *ss)
{
	int64_t ms;

	if (ss->timer != 0) {
		loop_del_timer(ss->loop, ss->timer);
		ss->timer = 0;
	}
	if ((ms = snmplib_sess_wait_ms(ss->sess)) >= 0)
		ss->timer = loop_add_timer(ss->loop, ms, on_timer, ss);
}

static void
on_fd(int fd, uint32_t events, void *arg)
{
	struct snmp_sink *ss = arg;

	snmplib_sess_read(ss->sess, fd);
	reschedule(ss);
}

/*
 * Completions reach the outbox from the loop, not from inside net-snmp's
 * call stack: the outbox may hand over the next event at once.
 */
static void
flush_done(void *arg)
{
	struct snmp_sink *ss = arg;
	struct snmp_req *r, *list = NULL;

	ss->done_timer = 0;
	/* Oldest first: they were pushed in answer order. */
	while ((r = ss->done) != NULL) {
		ss->done = r->next;
		r->next = list;
		list = r;
	}
	while ((r = list) != NULL) {
		list = r->next;
		if (r->seq > 0)		/* 0: a heartbeat */
			outbox_done(ss->sink, r->seq, r->rc);
		free(r);
	}
}

/* The request of an answer, taken off the list; NULL: not ours (twice). */
static struct snmp_req *
take_req(struct snmp_sink *ss, uintptr_t id)
{
	struct snmp_req **pp, *r;

	for (pp = &ss->reqs; (r = *pp) != NULL; pp = &r->next)
		if (r->id == id) {
			*pp = r->next;
			return r;
		}
	return NULL;
}

/*
 * The magic is the request's number, looked up: net-snmp may answer a
 * request twice (a retransmission acknowledged twice, a REPORT it handles
 * itself), and the second must find nothing.
 */
static int
on_response(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *resp,
    void *magic)
{
	struct snmp_sink *ss = sp->callback_magic;
	struct snmp_req *r;
	int rc;

	/* Resends (after a timeout, or a REPORT that taught the engine
	 * time) are the library's own business: not an outcome. */
	if (op == NETSNMP_CALLBACK_OP_RESEND ||
	    op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	if (ss == NULL || ss->sink == NULL ||
	    (r = take_req(ss, (uintptr_t)magic)) == NULL)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && resp != NULL &&
	    resp->command == SNMP_MSG_RESPONSE &&
	    resp->errstat == SNMP_ERR_NOERROR)
		rc = 0;
	else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT)
		rc = -ETIMEDOUT;
	else if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
	    op == NETSNMP_CALLBACK_OP_SEC_ERROR)
		rc = -EPROTO;	/* a REPORT, or an error status */
	else
		rc = -ECONNREFUSED;	/* the send failed */
	if (rc < 0 && !ss->failing)
		log_warnx("sink %s: inform %s", ss->name, rc == -ETIMEDOUT ?
		    "not acknowledged (timed out)" : rc == -EPROTO ?
		    "refused (a USM report or an error status: check user, "
		    "passphrases and engine_id)" : "could not be sent (the "
		    "receiver is unreachable)");
	else if (rc == 0 && ss->failing)
		log_info("sink %s: informs acknowledged again", ss->name);
	ss->failing = rc < 0;
	r->rc = rc;
	r->next = ss->done;
	ss->done = r;
	if (ss->done_timer == 0)
		ss->done_timer = loop_add_timer(ss->loop, 0, flush_done, ss);
	return 1;
}

static int
add_string(netsnmp_pdu *pdu, enum fw_snmp_object obj, const char *s)
{
	oid name[MAX_OID_LEN];
	size_t n = OID_LENGTH(oid_objects);
	size_t len = strlen(s);

	memcpy(name, oid_objects, sizeof(oid_objects));
	name[n++] = (oid)obj;
	name[n++] = 0;
	if (len > 1024)
		len = 1024;	/* an NMS field, not the whole story */
	return snmp_pdu_add_variable(pdu, name, n, ASN_OCTET_STR,
	    (const u_char *)s, len) != NULL ? 0 : -ENOMEM;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Send pdu as request seq (0: not the outbox's); 0 or -errno. */
static int
send_pdu(struct snmp_sink *ss, netsnmp_pdu *pdu, int64_t seq)
{
	struct snmp_req *r = xcalloc(1, sizeof(*r));

	r->ss = ss;
	r->seq = seq;
	r->id = ++ss->next_id;
	if (snmp_sess_async_send(ss->sess, pdu, on_response,
	    (void *)r->id) == 0) {
		log_warnx("sink %s: inform not sent: %s", ss->name,
		    snmp_api_errstring(snmp_errno));
		snmp_free_pdu(pdu);
		free(r);
		return -EIO;
	}
	r->next = ss->reqs;
	ss->reqs = r;
	reschedule(ss);
	return 0;
}

static void
add_uptime(struct snmp_sink *ss, netsnmp_pdu *pdu, const oid *trap,
    size_t trap_len)
{
	u_long ticks = (u_long)((clock_wall_ms() - ss->start_ms) / 10);

	snmp_pdu_add_variable(pdu, oid_sysuptime, OID_LENGTH(oid_sysuptime),
	    ASN_TIMETICKS, (const u_char *)&ticks, sizeof(ticks));
	snmp_pdu_add_variable(pdu, oid_trapoid, OID_LENGTH(oid_trapoid),
	    ASN_OBJECT_ID, (const u_char *)trap, trap_len);
}

/*
 * forewarnHeartbeat: "the agent runs and its informs reach you", for an
 * NMS rule that alarms when it stops arriving.
 */
static void
heartbeat(void *arg)
{
	struct snmp_sink *ss = arg;
	netsnmp_pdu *pdu;
	char when[32];

	ss->heartbeat_timer = loop_add_timer(ss->loop, ss->heartbeat_ms,
	    heartbeat, ss);
	pdu = snmp_pdu_create(SNMP_MSG_INFORM);
	add_uptime(ss, pdu, oid_heartbeat, sizeof(oid_heartbeat));
	event_format_time(clock_wall_ms(), when);
	if (add_string(pdu, OBJ_HOST, ss->host) < 0 ||
	    add_string(pdu, OBJ_TIME, when) < 0) {
		snmp_free_pdu(pdu);
		return;
	}
	send_pdu(ss, pdu, 0);
}

static int
snmp_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct snmp_sink *ss = state;
	netsnmp_pdu *pdu;
	json_t *ev, *ent;
	int ok;

	if ((ev = json_loadb(json, len, 0, NULL)) == NULL)
		return -EINVAL;
	ent = json_object_get(ev, "entity");
	pdu = snmp_pdu_create(SNMP_MSG_INFORM);
	if (strcmp(jstr(ev, "state"), "ok") == 0)
		add_uptime(ss, pdu, oid_cleared, sizeof(oid_cleared));
	else
		add_uptime(ss, pdu, oid_raised, sizeof(oid_raised));
	ok = add_string(pdu, OBJ_HOST, jstr(ev, "host")) == 0 &&
	    add_string(pdu, OBJ_CHECK, jstr(ev, "check")) == 0 &&
	    add_string(pdu, OBJ_STATE, jstr(ev, "state")) == 0 &&
	    add_string(pdu, OBJ_PREVIOUS, jstr(ev, "previous")) == 0 &&
	    add_string(pdu, OBJ_SEVERITY, jstr(ev, "severity")) == 0 &&
	    add_string(pdu, OBJ_ENTITY_KIND, jstr(ent, "kind")) == 0 &&
	    add_string(pdu, OBJ_ENTITY_ID, jstr(ent, "id")) == 0 &&
	    add_string(pdu, OBJ_ENTITY_NAME, jstr(ent, "name")) == 0 &&
	    add_string(pdu, OBJ_SUMMARY, jstr(ev, "summary")) == 0 &&
	    add_string(pdu, OBJ_FINGERPRINT, jstr(ev, "fingerprint")) == 0 &&
	    add_string(pdu, OBJ_TIME, jstr(ev, "time")) == 0;
	json_decref(ev);
	if (!ok) {
		snmp_free_pdu(pdu);
		return -ENOMEM;
	}
	if ((ok = send_pdu(ss, pdu, seq)) < 0)
		return ok;
	return FW_SINK_PENDING;
}

/* v3: the USM user, and the receiver's engine id (authoritative for informs). */
static int
set_auth(struct snmp_sink *ss, netsnmp_session *s,
    const struct fw_conf_section *cs)
{
	const char *eid = conf_get_str(cs, snmp_keys, "engine_id");
	u_char *idbuf = NULL;
	size_t idlen = 0, idbuf_len = 0;
	char who[80];

	fw_snprintf(who, sizeof(who), "sink %s", ss->name);
	if (eid == NULL) {
		log_warnx("%s: version 3 needs engine_id", who);
		return -EINVAL;
	}
	if (strncmp(eid, "0x", 2) == 0)
		eid += 2;
	if (!snmp_hex_to_binary(&idbuf, &idbuf_len, &idlen, 1, eid) ||
	    idlen < 5 || idlen > 32) {
		free(idbuf);
		log_warnx("%s: engine_id is not 5 to 32 bytes of hex", who);
		return -EINVAL;
	}
	if (snmplib_usm_set(s, who, conf_get_str(cs, snmp_keys, "user"),
	    conf_get_str(cs, snmp_keys, "auth_protocol"),
	    conf_get_str(cs, snmp_keys, "auth_password_file"),
	    conf_get_str(cs, snmp_keys, "priv_protocol"),
	    conf_get_str(cs, snmp_keys, "priv_password_file")) < 0) {
		free(idbuf);
		return -EINVAL;
	}
	s->securityEngineID = idbuf;
	s->securityEngineIDLen = idlen;
	s->flags |= SNMP_FLAGS_DONT_PROBE;
	return 0;
}

static int
snmp_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct snmp_sink *ss = xcalloc(1, sizeof(*ss));
	char peer[300], comm[SNMPLIB_SECRET_MAX], who[80];
	const char *addr, *v, *cf;
	netsnmp_session s;
	netsnmp_transport *t;
	int rc;

	*ret_state = ss;
	ss->fd = -1;
	ss->loop = env->loop;
	ss->sink = env->sink;
	ss->start_ms = clock_wall_ms();
	fw_strlcpy(ss->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "snmp", sizeof(ss->name));
	addr = conf_get_str(cs, snmp_keys, "address");
	if (addr == NULL || addr[0] == '\0') {
		log_warnx("sink %s: no address", ss->name);
		return -EINVAL;
	}
	/* Plain host or host:port; net-snmp's own transports otherwise. */
	fw_snprintf(peer, sizeof(peer), "%s%s%s", strchr(addr, ':') == NULL ?
	    "udp:" : "", addr, strchr(addr, ':') == NULL ? ":162" : "");
	snmplib_init(env->state_dir);
	snmp_sess_init(&s);
	s.peername = peer;
	s.timeout = (long)conf_get_duration_ms(cs, snmp_keys, "timeout") * 1000;
	s.retries = (int)conf_get_int(cs, snmp_keys, "retries");
	v = conf_get_str(cs, snmp_keys, "version");
	if (strcmp(v, "3") == 0) {
		if ((rc = set_auth(ss, &s, cs)) < 0)
			return rc;
	} else {
		s.version = SNMP_VERSION_2c;
		if ((cf = conf_get_str(cs, snmp_keys, "community_file")) !=
		    NULL) {
			fw_snprintf(who, sizeof(who), "sink %s", ss->name);
			if (snmplib_read_secret(who, cf, comm,
			    sizeof(comm)) < 0)
				return -EINVAL;
		} else if ((v = conf_get_str(cs, snmp_keys, "community")) !=
		    NULL) {
			fw_strlcpy(comm, v, sizeof(comm));
		} else {
			log_warnx("sink %s: version 2c needs community or "
			    "community_file", ss->name);
			return -EINVAL;
		}
		s.community = (u_char *)comm;
		s.community_len = strlen(comm);
	}
	s.callback_magic = ss;
	ss->sess = snmp_sess_open(&s);
	explicit_bzero(comm, sizeof(comm));
	if (s.version == SNMP_VERSION_3)
		snmplib_usm_clear(&s);
	if (ss->sess == NULL) {
		log_warnx("sink %s: %s: %s", ss->name, addr,
		    snmp_api_errstring(snmp_errno));
		return -EINVAL;
	}
	/*
	 * net-snmp clears "do not probe" once a session is open and would
	 * then probe for the engine id inside a send, synchronously: the
	 * whole loop waiting for a receiver that is down.  The engine id is
	 * configured; no probe is needed.
	 */
	snmp_sess_session(ss->sess)->flags |= SNMP_FLAGS_DONT_PROBE;
	if ((t = snmp_sess_transport(ss->sess)) == NULL ||
	    loop_add_fd(ss->loop, t->sock, EPOLLIN, on_fd, ss) < 0)
		return -EIO;
	ss->fd = t->sock;
	fw_strlcpy(ss->host, env->host != NULL ? env->host : "",
	    sizeof(ss->host));
	ss->heartbeat_ms = (int64_t)conf_get_duration_ms(cs, snmp_keys,
	    "heartbeat");
	if (ss->heartbeat_ms > 0)
		ss->heartbeat_timer = loop_add_timer(ss->loop,
		    ss->heartbeat_ms, heartbeat, ss);
	return 0;
}

static void
snmp_teardown(void *state)
{
	struct snmp_sink *ss = state;
	struct snmp_req *r;

	if (ss == NULL)
		return;
	if (ss->timer != 0)
		loop_del_timer(ss->loop, ss->timer);
	if (ss->fd >= 0)
		loop_del_fd(ss->loop, ss->fd);
	if (ss->done_timer != 0)
		loop_del_timer(ss->loop, ss->done_timer);
	if (ss->heartbeat_timer != 0)
		loop_del_timer(ss->loop, ss->heartbeat_timer);
	ss->sink = NULL;	/* no completion reaches the outbox now */
	if (ss->sess != NULL)
		snmp_sess_close(ss->sess);
	while ((r = ss->reqs) != NULL) {
		ss->reqs = r->next;
		free(r);
	}
	while ((r = ss->done) != NULL) {
		ss->done = r->next;
		free(r);
	}
	free(ss);
}

const struct fw_sink_type snmp_sink_type = {
	.type = "snmp",
	.keys = snmp_keys,
	.init = snmp_init,
	.deliver = snmp_deliver,
	.teardown = snmp_teardown,
};
