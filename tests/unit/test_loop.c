/* Tests of the event loop: timers on the fake clock, fd readiness, signals through signalfd. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/loop.h"
#include "testutil.h"

struct log {
	char	order[64];
	int	n;
	struct fw_loop *loop;
	fw_timer_id victim;
};

static void
mark(void *arg, char c)
{
	struct log *l = arg;

	l->order[l->n++] = c;
	l->order[l->n] = '\0';
}

static void on_a(void *arg) { mark(arg, 'a'); }
static void on_b(void *arg) { mark(arg, 'b'); }
static void on_c(void *arg) { mark(arg, 'c'); }

static int
setup(void **state)
{
	fake_clock_reset();
	return 0;
}

static void
test_timer_order_and_ties(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };

	loop_add_timer(loop, 30, on_c, &l);
	loop_add_timer(loop, 10, on_a, &l);
	loop_add_timer(loop, 20, on_b, &l);
	loop_add_timer(loop, 10, on_b, &l);	/* tie: after the first 10 */
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_string_equal(l.order, "");
	fake_clock_advance_ms(10);
	assert_int_equal(loop_run_once(loop, 0), 2);
	assert_string_equal(l.order, "ab");
	fake_clock_advance_ms(25);
	assert_int_equal(loop_run_once(loop, 0), 2);
	assert_string_equal(l.order, "abbc");
	loop_free(loop);
}

static void
test_timer_delete(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };
	fw_timer_id id;

	id = loop_add_timer(loop, 5, on_a, &l);
	loop_add_timer(loop, 5, on_b, &l);
	loop_del_timer(loop, id);
	loop_del_timer(loop, id);	/* twice: a no-op */
	loop_del_timer(loop, 999999);	/* unknown: a no-op */
	fake_clock_advance_ms(5);
	loop_run_once(loop, 0);
	assert_string_equal(l.order, "b");
	loop_free(loop);
}

static void
on_delete_victim(void *arg)
{
	struct log *l = arg;

	mark(arg, 'd');
	loop_del_timer(l->loop, l->victim);
}

static void
test_delete_inside_callback(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };

	loop_add_timer(loop, 1, on_delete_victim, &l);
	l.victim = loop_add_timer(loop, 1, on_a, &l);
	loop_add_timer(loop, 1, on_c, &l);
	fake_clock_advance_ms(1);
	loop_run_once(loop, 0);
	assert_string_equal(l.order, "dc");
	loop_free(loop);
}

static void
on_rearm(void *arg)
{
	struct log *l = arg;

	mark(arg, 'r');
	/* A 0 ms timer added now runs in the next pass, not this one. */
	loop_add_timer(l->loop, 0, on_rearm, l);
}

static void
test_rearm_does_not_livelock(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };

	loop_add_timer(loop, 0, on_rearm, &l);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_string_equal(l.order, "rr");
	loop_free(loop);
}

static void
on_periodic(void *arg)
{
	struct log *l = arg;

	mark(arg, 'p');
	loop_add_timer(l->loop, 100, on_periodic, l);
}

static void
test_periodic_and_no_catch_up_burst(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };
	int i;

	loop_add_timer(loop, 100, on_periodic, &l);
	for (i = 0; i < 5; i++) {
		fake_clock_advance_ms(100);
		loop_run_once(loop, 0);
	}
	assert_string_equal(l.order, "ppppp");
	/* A long stall (or suspend) gives one run, not a burst. */
	fake_clock_advance_ms(10000);
	loop_run_once(loop, 0);
	loop_run_once(loop, 0);
	assert_string_equal(l.order, "pppppp");
	loop_free(loop);
}

static void
on_fd(int fd, uint32_t events, void *arg)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) == sizeof(v))
		mark(arg, 'f');
}

struct pair {
	struct fw_loop	*loop;
	int		 other;
	struct log	*l;
};

static void
on_fd_delete_other(int fd, uint32_t events, void *arg)
{
	struct pair *p = arg;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return;
	mark(p->l, 'x');
	loop_del_fd(p->loop, p->other);
}

static void
test_fds(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };
	uint64_t one = 1;
	int efd;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);
	assert_int_equal(loop_add_fd(loop, efd, EPOLLIN, on_fd, &l), 0);
	assert_int_equal(loop_add_fd(loop, efd, EPOLLIN, on_fd, &l), -EEXIST);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_true(write(efd, &one, sizeof(one)) == sizeof(one));
	assert_int_equal(loop_run_once(loop, 1000), 1);
	assert_string_equal(l.order, "f");
	assert_int_equal(loop_mod_fd(loop, efd, EPOLLIN), 0);
	assert_int_equal(loop_del_fd(loop, efd), 0);
	assert_int_equal(loop_del_fd(loop, efd), -ENOENT);
	assert_true(write(efd, &one, sizeof(one)) == sizeof(one));
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_true(loop_wakeups(loop) == 3);
	close(efd);
	loop_free(loop);
}

static void
test_delete_fd_in_same_batch(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };
	struct pair pa, pb;
	uint64_t one = 1;
	int a, b;

	a = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pa = (struct pair){ loop, b, &l };
	pb = (struct pair){ loop, a, &l };
	loop_add_fd(loop, a, EPOLLIN, on_fd_delete_other, &pa);
	loop_add_fd(loop, b, EPOLLIN, on_fd_delete_other, &pb);
	assert_true(write(a, &one, sizeof(one)) == sizeof(one));
	assert_true(write(b, &one, sizeof(one)) == sizeof(one));
	/* Both are ready; whichever runs first deletes the other. */
	assert_int_equal(loop_run_once(loop, 1000), 1);
	assert_string_equal(l.order, "x");
	loop_del_fd(loop, a);
	loop_del_fd(loop, b);
	close(a);
	close(b);
	loop_free(loop);
}

static void
on_signal(int signo, void *arg)
{
	mark(arg, signo == SIGUSR1 ? '1' : '2');
}

static void
test_signals(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };

	assert_int_equal(loop_add_signal(loop, SIGUSR1, on_signal, &l), 0);
	assert_int_equal(loop_add_signal(loop, SIGUSR2, on_signal, &l), 0);
	/* Blocked and routed to the signalfd: raise() does not kill us. */
	raise(SIGUSR1);
	raise(SIGUSR2);
	assert_true(loop_run_once(loop, 1000) >= 1);
	if (l.n < 2)
		loop_run_once(loop, 1000);
	assert_int_equal(l.n, 2);
	assert_non_null(strchr(l.order, '1'));
	assert_non_null(strchr(l.order, '2'));
	loop_free(loop);
}

static void
on_quit(void *arg)
{
	struct log *l = arg;

	mark(arg, 'q');
	loop_quit(l->loop);
}

static void
test_quit(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct log l = { .loop = loop };

	loop_add_timer(loop, 0, on_quit, &l);
	assert_false(loop_quitting(loop));
	assert_int_equal(loop_run(loop), 0);
	assert_true(loop_quitting(loop));
	assert_string_equal(l.order, "q");
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timer_order_and_ties, setup),
		cmocka_unit_test_setup(test_timer_delete, setup),
		cmocka_unit_test_setup(test_delete_inside_callback, setup),
		cmocka_unit_test_setup(test_rearm_does_not_livelock, setup),
		cmocka_unit_test_setup(test_periodic_and_no_catch_up_burst,
		    setup),
		cmocka_unit_test_setup(test_fds, setup),
		cmocka_unit_test_setup(test_delete_fd_in_same_batch, setup),
		cmocka_unit_test_setup(test_signals, setup),
		cmocka_unit_test_setup(test_quit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
