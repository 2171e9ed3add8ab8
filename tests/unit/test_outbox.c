/* Tests of the outbox: order, retries with backoff, rejection, async completion, independent sinks, restart. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/store.h"
#include "testutil.h"

/* A sink whose behaviour the test scripts: it records what it got. */
struct rec_sink {
	int		 fail_with;	/* returned instead of delivering */
	int		 fail_times;	/* how many deliveries fail so */
	int		 reject_seq;	/* this seq gets -EINVAL */
	int		 pend;		/* answer FW_SINK_PENDING */
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
	if (s->pend)
		return FW_SINK_PENDING;
	s->got[s->n_got++] = seq;
	return 0;
}

static void
rec_teardown(void *state)
{
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

static int
setup(void **state)
{
	fake_clock_reset();
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
	assert_true(outbox_backlog(ob) == 5);
	/* Backoff: first retry within 1 s, then within 2 s, then 4 s. */
	advance(loop, 1000);
	assert_int_equal(s.calls, 2);
	advance(loop, 2000);
	assert_int_equal(s.calls, 3);
	advance(loop, 500);
	assert_int_equal(s.calls, 3);	/* still backing off */
	advance(loop, 3500);
	assert_int_equal(s.n_got, 5);
	assert_true(s.got[0] == 1 && s.got[4] == 5);
	outbox_stats(ob, &stats, 1);
	assert_true(stats.delivered == 5 && stats.retried == 3);
	assert_int_equal(stats.last_error, -ECONNREFUSED);
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
	outbox_free(ob);
	loop_free(loop);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_order, setup),
		cmocka_unit_test_setup(test_transient_failure_retried, setup),
		cmocka_unit_test_setup(test_backoff_is_capped, setup),
		cmocka_unit_test_setup(test_permanent_rejection_skipped, setup),
		cmocka_unit_test_setup(test_pending_then_done, setup),
		cmocka_unit_test_setup(test_sinks_independent, setup),
		cmocka_unit_test_setup(test_restart_resumes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
