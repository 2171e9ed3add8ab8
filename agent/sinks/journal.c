/*
 * The journal sink: journald's native protocol without libsystemd — one
 * datagram of fields per event, or a sealed memfd passed with SCM_RIGHTS
 * when the datagram is too large for the socket, as sd_journal_send does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "forewarn/log.h"
#include "forewarn/sink.h"
#include "forewarn/sinkfmt.h"
#include "forewarn/util.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

struct journal_sink {
	char			 name[64];
	struct sockaddr_un	 addr;
	socklen_t		 addr_len;
	int			 fd;
	int			 last_rc;	/* to log changes only */
};

static const struct fw_conf_key journal_keys[] = {
	{ "socket", FW_CONF_PATH, JOURNAL_SOCKET, 0, 0, NULL,
	    "journald's native socket (not under --root)" },
	{ .name = NULL }
};

void
journal_message_id(const char *check, char ret[FW_MESSAGE_ID_LEN + 1])
{
	static const char pfx[] = "forewarn/";
	uint64_t h[2];
	uint8_t b[16];
	size_t i;

	h[0] = fw_fnv64(FW_FNV64_SEED, pfx, sizeof(pfx) - 1);
	h[0] = fw_fnv64(h[0], check, strlen(check));
	h[1] = fw_fnv64(h[0], pfx, sizeof(pfx) - 1);
	h[1] = fw_fnv64(h[1], check, strlen(check));
	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t)(h[0] >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(h[1] >> (56 - 8 * i));
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x80);	/* version 8 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* variant 10 */
	for (i = 0; i < 16; i++)
		snprintf(ret + 2 * i, 3, "%02x", b[i]);
}

/* Whether the value must go in the length-prefixed form. */
static bool
needs_binary(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return true;
	return false;
}

void
journal_put_field(FILE *f, const char *name, const char *value, size_t len)
{
	uint8_t le[8];
	uint64_t n = len;
	size_t i;

	fputs(name, f);
	if (!needs_binary(value, len)) {
		fputc('=', f);
		fwrite(value, 1, len, f);
		fputc('\n', f);
		return;
	}
	for (i = 0; i < 8; i++)
		le[i] = (uint8_t)(n >> (8 * i));
	fputc('\n', f);
	fwrite(le, 1, sizeof(le), f);
	fwrite(value, 1, len, f);
	fputc('\n', f);
}

int
journal_priority(const char *state)
{
	if (strcmp(state, "critical") == 0)
		return 2;
	if (strcmp(state, "warning") == 0 || strcmp(state, "unknown") == 0)
		return 4;
	return 6;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
put_str(FILE *f, const char *name, const char *value)
{
	journal_put_field(f, name, value, strlen(value));
}

char *
journal_format_event(const char *json, size_t len, size_t *ret_len)
{
	char id[FW_MESSAGE_ID_LEN + 1], prio[2], *buf = NULL;
	json_t *ev, *ent;
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
	journal_message_id(jstr(ev, "check"), id);
	prio[0] = (char)('0' + journal_priority(jstr(ev, "state")));
	prio[1] = '\0';
	put_str(f, "MESSAGE", jstr(ev, "summary"));
	put_str(f, "MESSAGE_ID", id);
	put_str(f, "PRIORITY", prio);
	put_str(f, "SYSLOG_IDENTIFIER", "forewarnd");
	put_str(f, "FOREWARN_CHECK", jstr(ev, "check"));
	put_str(f, "FOREWARN_STATE", jstr(ev, "state"));
	put_str(f, "FOREWARN_PREVIOUS", jstr(ev, "previous"));
	put_str(f, "FOREWARN_SEVERITY", jstr(ev, "severity"));
	put_str(f, "FOREWARN_HOST", jstr(ev, "host"));
	put_str(f, "FOREWARN_ENTITY_KIND", jstr(ent, "kind"));
	put_str(f, "FOREWARN_ENTITY_ID", jstr(ent, "id"));
	put_str(f, "FOREWARN_ENTITY_NAME", jstr(ent, "name"));
	put_str(f, "FOREWARN_FINGERPRINT", jstr(ev, "fingerprint"));
	journal_put_field(f, "FOREWARN_EVENT", json, len);
	json_decref(ev);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*ret_len = n;
	return buf;
}

static int
journal_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct journal_sink *js = xcalloc(1, sizeof(*js));
	const char *path = conf_get_str(cs, journal_keys, "socket");
	unsigned alen;
	int rc;

	*ret_state = js;
	js->fd = -1;
	fw_strlcpy(js->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "journal", sizeof(js->name));
	if ((js->fd = fw_unix_dgram(path, &js->addr, &alen)) < 0) {
		rc = js->fd;
		js->fd = -1;
		log_warnx("sink '%s': socket %s: %s", js->name, path,
		    rc == -ENAMETOOLONG ? "path too long" : strerror(-rc));
		return rc == -ENAMETOOLONG ? -EINVAL : rc;
	}
	js->addr_len = (socklen_t)alen;
	return 0;
}

static int
send_datagram(struct journal_sink *js, const char *buf, size_t len, int fd)
{
	struct iovec iov = { (void *)buf, len };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &js->addr;
	msg.msg_namelen = js->addr_len;
	if (fd < 0) {
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
	} else {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		if (sendmsg(js->fd, &msg, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * Too large for a datagram: the fields in a sealed memfd, its fd passed
 * with an empty datagram.  journald takes only sealed memfds.
 */
static int
send_memfd(struct journal_sink *js, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd, rc;

	fd = memfd_create("forewarn-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		rc = -errno;
		goto out;
	}
	rc = send_datagram(js, NULL, 0, fd);
out:
	close(fd);
	return rc;
}

static int
journal_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct journal_sink *js = state;
	size_t n;
	char *buf;
	int rc;

	if ((buf = journal_format_event(json, len, &n)) == NULL) {
		log_warnx("sink '%s': event %lld is not an event record",
		    js->name, (long long)seq);
		return -EINVAL;
	}
	rc = send_datagram(js, buf, n, -1);
	if (rc == -EMSGSIZE || rc == -ENOBUFS) {
		log_debug("sink '%s': event %lld (%zu bytes) through a memfd",
		    js->name, (long long)seq, n);
		rc = send_memfd(js, buf, n);
	}
	free(buf);
	if (rc == -EWOULDBLOCK)
		rc = -EAGAIN;	/* journald is behind: retry later */
	if (rc == 0 && js->last_rc != 0)
		log_info("sink '%s': journald takes events again", js->name);
	else if (rc < 0 && rc != js->last_rc)
		log_warnx("sink '%s': %s: %s", js->name, js->addr.sun_path,
		    strerror(-rc));
	js->last_rc = rc;
	/* Every failure here is the socket's, not the event's: retry. */
	return rc == -EINVAL ? -EIO : rc;
}

static void
journal_teardown(void *state)
{
	struct journal_sink *js = state;

	if (js == NULL)
		return;
	if (js->fd >= 0)
		close(js->fd);
	free(js);
}

const struct fw_sink_type journal_sink_type = {
	.type = "journal",
	.keys = journal_keys,
	.init = journal_init,
	.deliver = journal_deliver,
	.teardown = journal_teardown,
};
