/*
 * The syslog sink: RFC 5424 messages with forewarn's structured data, as
 * datagrams to a local socket (/dev/log) or over TCP with octet-counting
 * framing (RFC 6587 §3.4.1), connecting and writing from the event loop.
 */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/sinkfmt.h"
#include "forewarn/util.h"

/* The SD-ID: 32473 is the example enterprise number of RFC 5612. */
#define SYSLOG_SD_ID	"forewarn@32473"

enum sl_state { SL_DOWN, SL_CONNECTING, SL_UP };

struct sl_sink {
	char			 name[64];
	struct fw_loop		*loop;
	struct fw_sink		*sink;
	int			 facility;
	int64_t			 timeout_ms;
	bool			 tcp;
	struct sockaddr_un	 addr;		/* the local socket */
	socklen_t		 addr_len;
	char			*host, *port, *url;
	struct sockaddr_storage	 raddr;		/* host:port, resolved once */
	socklen_t		 raddr_len;
	int			 rfamily;
	int			 fd;
	enum sl_state		 state;
	/* The frame in writing, for event out_seq (0: none). */
	char			*out;
	size_t			 out_len, out_off;
	int64_t			 out_seq;
	fw_timer_id		 timer;		/* connect or write */
	int			 last_rc;	/* to log changes only */
};

static const char *const sl_facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7", NULL
};

static const struct fw_conf_key sl_keys[] = {
	{ "url", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "a remote collector, tcp://HOST:PORT; unset: the local socket" },
	{ "socket", FW_CONF_PATH, "/dev/log", 0, 0, NULL,
	    "the local syslog socket, a unix datagram socket (not under "
	    "--root)" },
	{ "facility", FW_CONF_ENUM, "daemon", 0, 0, sl_facilities,
	    "the syslog facility" },
	{ "timeout", FW_CONF_DURATION, "10s", 100, 300000, NULL,
	    "connecting, and a message the collector does not take" },
	{ .name = NULL }
};

/* ---- RFC 5424 ---- */

void
syslog_put_param_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* A header field: PRINTUSASCII only, at most max, "-" when empty. */
static void
put_header_field(FILE *f, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0' && n < max; s++, n++)
		fputc(*s > 32 && *s < 127 ? *s : '_', f);
	if (n == 0)
		fputc('-', f);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* An RFC 3339 time as events carry it, or "-" (NILVALUE). */
static const char *
timestamp(const char *t)
{
	size_t n = strlen(t);

	return n >= 20 && n <= 32 && t[4] == '-' && t[10] == 'T' &&
	    strspn(t, "0123456789-T:.Z+") == n ? t : "-";
}

static void
put_param(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	syslog_put_param_value(f, value);
	fputc('"', f);
}

char *
syslog_format_event(const char *json, size_t len, int facility, long pid,
    size_t *ret_len)
{
	json_t *ev, *ent;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if ((ev = json_loadb(json, len, 0, NULL)) == NULL)
		return NULL;
	ent = json_object_get(ev, "entity");
	if (!json_is_object(ev) || jstr(ev, "check")[0] == '\0' ||
	    jstr(ev, "state")[0] == '\0' || (f = open_memstream(&buf,
	    &n)) == NULL) {
		json_decref(ev);
		return NULL;
	}
	/* PRIORITY as in the journal: critical, warning, informational. */
	fprintf(f, "<%d>1 %s ", facility * 8 +
	    journal_priority(jstr(ev, "state")), timestamp(jstr(ev, "time")));
	put_header_field(f, jstr(ev, "host"), 255);
	fprintf(f, " forewarnd %ld ", pid);
	put_header_field(f, jstr(ev, "check"), 32);
	fputs(" [" SYSLOG_SD_ID, f);
	put_param(f, "check", jstr(ev, "check"));
	put_param(f, "state", jstr(ev, "state"));
	put_param(f, "previous", jstr(ev, "previous"));
	put_param(f, "severity", jstr(ev, "severity"));
	put_param(f, "entity_kind", jstr(ent, "kind"));
	put_param(f, "entity_id", jstr(ent, "id"));
	put_param(f, "entity_name", jstr(ent, "name"));
	put_param(f, "fingerprint", jstr(ev, "fingerprint"));
	/* MSG is UTF-8 (events always are), so it starts with the BOM. */
	fputs("] \xef\xbb\xbf", f);
	fputs(jstr(ev, "summary"), f);
	json_decref(ev);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*ret_len = n;
	return buf;
}

/* ---- the connection ---- */

static void	sl_on_fd(int fd, uint32_t events, void *arg);

static void
sl_close(struct sl_sink *sl)
{
	if (sl->fd >= 0) {
		if (sl->tcp)
			loop_del_fd(sl->loop, sl->fd);
		close(sl->fd);
	}
	sl->fd = -1;
	sl->state = SL_DOWN;
}

/* Log the first failure and the recovery, not every retry. */
static void
sl_note(struct sl_sink *sl, int rc, const char *what)
{
	if (rc < 0 && sl->last_rc >= 0)
		log_warnx("sink '%s': %s: %s: %s", sl->name, sl->url, what,
		    strerror(-rc));
	else if (rc == 0 && sl->last_rc < 0)
		log_info("sink '%s': %s takes messages again", sl->name,
		    sl->url);
	sl->last_rc = rc;
}

/* The frame in flight is done: tell the outbox. */
static void
sl_finish(struct sl_sink *sl, int rc)
{
	int64_t seq = sl->out_seq;

	free(sl->out);
	sl->out = NULL;
	sl->out_len = sl->out_off = 0;
	sl->out_seq = 0;
	if (sl->timer != 0)
		loop_del_timer(sl->loop, sl->timer);
	sl->timer = 0;
	if (sl->state == SL_UP)
		loop_mod_fd(sl->loop, sl->fd, EPOLLIN);
	if (seq != 0)
		outbox_done(sl->sink, seq, rc);
}

static void
sl_fail(struct sl_sink *sl, int rc, const char *what)
{
	sl_note(sl, rc, what);
	sl_close(sl);
	sl_finish(sl, rc);
}

/* The collector closed the connection (or it broke). */
static void
sl_lost(struct sl_sink *sl)
{
	if (sl->last_rc >= 0)
		log_warnx("sink '%s': %s closed the connection", sl->name,
		    sl->url);
	sl->last_rc = -ECONNRESET;
	sl_close(sl);
}

static void
sl_timeout(void *arg)
{
	struct sl_sink *sl = arg;

	sl->timer = 0;
	sl_fail(sl, -ETIMEDOUT, sl->state == SL_CONNECTING ? "connect" :
	    "write");
}

/* Write what the socket takes: 0 when the frame is out, or -errno. */
static int
sl_flush(struct sl_sink *sl)
{
	ssize_t n;

	while (sl->out_off < sl->out_len) {
		n = send(sl->fd, sl->out + sl->out_off, sl->out_len -
		    sl->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		sl->out_off += (size_t)n;
	}
	return 0;
}

/* Write on; when the socket is full, wait for EPOLLOUT.  As deliver(). */
static int
sl_write(struct sl_sink *sl)
{
	int rc = sl_flush(sl);

	if (rc == -EAGAIN) {
		loop_mod_fd(sl->loop, sl->fd, EPOLLIN | EPOLLOUT);
		if (sl->timer == 0)
			sl->timer = loop_add_timer(sl->loop, sl->timeout_ms,
			    sl_timeout, sl);
		return FW_SINK_PENDING;
	}
	if (rc < 0) {
		sl_note(sl, rc, "write");
		sl_close(sl);
		return rc;
	}
	sl_note(sl, 0, NULL);
	return 0;
}

/* Start connecting; 0 (connected or under way) or -errno. */
static int
sl_connect(struct sl_sink *sl)
{
	int rc;

	sl->fd = socket(sl->rfamily, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (sl->fd < 0)
		return -errno;
	rc = connect(sl->fd, (struct sockaddr *)&sl->raddr, sl->raddr_len) ==
	    0 ? 0 : errno == EINPROGRESS ? 1 : -errno;
	sl->state = rc == 0 ? SL_UP : SL_CONNECTING;
	if (rc < 0 || (rc = loop_add_fd(sl->loop, sl->fd, sl->state == SL_UP ?
	    EPOLLIN : EPOLLOUT, sl_on_fd, sl)) < 0) {
		sl_note(sl, rc, "connect");
		close(sl->fd);
		sl->fd = -1;
		sl->state = SL_DOWN;
		return rc;
	}
	if (sl->state == SL_CONNECTING)
		sl->timer = loop_add_timer(sl->loop, sl->timeout_ms,
		    sl_timeout, sl);
	return 0;
}

static void
sl_connected(struct sl_sink *sl)
{
	int err = 0, rc;
	socklen_t elen = sizeof(err);

	if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err != 0) {
		sl_fail(sl, -err, "connect");
		return;
	}
	loop_del_timer(sl->loop, sl->timer);
	sl->timer = 0;
	sl->state = SL_UP;
	log_debug("sink '%s': connected to %s", sl->name, sl->url);
	loop_mod_fd(sl->loop, sl->fd, EPOLLIN);
	if (sl->out == NULL)
		return;
	if ((rc = sl_write(sl)) != FW_SINK_PENDING)
		sl_finish(sl, rc);
}

/*
 * The collector sends nothing; readable means it closed the connection.
 * Seeing that before the next write keeps that write from vanishing into
 * a dead connection.
 */
static bool
sl_peer_gone(struct sl_sink *sl, uint32_t events)
{
	char buf[256];
	ssize_t n;

	if (events & (EPOLLERR | EPOLLHUP))
		return true;
	if (!(events & EPOLLIN))
		return false;
	for (;;) {
		n = recv(sl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 || errno != EWOULDBLOCK;
	}
}

static void
sl_on_fd(int fd, uint32_t events, void *arg)
{
	struct sl_sink *sl = arg;
	int rc;

	if (sl->state == SL_CONNECTING) {
		sl_connected(sl);
		return;
	}
	if (sl_peer_gone(sl, events)) {
		sl_lost(sl);
		sl_finish(sl, -ECONNRESET);
		return;
	}
	if ((events & EPOLLOUT) && sl->out != NULL &&
	    (rc = sl_write(sl)) != FW_SINK_PENDING)
		sl_finish(sl, rc);
}

/* ---- the sink ---- */

static int
parse_url(struct sl_sink *sl, const char *url)
{
	const char *hp = url + 6, *colon;
	struct addrinfo hints, *res = NULL;
	int rc;

	if (strncmp(url, "tcp://", 6) != 0) {
		log_warnx("sink '%s': url '%s' is not tcp://HOST:PORT (TLS "
		    "is not supported)", sl->name, url);
		return -EINVAL;
	}
	if (*hp == '[') {
		colon = strchr(hp, ']');
		if (colon == NULL || colon[1] != ':')
			goto bad;
		sl->host = xasprintf("%.*s", (int)(colon - hp - 1), hp + 1);
		colon++;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL || colon == hp)
			goto bad;
		sl->host = xasprintf("%.*s", (int)(colon - hp), hp);
	}
	sl->port = xstrdup(colon + 1);
	if (sl->port[0] == '\0' || strspn(sl->port, "0123456789") !=
	    strlen(sl->port) || strchr(sl->port, '/') != NULL)
		goto bad;
	/*
	 * A name is resolved here, once, when the sink starts (start-up or
	 * reload): a lookup at every reconnection would block the loop.
	 */
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(sl->host, sl->port, &hints, &res)) != 0) {
		log_warnx("sink '%s': %s: %s", sl->name, sl->host,
		    gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	memcpy(&sl->raddr, res->ai_addr, res->ai_addrlen);
	sl->raddr_len = res->ai_addrlen;
	sl->rfamily = res->ai_family;
	freeaddrinfo(res);
	return 0;
bad:
	log_warnx("sink '%s': url '%s' is not tcp://HOST:PORT", sl->name, url);
	return -EINVAL;
}

static int
sl_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct sl_sink *sl = xcalloc(1, sizeof(*sl));
	const char *url = conf_get_str(cs, sl_keys, "url");
	const char *path = conf_get_str(cs, sl_keys, "socket");
	const char *fac = conf_get_str(cs, sl_keys, "facility");
	unsigned alen;
	size_t i;
	int rc;

	*ret_state = sl;
	sl->fd = -1;
	sl->loop = env->loop;
	sl->sink = env->sink;
	fw_strlcpy(sl->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "syslog", sizeof(sl->name));
	sl->timeout_ms = (int64_t)conf_get_duration_ms(cs, sl_keys, "timeout");
	for (i = 0; sl_facilities[i] != NULL; i++)
		if (strcmp(sl_facilities[i], fac) == 0)
			sl->facility = (int)i;
	if (url != NULL && url[0] != '\0') {
		sl->tcp = true;
		sl->url = xstrdup(url);
		return parse_url(sl, url);
	}
	sl->url = xstrdup(path);
	if ((sl->fd = fw_unix_dgram(path, &sl->addr, &alen)) < 0) {
		rc = sl->fd;
		sl->fd = -1;
		log_warnx("sink '%s': socket %s: %s", sl->name, path,
		    rc == -ENAMETOOLONG ? "path too long" : strerror(-rc));
		return rc == -ENAMETOOLONG ? -EINVAL : rc;
	}
	sl->addr_len = (socklen_t)alen;
	return 0;
}

static int
sl_send_local(struct sl_sink *sl, const char *msg, size_t len)
{
	ssize_t n;
	int rc;

	do
		n = sendto(sl->fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)
		    &sl->addr, sl->addr_len);
	while (n < 0 && errno == EINTR);
	rc = n >= 0 ? 0 : errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (rc == -EMSGSIZE) {
		/* It will never fit: say so and skip it. */
		log_warnx("sink '%s': a %zu-byte message is too large for %s",
		    sl->name, len, sl->url);
		return -EINVAL;
	}
	sl_note(sl, rc, "send");
	return rc;
}

static int
sl_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct sl_sink *sl = state;
	size_t n;
	char *msg;
	int rc;

	msg = syslog_format_event(json, len, sl->facility, (long)getpid(), &n);
	if (msg == NULL) {
		log_warnx("sink '%s': event %lld is not an event record",
		    sl->name, (long long)seq);
		return -EINVAL;
	}
	if (!sl->tcp) {
		rc = sl_send_local(sl, msg, n);
		free(msg);
		return rc;
	}
	/* Octet counting: the length, a space, the message (newlines too). */
	free(sl->out);
	sl->out = xasprintf("%zu %s", n, msg);
	sl->out_len = strlen(sl->out);
	sl->out_off = 0;
	sl->out_seq = 0;
	free(msg);
	/* A close not yet seen by the loop: reconnect rather than lose it. */
	if (sl->state == SL_UP && sl_peer_gone(sl, EPOLLIN))
		sl_lost(sl);
	if (sl->state == SL_DOWN && (rc = sl_connect(sl)) < 0) {
		free(sl->out);
		sl->out = NULL;
		return rc;
	}
	if (sl->state == SL_UP && (rc = sl_write(sl)) != FW_SINK_PENDING) {
		free(sl->out);
		sl->out = NULL;
		return rc;
	}
	sl->out_seq = seq;
	return FW_SINK_PENDING;
}

static void
sl_teardown(void *state)
{
	struct sl_sink *sl = state;

	if (sl == NULL)
		return;
	if (sl->timer != 0)
		loop_del_timer(sl->loop, sl->timer);
	sl_close(sl);
	free(sl->out);
	free(sl->host);
	free(sl->port);
	free(sl->url);
	free(sl);
}

const struct fw_sink_type syslog_sink_type = {
	.type = "syslog",
	.keys = sl_keys,
	.init = sl_init,
	.deliver = sl_deliver,
	.teardown = sl_teardown,
};
