/* The stdout sink: one event per line, never blocking the loop on a stuck reader. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forewarn/sink.h"
#include "forewarn/util.h"

struct stdout_sink {
	int	 fd;
	char	*rest;		/* the unwritten tail of a line */
	size_t	 rest_len;
	size_t	 rest_off;
	int64_t	 rest_seq;
};

static int
stdout_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct stdout_sink *st = xcalloc(1, sizeof(*st));

	st->fd = STDOUT_FILENO;
	*ret_state = st;
	return 0;
}

/*
 * Write what the fd takes now; 0 when all is out, -EAGAIN when not.  stdout
 * is shared with whoever started us, so it stays a blocking fd; instead each
 * write is at most PIPE_BUF bytes after POLLOUT, which a pipe (or tty) with
 * room takes without blocking.
 */
static int
flush_rest(struct stdout_sink *st)
{
	struct pollfd pfd = { st->fd, POLLOUT, 0 };
	size_t chunk;
	ssize_t n;

	while (st->rest_off < st->rest_len) {
		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT))
			return (pfd.revents & (POLLERR | POLLHUP)) ? -EPIPE :
			    -EAGAIN;
		chunk = st->rest_len - st->rest_off;
		if (chunk > PIPE_BUF)
			chunk = PIPE_BUF;
		n = write(st->fd, st->rest + st->rest_off, chunk);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		st->rest_off += (size_t)n;
	}
	free(st->rest);
	st->rest = NULL;
	st->rest_len = st->rest_off = 0;
	return 0;
}

static int
stdout_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct stdout_sink *st = state;
	int rc;

	/* Finish a line started earlier first: lines never interleave. */
	if (st->rest != NULL && st->rest_seq != seq) {
		rc = flush_rest(st);
		if (rc < 0)
			return rc;
	}
	if (st->rest == NULL) {
		st->rest = xmalloc(len + 1);
		memcpy(st->rest, json, len);
		st->rest[len] = '\n';
		st->rest_len = len + 1;
		st->rest_off = 0;
		st->rest_seq = seq;
	}
	return flush_rest(st);
}

static void
stdout_teardown(void *state)
{
	struct stdout_sink *st = state;

	if (st == NULL)
		return;
	free(st->rest);
	free(st);
}

static const struct fw_conf_key stdout_keys[] = { { .name = NULL } };

const struct fw_sink_type stdout_sink_type = {
	.type = "stdout",
	.keys = stdout_keys,
	.init = stdout_init,
	.deliver = stdout_deliver,
	.teardown = stdout_teardown,
};
