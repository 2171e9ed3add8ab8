/* The event loop: fd watches on epoll, monotonic timers, signals via signalfd. */
#ifndef FOREWARN_LOOP_H
#define FOREWARN_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "forewarn/clock.h"

struct fw_loop;

typedef void	(*loop_fd_cb)(int fd, uint32_t events, void *arg);
typedef void	(*loop_timer_cb)(void *arg);
typedef void	(*loop_signal_cb)(int signo, void *arg);

/* A timer handle; 0 is never a valid id. */
typedef uint64_t fw_timer_id;

struct fw_loop	*loop_new(void);
/* Closes the signalfd and epoll fd; watched fds stay the caller's. */
void		 loop_free(struct fw_loop *loop);

/* events are EPOLLIN, EPOLLOUT, EPOLLPRI... 0 or -errno. */
int	loop_add_fd(struct fw_loop *loop, int fd, uint32_t events,
	    loop_fd_cb cb, void *arg);
int	loop_mod_fd(struct fw_loop *loop, int fd, uint32_t events);
int	loop_del_fd(struct fw_loop *loop, int fd);

/*
 * One-shot timer at now + delay_ms on the monotonic clock; re-arm from the
 * callback for periodic work.  Deleting a fired or unknown id is a no-op,
 * and a callback may delete or add any timer.
 */
fw_timer_id	loop_add_timer(struct fw_loop *loop, int64_t delay_ms,
		    loop_timer_cb cb, void *arg);
fw_timer_id	loop_add_timer_at(struct fw_loop *loop, struct fw_mono when,
		    loop_timer_cb cb, void *arg);
void		loop_del_timer(struct fw_loop *loop, fw_timer_id id);

/* Block signo and deliver it through the loop's signalfd. */
int	loop_add_signal(struct fw_loop *loop, int signo, loop_signal_cb cb,
	    void *arg);

/*
 * Wait at most timeout_ms (-1: until the next timer or fd), then dispatch
 * every due timer and ready fd once.  Returns the number of callbacks run,
 * or -errno.  EINTR is not an error.
 */
int	loop_run_once(struct fw_loop *loop, int timeout_ms);
/* Run until loop_quit(). */
int	loop_run(struct fw_loop *loop);
void	loop_quit(struct fw_loop *loop);
bool	loop_quitting(const struct fw_loop *loop);

/* Number of epoll_wait() returns so far: the wake-up count for benchmarks. */
uint64_t loop_wakeups(const struct fw_loop *loop);

#endif
