/* Tests of the outbox and the stdout sink: order, retries with backoff, rejection, async completion, independent sinks, restart, partial writes. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/registry.h"
#include "forewarn/store.h"
#include "testutil.h"

/* A sink whose behaviour the test scripts: it records what it got. */
struct rec_sink {
	int		 fail_with;	/* returned instead of delivery */
	int		 fail_times;	/* how many deliveries fail so */
	int		 reject_seq;	/* this seq gets -EINVAL */
	int		 pend;		/* answer FW_SINK_PENDING */
	int		 done_inside;	/* complete from inside deliver() */
	int		 init_rc;	/* what init returns */
	int		 torn_down;
	struct fw_sink	*handle;
	int64_t		 got[256];
	int		 n_got;
	int		 calls;
};

static struct rec_sink *next_sink;

static int
rec_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	if (next_sink->init_rc < 0)
		return next_sink->init_rc;
	next_sink->handle = env->sink;
	*ret_state = next_sink;
	return 0;
}

static int
rec_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct rec_sink *s = state;

	s->calls++;
	if (s->fail_times > 0) {
		s->fail_times--;
		return s->fail_with;
	}
	if (seq == s->reject_seq)
		return -EINVAL;
	if (s->done_inside) {
		/* An async sink whose answer was ready at once. */
		s->got[s->n_got++] = seq;
		outbox_done(s->handle, seq, 0);
		return FW_SINK_PENDING;
	}
	if (s->pend)
		return FW_SINK_PENDING;
	s->got[s->n_got++] = seq;
	return 0;
}

static void
rec_teardown(void *state)
{
	struct rec_sink *s = state;

	s->torn_down++;
}

static const struct fw_conf_key no_keys[] = { { .name = NULL } };
static const struct fw_sink_type rec_type = { "rec", no_keys, rec_init,
	rec_deliver, rec_teardown };

static void
add(struct fw_outbox *ob, const char *name, struct rec_sink *s)
{
	next_sink = s;
	assert_int_equal(outbox_add_sink(ob, name, &rec_type, NULL, "h"), 0);
}

static void
append(struct fw_outbox *ob, int n)
{
	char json[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(json, sizeof(json), "{\"i\":%d}", i);
		assert_int_equal(outbox_append(ob, 0, "fp", json, strlen(json)),
		    0);
	}
}

static void
advance(struct fw_loop *loop, int64_t ms)
{
	fake_clock_advance_ms(ms);
	loop_run_once(loop, 0);
}

/*
 * The outbox logs failures on stderr.  Each test sends stderr to a file, so
 * the run stays quiet and the tests can check what was said.  cmocka prints
 * a failure after teardown, on the real stderr again.
 */
static int	saved_stderr = -1;
static char	log_path[4096];
static char	log_text[8192];

static int
setup(void **state)
{
	int fd;

	fake_clock_reset();
	snprintf(log_path, sizeof(log_path), "%s/log", test_tmpdir());
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

/* What was logged so far. */
static const char *
logged(void)
{
	FILE *f = fopen(log_path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(log_text, 1, sizeof(log_text) - 1, f);
		fclose(f);
	}
	log_text[n] = '\0';
	return log_text;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

struct pipe_out;
static struct pipe_out	*open_po;
static void	pipe_out_close(struct pipe_out *po);

static int
teardown(void **state)
{
	if (open_po != NULL)
		pipe_out_close(open_po);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	return 0;
}

static void
test_in_order(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { 0 };
	int i;

	add(ob, "a", &s);
	append(ob, 100);
	assert_int_equal(s.n_got, 100);
	for (i = 0; i < 100; i++)
		assert_true(s.got[i] == i + 1);
	assert_true(outbox_backlog(ob) == 0);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_transient_failure_retried(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .fail_with = -ECONNREFUSED, .fail_times = 3 };
	struct fw_sink_stats stats;

	add(ob, "a", &s);
	append(ob, 5);
	assert_int_equal(s.n_got, 0);
	assert_int_equal(s.calls, 1);	/* later ones wait for the retry */
	assert_true(outbox_backlog(ob) == 5);
	/* Backoff with jitter: retries within [d/2, d], d = 1 s, 2 s, 4 s. */
	advance(loop, 499);
	assert_int_equal(s.calls, 1);
	advance(loop, 501);
	assert_int_equal(s.calls, 2);
	advance(loop, 999);
	assert_int_equal(s.calls, 2);
	advance(loop, 1001);
	assert_int_equal(s.calls, 3);
	advance(loop, 1999);
	assert_int_equal(s.calls, 3);
	advance(loop, 2001);
	assert_int_equal(s.n_got, 5);
	assert_true(s.got[0] == 1 && s.got[4] == 5);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 5 && stats.retried == 3);
	assert_true(stats.cursor == 5);
	assert_int_equal(stats.last_error, -ECONNREFUSED);
	/* One complaint for three failures, one line for the recovery. */
	assert_int_equal(count(logged(), "sink 'a': delivery of event 1 "
	    "failed"), 1);
	assert_int_equal(count(logged(), "sink 'a' delivers again"), 1);
	/* After a success the backoff starts again at 1 s. */
	s.fail_times = 1;
	append(ob, 1);
	advance(loop, 1000);
	assert_int_equal(s.n_got, 6);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_backoff_is_capped(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .fail_with = -ETIMEDOUT, .fail_times = 1000 };
	int i, before;

	add(ob, "a", &s);
	append(ob, 1);
	for (i = 0; i < 20; i++)
		advance(loop, 300000);
	/* Each 5-minute step brings at least one retry: the cap holds. */
	before = s.calls;
	advance(loop, 300000);
	assert_true(s.calls == before + 1);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_permanent_rejection_skipped(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .reject_seq = 2 };
	struct fw_sink_stats stats;

	add(ob, "a", &s);
	append(ob, 3);
	assert_int_equal(s.n_got, 2);
	assert_true(s.got[0] == 1 && s.got[1] == 3);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.rejected == 1 && stats.delivered == 2);
	assert_true(stats.cursor == 3);
	assert_int_equal(stats.last_error, -EINVAL);
	assert_int_equal(count(logged(), "sink 'a' rejected event 2"), 1);
	assert_int_equal(count(logged(), "rejected"), 1);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_pending_then_done(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .pend = 1 };

	add(ob, "a", &s);
	append(ob, 3);
	/* One in flight at a time, in order. */
	assert_int_equal(s.calls, 1);
	outbox_done(s.handle, 1, 0);
	assert_int_equal(s.calls, 2);
	outbox_done(s.handle, 7, 0);	/* not in flight: ignored */
	assert_int_equal(s.calls, 2);
	outbox_done(s.handle, 2, -EAGAIN);
	assert_int_equal(s.calls, 2);
	advance(loop, 1000);
	assert_int_equal(s.calls, 3);	/* seq 2 again */
	s.pend = 0;
	outbox_done(s.handle, 2, 0);
	assert_int_equal(s.n_got, 1);	/* seq 3 synchronously */
	assert_true(s.got[0] == 3);
	assert_true(outbox_backlog(ob) == 0);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_done_inside_deliver(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .done_inside = 1 };
	struct fw_sink_stats stats;

	add(ob, "a", &s);
	append(ob, 3);
	/* Completed before "pending" was returned: still booked, in order. */
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.n_got, 3);
	assert_true(s.got[2] == 3);
	assert_true(outbox_backlog(ob) == 0);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 3 && stats.cursor == 3);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_sinks_independent(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink dead = { .fail_with = -EHOSTUNREACH, .fail_times = 99 };
	struct rec_sink live = { 0 };

	add(ob, "dead", &dead);
	add(ob, "live", &live);
	append(ob, 10);
	assert_int_equal(live.n_got, 10);
	assert_int_equal(dead.n_got, 0);
	assert_true(outbox_backlog(ob) == 10);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_clear_cancels_retries(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { .fail_with = -EAGAIN, .fail_times = 99 };
	struct rec_sink bad = { .init_rc = -ENOENT };
	struct fw_sink_stats stats[2];

	add(ob, "a", &s);
	next_sink = &bad;
	assert_int_equal(outbox_add_sink(ob, "bad", &rec_type, NULL, "h"),
	    -ENOENT);
	assert_non_null(strstr(logged(), "sink 'bad' (rec) could not start"));
	assert_int_equal(outbox_stats(ob, stats, 2), 1);
	assert_string_equal(stats[0].name, "a");
	append(ob, 2);
	assert_int_equal(s.calls, 1);
	outbox_clear_sinks(ob);
	assert_int_equal(s.torn_down, 1);
	assert_int_equal(bad.torn_down, 0);
	assert_int_equal(outbox_stats(ob, stats, 2), 0);
	/* The retry timer died with the sink. */
	advance(loop, 600000);
	assert_int_equal(s.calls, 1);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

static void
test_restart_resumes(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_store *st = store_open(dir, false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	struct rec_sink s = { 0 };
	struct rec_sink later = { 0 };

	add(ob, "a", &s);
	append(ob, 4);
	assert_int_equal(s.n_got, 4);
	s.fail_with = -ECONNREFUSED;
	s.fail_times = 99;
	append(ob, 3);		/* accepted, not delivered */
	outbox_free(ob);
	store_close(st);

	/* The "crash": a new process on the same store. */
	memset(&s, 0, sizeof(s));
	st = store_open(dir, false);
	ob = outbox_new(loop, st);
	add(ob, "a", &s);
	assert_int_equal(s.n_got, 3);
	assert_true(s.got[0] == 5 && s.got[2] == 7);
	/* A sink configured now starts at the end. */
	add(ob, "new", &later);
	assert_int_equal(later.n_got, 0);
	append(ob, 1);
	assert_int_equal(later.n_got, 1);
	assert_true(later.got[0] == 8);
	assert_int_equal(s.n_got, 4);
	assert_true(s.got[3] == 8);
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

/* The stdout sink, on a pipe standing in for fd 1. */
struct pipe_out {
	int	rd;
	int	saved;
	char	buf[131072];
	size_t	len;
};

static void
pipe_out_open(struct pipe_out *po)
{
	int fds[2];

	memset(po, 0, sizeof(*po));
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fflush(stdout);
	po->saved = dup(STDOUT_FILENO);
	dup2(fds[1], STDOUT_FILENO);
	close(fds[1]);
	po->rd = fds[0];
	open_po = po;
}

static void
pipe_out_close(struct pipe_out *po)
{
	open_po = NULL;
	fflush(stdout);
	dup2(po->saved, STDOUT_FILENO);
	close(po->saved);
	if (po->rd >= 0)
		close(po->rd);
}

/* Read up to max bytes that are waiting (all when max is 0). */
static void
pipe_out_read(struct pipe_out *po, size_t max)
{
	size_t left = max != 0 ? max : sizeof(po->buf);
	size_t want;
	ssize_t n;

	do {
		want = sizeof(po->buf) - po->len;
		if (want > left)
			want = left;
		n = read(po->rd, po->buf + po->len, want);
		if (n > 0) {
			po->len += (size_t)n;
			left -= (size_t)n;
		}
	} while (n > 0 && left > 0 && po->len < sizeof(po->buf));
}

/* Fill the pipe to the brim with junk without blocking. */
static size_t
pipe_out_fill(void)
{
	char junk[512];
	size_t total = 0;
	ssize_t n;
	int fl;

	memset(junk, 'x', sizeof(junk));
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
	while ((n = write(STDOUT_FILENO, junk, sizeof(junk))) > 0)
		total += (size_t)n;
	/* Back to a blocking fd: the sink must cope without O_NONBLOCK. */
	fcntl(STDOUT_FILENO, F_SETFL, fl);
	return total;
}

static char *
big_event(char c, size_t n)
{
	char *json = malloc(n + 1);

	assert_non_null(json);
	memset(json, c, n);
	json[0] = '"';
	json[n - 1] = '"';
	json[n] = '\0';
	return json;
}

static void
test_stdout_lines(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	const struct fw_sink_type *t = registry_sink("stdout");
	struct fw_sink_stats stats;
	struct pipe_out po;

	assert_non_null(t);
	pipe_out_open(&po);
	assert_int_equal(outbox_add_sink(ob, "out", t, NULL, "h"), 0);
	append(ob, 3);
	pipe_out_read(&po, 0);
	po.buf[po.len] = '\0';
	assert_string_equal(po.buf, "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 3 && stats.retried == 0);
	/* A reader that went away: EPIPE, kept for a retry, no signal. */
	close(po.rd);
	po.rd = -1;
	append(ob, 1);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 3 && stats.retried == 1);
	assert_int_equal(stats.last_error, -EPIPE);
	outbox_free(ob);
	pipe_out_close(&po);
	loop_free(loop);
	store_close(st);
}

/*
 * A stuck reader: the sink neither blocks nor drops, and a line it could
 * write only in part is finished before the next one starts.
 */
static void
test_stdout_stuck_reader(void **unused)
{
	struct fw_store *st = store_open(test_tmpdir(), false);
	struct fw_loop *loop = loop_new();
	struct fw_outbox *ob = outbox_new(loop, st);
	char *a = big_event('a', 20000), *b = big_event('b', 300), *want;
	struct fw_sink_stats stats;
	struct pipe_out po;
	size_t junk;
	int i;

	pipe_out_open(&po);
	assert_int_equal(outbox_add_sink(ob, "out",
	    registry_sink("stdout"), NULL, "h"), 0);
	junk = pipe_out_fill();
	assert_int_equal(outbox_append(ob, 0, "fp", a, strlen(a)), 0);
	assert_int_equal(outbox_append(ob, 0, "fp", b, strlen(b)), 0);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 0 && stats.retried == 1);
	assert_int_equal(stats.last_error, -EAGAIN);
	/* Room for one chunk: part of a goes out, the rest waits. */
	pipe_out_read(&po, 8192);
	advance(loop, 1000);
	outbox_stats(ob, &stats, 1);
	/* Part of a went out; the rest waits in the sink. */
	pipe_out_read(&po, 0);
	assert_true(po.len > junk && po.len < junk + strlen(a));
	assert_true(stats.delivered == 0 && stats.retried == 2);
	for (i = 0; i < 40 && stats.delivered < 2; i++) {
		pipe_out_read(&po, 0);
		advance(loop, 300000);
		outbox_stats(ob, &stats, 1);
	}
	pipe_out_read(&po, 0);
	assert_true(stats.delivered == 2);
	want = malloc(strlen(a) + strlen(b) + 3);
	assert_non_null(want);
	snprintf(want, strlen(a) + strlen(b) + 3, "%s\n%s\n", a, b);
	assert_int_equal(po.len, junk + strlen(want));
	assert_memory_equal(po.buf + junk, want, strlen(want));
	free(want);
	free(a);
	free(b);
	outbox_free(ob);
	pipe_out_close(&po);
	loop_free(loop);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transient_failure_retried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_is_capped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_permanent_rejection_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_then_done, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_done_inside_deliver, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sinks_independent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clear_cancels_retries,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_resumes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stdout_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stdout_stuck_reader, setup,
		    teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	/* A sink that blocked on the full pipe would hang: fail instead. */
	alarm(60);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
