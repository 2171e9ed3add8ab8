/*
 * The syslog sink's TCP path behind a real outbox and event loop, against
 * a listener on loopback: octet-counted frames, a large message written in
 * parts as the socket takes them, a collector that closes, one that is
 * gone, a connect that never completes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/conf.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/registry.h"
#include "forewarn/sinkfmt.h"
#include "forewarn/store.h"
#include "testutil.h"

struct fixture {
	struct fw_loop			*loop;
	struct fw_store			*store;
	struct fw_outbox		*ob;
	struct fw_conf_entry		 e[2];
	struct fw_conf_section		 cs;
	int				 lfd;
	char				 url[64];
	char				 dir[4096];
};

static int
listener(int *ret_port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*ret_port = ntohs(sin.sin_port);
	return fd;
}

/* The sink behind a real outbox on a store of its own. */
static void
sink_start(struct fixture *fx, const char *url, const char *timeout)
{
	const struct fw_sink_type *type = registry_sink("syslog");

	assert_non_null(type);
	outbox_free(fx->ob);
	fx->e[0].key = "url";
	fx->e[0].value = (char *)url;
	fx->e[1].key = "timeout";
	fx->e[1].value = (char *)timeout;
	fx->cs.name = "sink:t";
	fx->cs.kind = "sink";
	fx->cs.instance = "t";
	fx->cs.entries = fx->e;
	fx->cs.n_entries = 2;
	fx->ob = outbox_new(fx->loop, fx->store);
	assert_int_equal(outbox_add_sink(fx->ob, "t", type, &fx->cs, "h"), 0);
}

static int
setup(void **arg)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	int port;

	fake_clock_reset();
	snprintf(fx->dir, sizeof(fx->dir), "%s/XXXXXX", test_tmpdir());
	assert_non_null(mkdtemp(fx->dir));
	fx->loop = loop_new();
	fx->store = store_open(fx->dir, false);
	assert_non_null(fx->store);
	fx->lfd = listener(&port);
	snprintf(fx->url, sizeof(fx->url), "tcp://127.0.0.1:%d", port);
	sink_start(fx, fx->url, "2s");
	*arg = fx;
	return 0;
}

static int
teardown(void **arg)
{
	struct fixture *fx = *arg;

	outbox_free(fx->ob);
	store_close(fx->store);
	if (fx->lfd >= 0)
		close(fx->lfd);
	loop_free(fx->loop);
	free(fx);
	return 0;
}

static struct fw_sink_stats
stats(struct fixture *fx)
{
	struct fw_sink_stats st;

	memset(&st, 0, sizeof(st));
	outbox_stats(fx->ob, &st, 1);
	return st;
}

/* Deliveries that ended so far, either way. */
static uint64_t
outcomes(struct fixture *fx)
{
	struct fw_sink_stats st = stats(fx);

	return st.delivered + st.retried + st.rejected;
}

/* Run the loop until the outbox has heard n outcomes (or give up). */
static void
run_until(struct fixture *fx, uint64_t n)
{
	int i;

	for (i = 0; i < 300 && outcomes(fx) < n; i++)
		loop_run_once(fx->loop, 20);
	assert_int_equal(outcomes(fx), n);
}

static char *
event(const char *summary)
{
	size_t n = strlen(summary) + 256;
	char *s = malloc(n);

	snprintf(s, n, "{\"time\":\"2026-11-24T00:30:43.183Z\",\"host\":\"h\","
	    "\"entity\":{\"kind\":\"host\",\"id\":\"i\",\"name\":\"n\"},"
	    "\"check\":\"host.memory\",\"state\":\"warning\","
	    "\"summary\":\"%s\",\"fingerprint\":\"00\"}", summary);
	return s;
}

static void
append(struct fixture *fx, const char *ev)
{
	assert_int_equal(outbox_append(fx->ob, 1, "00", ev, strlen(ev)), 0);
}

/* Read one octet-counted frame from fd; malloc'ed message. */
static char *
read_frame(int fd, size_t *ret_len)
{
	char c, *msg;
	size_t len = 0, off = 0;
	ssize_t n;

	for (;;) {
		assert_int_equal(read(fd, &c, 1), 1);
		if (c == ' ')
			break;
		assert_true(c >= '0' && c <= '9');
		len = len * 10 + (size_t)(c - '0');
	}
	msg = malloc(len + 1);
	while (off < len) {
		n = read(fd, msg + off, len - off);
		assert_true(n > 0);
		off += (size_t)n;
	}
	msg[len] = '\0';
	*ret_len = len;
	return msg;
}

static void
test_frames(void **arg)
{
	struct fixture *fx = *arg;
	char *ev = event("two\\nlines"), *msg, *want;
	size_t n, wn;
	int cfd;

	append(fx, ev);
	run_until(fx, 1);
	assert_int_equal(stats(fx).delivered, 1);
	cfd = accept(fx->lfd, NULL, NULL);
	assert_true(cfd >= 0);
	msg = read_frame(cfd, &n);
	want = syslog_format_event(ev, strlen(ev), 3, (long)getpid(), &wn);
	assert_int_equal(n, wn);
	assert_memory_equal(msg, want, n);
	assert_non_null(strstr(msg, "two\nlines"));
	free(msg);
	free(want);

	/* The collector goes away; the sink notices and connects again. */
	close(cfd);
	loop_run_once(fx->loop, 50);
	append(fx, ev);
	run_until(fx, 2);
	assert_int_equal(stats(fx).delivered, 2);
	cfd = accept(fx->lfd, NULL, NULL);
	assert_true(cfd >= 0);
	msg = read_frame(cfd, &n);
	assert_non_null(strstr(msg, "host.memory"));
	free(msg);
	close(cfd);
	free(ev);
}

static void
test_partial_writes(void **arg)
{
	struct fixture *fx = *arg;
	size_t big = 8 << 20, n;
	char *summary = malloc(big + 1), *ev, *msg;
	int cfd, i, status;
	pid_t child;

	memset(summary, 'x', big);
	summary[big] = '\0';
	ev = event(summary);
	free(summary);
	append(fx, ev);
	cfd = accept(fx->lfd, NULL, NULL);
	assert_true(cfd >= 0);
	/* 8 MiB do not fit the socket buffers: nobody reads, still pending. */
	for (i = 0; i < 20; i++)
		loop_run_once(fx->loop, 5);
	assert_int_equal(outcomes(fx), 0);
	/* Reading here blocks until the loop writes on: one thread, so the
	 * frame is read in a child. */
	if ((child = fork()) == 0) {
		msg = read_frame(cfd, &n);
		i = n > big && msg[n - 1] == 'x' ? 0 : 1;
		free(msg);
		_exit(i);
	}
	assert_true(child > 0);
	close(cfd);
	run_until(fx, 1);
	assert_int_equal(stats(fx).delivered, 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(ev);
}

static void
test_collector_gone(void **arg)
{
	struct fixture *fx = *arg;
	char *ev = event("s");

	close(fx->lfd);
	fx->lfd = -1;
	append(fx, ev);
	run_until(fx, 1);
	assert_int_equal(stats(fx).retried, 1);
	assert_int_equal(stats(fx).last_error, -ECONNREFUSED);
	free(ev);
}

/* A client socket connecting to url's port, left unaccepted. */
static int
fill_backlog(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	return fd;
}

static void
test_connect_timeout(void **arg)
{
	struct fixture *fx = *arg;
	char *ev = event("s"), url[64];
	int lfd, port, c[3], i;

	/*
	 * A listener whose accept queue is full drops further SYNs: a
	 * connect to it neither completes nor fails until the timeout.
	 */
	lfd = listener(&port);
	listen(lfd, 0);
	for (i = 0; i < 3; i++)
		c[i] = fill_backlog(port);
	usleep(100000);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	sink_start(fx, url, "1s");
	append(fx, ev);
	for (i = 0; i < 10; i++)
		loop_run_once(fx->loop, 10);
	assert_int_equal(outcomes(fx), 0);
	fake_clock_advance_ms(1500);
	run_until(fx, 1);
	assert_int_equal(stats(fx).last_error, -ETIMEDOUT);
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(lfd);
	free(ev);
}

static void
test_bad_url(void **arg)
{
	struct fixture *fx = *arg;
	const struct fw_sink_type *type = registry_sink("syslog");
	struct fw_conf_entry e = { .key = "url", .value = "tls://h:6514" };
	struct fw_conf_section cs = { .name = "sink:u", .kind = "sink",
	    .instance = "u", .entries = &e, .n_entries = 1 };
	struct fw_sink_env env = { .loop = fx->loop, .host = "h" };
	void *st = NULL;

	assert_int_equal(type->init(&cs, &env, &st), -EINVAL);
	type->teardown(st);
	e.value = "tcp://h";
	assert_int_equal(type->init(&cs, &env, &st), -EINVAL);
	type->teardown(st);
	e.value = "tcp://h:5x";
	assert_int_equal(type->init(&cs, &env, &st), -EINVAL);
	type->teardown(st);
	e.value = "tcp://[::1]:514";
	assert_int_equal(type->init(&cs, &env, &st), 0);
	type->teardown(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_collector_gone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
