/* The event loop: fd watches on epoll, monotonic timers in a min-heap, signals via signalfd. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "forewarn/clock.h"
#include "forewarn/loop.h"
#include "forewarn/util.h"

#define LOOP_MAX_EVENTS	32

struct fd_watch {
	int		 fd;
	uint32_t	 events;
	loop_fd_cb	 cb;
	void		*arg;
	uint64_t	 gen;	/* tells a reused slot from a deleted watch */
};

struct timer {
	struct fw_mono	 when;
	uint64_t	 seq;	/* insertion order breaks ties */
	fw_timer_id	 id;
	loop_timer_cb	 cb;
	void		*arg;
};

struct sig_watch {
	int		 signo;
	loop_signal_cb	 cb;
	void		*arg;
};

struct fw_loop {
	int			 epfd;
	int			 sigfd;
	sigset_t		 sigmask;
	struct fd_watch		**fds;		/* indexed by fd */
	size_t			 n_fds;
	uint64_t		 gen;
	struct timer		*heap;
	size_t			 n_heap, cap_heap;
	uint64_t		 timer_seq;
	fw_timer_id		 next_id;
	struct sig_watch	*sigs;
	size_t			 n_sigs;
	bool			 quit;
	uint64_t		 wakeups;
};

struct fw_loop *
loop_new(void)
{
	struct fw_loop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->next_id = 1;
	return loop;
}

void
loop_free(struct fw_loop *loop)
{
	size_t i;

	if (loop == NULL)
		return;
	for (i = 0; i < loop->n_fds; i++)
		free(loop->fds[i]);
	free(loop->fds);
	free(loop->heap);
	free(loop->sigs);
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
	}
	close(loop->epfd);
	free(loop);
}

/* ---- fds ---- */

int
loop_add_fd(struct fw_loop *loop, int fd, uint32_t events, loop_fd_cb cb,
    void *arg)
{
	struct epoll_event ev;
	struct fd_watch *w;
	size_t n;

	if (fd < 0)
		return -EBADF;
	if ((size_t)fd < loop->n_fds && loop->fds[fd] != NULL)
		return -EEXIST;
	if ((size_t)fd >= loop->n_fds) {
		n = (size_t)fd + 16;
		loop->fds = xreallocarray(loop->fds, n, sizeof(*loop->fds));
		memset(loop->fds + loop->n_fds, 0,
		    (n - loop->n_fds) * sizeof(*loop->fds));
		loop->n_fds = n;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)fd | (++loop->gen << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->gen = loop->gen;
	loop->fds[fd] = w;
	return 0;
}

int
loop_mod_fd(struct fw_loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev;
	struct fd_watch *w;

	if (fd < 0 || (size_t)fd >= loop->n_fds || loop->fds[fd] == NULL)
		return -ENOENT;
	w = loop->fds[fd];
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)fd | (w->gen << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

int
loop_del_fd(struct fw_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->n_fds || loop->fds[fd] == NULL)
		return -ENOENT;
	/* The fd may already be closed; the watch goes either way. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	free(loop->fds[fd]);
	loop->fds[fd] = NULL;
	return 0;
}

/* ---- timers: a binary min-heap on (when, seq) ---- */

static bool
timer_less(const struct timer *a, const struct timer *b)
{
	if (a->when.us != b->when.us)
		return a->when.us < b->when.us;
	return a->seq < b->seq;
}

static void
heap_swap(struct fw_loop *loop, size_t a, size_t b)
{
	struct timer t = loop->heap[a];

	loop->heap[a] = loop->heap[b];
	loop->heap[b] = t;
}

static void
heap_up(struct fw_loop *loop, size_t i)
{
	while (i > 0 && timer_less(&loop->heap[i], &loop->heap[(i - 1) / 2])) {
		heap_swap(loop, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct fw_loop *loop, size_t i)
{
	size_t l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < loop->n_heap && timer_less(&loop->heap[l], &loop->heap[m]))
			m = l;
		if (r < loop->n_heap && timer_less(&loop->heap[r], &loop->heap[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(loop, i, m);
		i = m;
	}
}

static void
heap_remove(struct fw_loop *loop, size_t i)
{
	loop->n_heap--;
	if (i == loop->n_heap)
		return;
	loop->heap[i] = loop->heap[loop->n_heap];
	heap_down(loop, i);
	heap_up(loop, i);
}

fw_timer_id
loop_add_timer_at(struct fw_loop *loop, struct fw_mono when, loop_timer_cb cb,
    void *arg)
{
	struct timer *t;

	if (loop->n_heap == loop->cap_heap) {
		loop->cap_heap = loop->cap_heap ? loop->cap_heap * 2 : 16;
		loop->heap = xreallocarray(loop->heap, loop->cap_heap,
		    sizeof(*loop->heap));
	}
	t = &loop->heap[loop->n_heap++];
	t->when = when;
	t->seq = loop->timer_seq++;
	t->id = loop->next_id++;
	t->cb = cb;
	t->arg = arg;
	heap_up(loop, loop->n_heap - 1);
	return loop->next_id - 1;
}

fw_timer_id
loop_add_timer(struct fw_loop *loop, int64_t delay_ms, loop_timer_cb cb,
    void *arg)
{
	if (delay_ms < 0)
		delay_ms = 0;
	return loop_add_timer_at(loop, mono_add_ms(clock_mono_now(), delay_ms),
	    cb, arg);
}

void
loop_del_timer(struct fw_loop *loop, fw_timer_id id)
{
	size_t i;

	/* Linear: a handful of timers per collector; deletes are rare. */
	for (i = 0; i < loop->n_heap; i++) {
		if (loop->heap[i].id == id) {
			heap_remove(loop, i);
			return;
		}
	}
}

/*
 * Run the timers due now.  Only timers that existed when the pass began
 * run, so a callback adding a 0 ms timer cannot starve the fds.
 */
static int
run_timers(struct fw_loop *loop)
{
	struct fw_mono now = clock_mono_now();
	uint64_t limit = loop->timer_seq;
	struct timer t;
	int n = 0;

	while (loop->n_heap > 0 && !mono_before(now, loop->heap[0].when) &&
	    loop->heap[0].seq < limit) {
		t = loop->heap[0];
		heap_remove(loop, 0);
		t.cb(t.arg);
		n++;
	}
	return n;
}

/* Milliseconds until the first timer, rounded up; -1 when none. */
static int
timer_wait_ms(struct fw_loop *loop)
{
	int64_t us;

	if (loop->n_heap == 0)
		return -1;
	us = loop->heap[0].when.us - clock_mono_now().us;
	if (us <= 0)
		return 0;
	if (us > (int64_t)INT32_MAX * 1000)
		return INT32_MAX;
	return (int)((us + 999) / 1000);
}

/* ---- signals ---- */

int
loop_add_signal(struct fw_loop *loop, int signo, loop_signal_cb cb, void *arg)
{
	sigset_t one;
	int fd, rc;

	sigaddset(&loop->sigmask, signo);
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		loop->sigfd = fd;
		rc = loop_add_fd(loop, fd, EPOLLIN, NULL, NULL);
		if (rc < 0)
			return rc;
	}
	loop->sigs = xreallocarray(loop->sigs, loop->n_sigs + 1,
	    sizeof(*loop->sigs));
	loop->sigs[loop->n_sigs].signo = signo;
	loop->sigs[loop->n_sigs].cb = cb;
	loop->sigs[loop->n_sigs].arg = arg;
	loop->n_sigs++;
	return 0;
}

static int
read_signals(struct fw_loop *loop)
{
	struct signalfd_siginfo si;
	size_t i;
	int n = 0;

	while (read(loop->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (i = 0; i < loop->n_sigs; i++) {
			if ((uint32_t)loop->sigs[i].signo == si.ssi_signo) {
				loop->sigs[i].cb((int)si.ssi_signo,
				    loop->sigs[i].arg);
				n++;
			}
		}
	}
	return n;
}

/* ---- running ---- */

static int
dispatch_fd(struct fw_loop *loop, const struct epoll_event *ev)
{
	int fd = (int)(ev->data.u64 & 0xffffffffu);
	uint64_t gen = ev->data.u64 >> 32;
	struct fd_watch *w;

	/* A callback earlier in this batch may have deleted or replaced it. */
	if ((size_t)fd >= loop->n_fds || (w = loop->fds[fd]) == NULL ||
	    (w->gen & 0xffffffffu) != gen)
		return 0;
	if (fd == loop->sigfd)
		return read_signals(loop);
	w->cb(fd, ev->events, w->arg);
	return 1;
}

int
loop_run_once(struct fw_loop *loop, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int i, n, wait, ran;

	wait = timer_wait_ms(loop);
	if (timeout_ms >= 0 && (wait < 0 || timeout_ms < wait))
		wait = timeout_ms;
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, wait);
	loop->wakeups++;
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	ran = run_timers(loop);
	for (i = 0; i < n; i++)
		ran += dispatch_fd(loop, &evs[i]);
	return ran;
}

int
loop_run(struct fw_loop *loop)
{
	int rc;

	while (!loop->quit) {
		rc = loop_run_once(loop, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
loop_quit(struct fw_loop *loop)
{
	loop->quit = true;
}

bool
loop_quitting(const struct fw_loop *loop)
{
	return loop->quit;
}

uint64_t
loop_wakeups(const struct fw_loop *loop)
{
	return loop->wakeups;
}
