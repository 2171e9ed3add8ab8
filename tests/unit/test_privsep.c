/* Tests of the privileged spawner: its request checks, bad frames refused, helpers forked and killed only on its side, the pid file removed. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/loop.h"
#include "forewarn/path.h"
#include "forewarn/privsep.h"
#include "forewarn/probe.h"
#include "testutil.h"

static struct fw_privsep_req
req_make(uint32_t type, int32_t pid)
{
	struct fw_privsep_req r = { FW_PRIVSEP_MAGIC, type, pid, 0 };

	return r;
}

/* ---- the check, alone ---- */

static void
test_check_req(void **unused)
{
	const pid_t helpers[] = { 4242, 4343 };
	struct fw_privsep_req r = req_make(FW_PRIVSEP_SPAWN, 0);
	unsigned char big[sizeof(r) + 8];

	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    FW_PRIVSEP_SPAWN);
	/* Only the exact size: shorter, longer, none. */
	assert_int_equal(privsep_check_req(&r, sizeof(r) - 1, helpers, 2),
	    -EINVAL);
	memset(big, 0, sizeof(big));
	memcpy(big, &r, sizeof(r));
	assert_int_equal(privsep_check_req(big, sizeof(big), helpers, 2),
	    -EINVAL);
	assert_int_equal(privsep_check_req(&r, 0, helpers, 2), -EINVAL);
	assert_int_equal(privsep_check_req(NULL, sizeof(r), helpers, 2),
	    -EINVAL);
	r.magic ^= 1;
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(FW_PRIVSEP_SPAWN, 0);
	r.reserved = 1;
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(FW_PRIVSEP_SPAWN, 7);	/* a spawn names no pid */
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(0, 0);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(3, 0);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	/* KILL: only a helper of ours, never 0, -1 (everyone) or another. */
	r = req_make(FW_PRIVSEP_KILL, 4343);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    FW_PRIVSEP_KILL);
	r = req_make(FW_PRIVSEP_KILL, 0);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(FW_PRIVSEP_KILL, -1);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -EINVAL);
	r = req_make(FW_PRIVSEP_KILL, 1);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 2),
	    -ESRCH);
	r = req_make(FW_PRIVSEP_KILL, 4242);
	assert_int_equal(privsep_check_req(&r, sizeof(r), helpers, 0),
	    -ESRCH);
}

/* ---- the spawner process ---- */

/* One raw frame to the spawner; its answer's status, and no socket. */
static int
raw_request(const void *frame, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct fw_privsep_rep rep;
	struct iovec iov = { &rep, sizeof(rep) };
	struct pollfd pfd = { privsep_fd(), POLLIN, 0 };
	struct msghdr msg;
	ssize_t n;

	assert_int_equal(send(privsep_fd(), frame, len, MSG_NOSIGNAL),
	    (ssize_t)len);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	n = recvmsg(privsep_fd(), &msg, MSG_CMSG_CLOEXEC);
	assert_int_equal(n, (ssize_t)sizeof(rep));
	assert_int_equal(msg.msg_controllen, 0);	/* no socket passed */
	assert_int_equal(rep.magic, FW_PRIVSEP_MAGIC);
	return rep.status;
}

/* The spawner is our child: it exits once the channel is closed. */
static void
stop_and_reap(void)
{
	int i, st;
	pid_t r = 0;

	privsep_stop();
	assert_false(privsep_running());
	for (i = 0; i < 500 && r <= 0; i++) {
		r = waitpid(-1, &st, WNOHANG);
		if (r == 0)
			usleep(10000);
	}
	assert_true(r > 0);
}

static void
test_bad_frames_refused(void **unused)
{
	struct fw_privsep_req r = req_make(FW_PRIVSEP_SPAWN, 0);
	unsigned char big[64];
	int fd = -1;
	pid_t pid = 0;

	assert_int_equal(privsep_start(NULL), 0);
	assert_true(privsep_running());
	assert_int_equal(privsep_start(NULL), -EALREADY);
	assert_int_equal(raw_request(&r, 8), -EINVAL);
	memset(big, 0xff, sizeof(big));
	memcpy(big, &r, sizeof(r));
	assert_int_equal(raw_request(big, sizeof(big)), -EINVAL);
	r.magic = 0x12345678;
	assert_int_equal(raw_request(&r, sizeof(r)), -EINVAL);
	r = req_make(99, 0);
	assert_int_equal(raw_request(&r, sizeof(r)), -EINVAL);
	r = req_make(FW_PRIVSEP_KILL, -1);
	assert_int_equal(raw_request(&r, sizeof(r)), -EINVAL);
	/* Not one of its helpers: init, and we ourselves. */
	r = req_make(FW_PRIVSEP_KILL, 1);
	assert_int_equal(raw_request(&r, sizeof(r)), -ESRCH);
	r = req_make(FW_PRIVSEP_KILL, (int32_t)getpid());
	assert_int_equal(raw_request(&r, sizeof(r)), -ESRCH);
	/* Refusals do not end the service: a good request still works. */
	assert_int_equal(privsep_spawn(&fd, &pid), 0);
	assert_true(fd >= 0);
	assert_true(pid > 0);
	assert_int_equal(privsep_kill(pid), 0);
	close(fd);
	stop_and_reap();
}

/* The parent of pid, from /proc/PID/stat. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 2, "%*c %d", &ppid);
	fclose(f);
	return ppid;
}

static void
test_spawn_and_kill(void **unused)
{
	struct pollfd pfd;
	char b;
	int fd = -1;
	pid_t pid = 0;

	assert_int_equal(privsep_start(NULL), 0);
	assert_int_equal(privsep_spawn(&fd, &pid), 0);
	/* The helper is the spawner's child, not ours. */
	assert_true(parent_of(pid) > 0);
	assert_int_not_equal(parent_of(pid), getpid());
	assert_int_not_equal(waitpid(pid, NULL, WNOHANG), pid);
	assert_int_equal(privsep_kill(pid), 0);
	/* Killed: its socket reads end-of-file. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(recv(fd, &b, 1, 0), 0);
	close(fd);
	stop_and_reap();
	assert_int_equal(privsep_spawn(&fd, &pid), -ENOTCONN);
}

struct answer {
	int	n;
	int	status[8];
};

static void
on_reply(const struct fw_probe_reply *r, void *arg)
{
	struct answer *a = arg;

	a->status[a->n++] = r->status;
}

static void
wait_answers(struct fw_loop *loop, struct answer *a, int n)
{
	int i;

	for (i = 0; i < 400 && a->n < n; i++) {
		fake_clock_advance_ms(25);
		loop_run_once(loop, 25);
	}
	assert_int_equal(a->n, n);
}

/* probe.c through the spawner: a hung helper killed there and replaced. */
static void
test_probe_through_spawner(void **unused)
{
	const char *dir = test_tmpdir();
	struct answer a = { 0 };
	struct fw_loop *loop;
	struct fw_probe *p;
	char path[PATH_MAX];

	test_write_file(dir, "sys/block/sdy/size", "8\n");
	test_write_file(dir, "sys/block/sdz/size", "8\n");
	test_write_file(dir, "dev/sdy", "not a disk");
	snprintf(path, sizeof(path), "%s/dev/sdz", dir);
	assert_int_equal(mkfifo(path, 0600), 0);	/* opening it hangs */
	fake_clock_reset();
	assert_int_equal(path_set_root(dir), 0);
	assert_int_equal(privsep_start(NULL), 0);
	loop = loop_new();
	p = probe_new(loop);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdz", 200, on_reply,
	    &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdx", 1000, on_reply,
	    &a), 0);
	wait_answers(loop, &a, 3);
	assert_int_equal(a.status[0], -ETIMEDOUT);
	assert_int_equal(a.status[1], 0);
	assert_int_equal(a.status[2], -ENODEV);	/* not found in /sys */
	assert_int_equal(probe_helpers_started(p), 2);
	probe_free(p);
	loop_free(loop);
	stop_and_reap();
	path_set_root(NULL);
}

static void
test_pid_file_removed(void **unused)
{
	const char *dir = test_tmpdir();
	char path[PATH_MAX], text[32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/forewarnd.pid", dir);
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	test_write_file(dir, "forewarnd.pid", text);
	assert_int_equal(privsep_start(path), 0);
	stop_and_reap();
	assert_int_equal(stat(path, &st), -1);
	/* One naming another process is not ours to remove. */
	test_write_file(dir, "forewarnd.pid", "1\n");
	assert_int_equal(privsep_start(path), 0);
	stop_and_reap();
	assert_int_equal(stat(path, &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_req),
		cmocka_unit_test(test_bad_frames_refused),
		cmocka_unit_test(test_spawn_and_kill),
		cmocka_unit_test(test_probe_through_spawner),
		cmocka_unit_test(test_pid_file_removed),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
