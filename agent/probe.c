/* Device I/O in a helper process with per-request deadlines: a hung disk costs a helper, never the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/path.h"
#include "forewarn/privsep.h"
#include "forewarn/probe.h"
#include "forewarn/probe_ops.h"
#include "forewarn/util.h"

#define PROBE_DEV_MAX		32
#define PROBE_ZOMBIES_MAX	64

/* A request frame, sent up to the args it uses; replies are fw_probe_reply. */
struct probe_req {
	uint64_t	id;
	uint32_t	op;
	char		dev[PROBE_DEV_MAX];
	uint32_t	timeout_ms;	/* exec: the tool's own deadline */
	uint32_t	argc;		/* exec: strings in args */
	char		args[FW_PROBE_ARGS_MAX];
};

struct pending {
	uint64_t	 id;
	enum fw_probe_op op;
	char		 dev[PROBE_DEV_MAX];
	uint32_t	 deadline_ms;
	probe_cb	 cb;
	probe_exec_cb	 exec_cb;
	void		*arg;
	char		*args;		/* exec: heap, args_len bytes */
	uint32_t	 args_len, argc, timeout_ms;
};

struct fw_probe {
	struct fw_loop		*loop;
	pid_t			 pid;		/* the helper, or 0 */
	bool			 remote;	/* pid is the spawner's child */
	int			 fd;		/* our end of its socket, or -1 */
	struct pending		 queue[FW_PROBE_QUEUE_MAX];	/* a ring */
	size_t			 head, n;
	bool			 in_flight;
	bool			 head_cancelled;	/* answer it to no one */
	fw_timer_id		 timer;
	uint64_t		 next_id;
	unsigned		 started;
	bool			 closing;
	pid_t			 zombies[PROBE_ZOMBIES_MAX];
	size_t			 n_zombies;
	struct fw_probe_reply	 reply;
	char			*out;		/* exec output so far */
	size_t			 out_len, out_size;
};

static void	probe_kick(struct fw_probe *p);

/* ---- the helper process ---- */

static bool
valid_name(const char *dev)
{
	size_t i;

	if (dev[0] == '\0')
		return false;
	for (i = 0; dev[i] != '\0'; i++)
		if (i >= PROBE_DEV_MAX - 1 || !((dev[i] >= 'a' &&
		    dev[i] <= 'z') || (dev[i] >= '0' && dev[i] <= '9')))
			return false;
	return true;
}

/*
 * Only what the kernel lists as a block device or an NVMe controller, found
 * by the helper itself, may be opened: never a path the caller chose.
 */
static int
helper_open(const char *dev, int flags)
{
	char sys[256], node[256];
	struct stat st;

	if (!valid_name(dev))
		return -EINVAL;
	if ((path_build(sys, sizeof(sys), "/sys/block/%s", dev) < 0 ||
	    stat(sys, &st) < 0) &&
	    (path_build(sys, sizeof(sys), "/sys/class/nvme/%s", dev) < 0 ||
	    stat(sys, &st) < 0))
		return -ENODEV;
	if (fw_snprintf(node, sizeof(node), "/dev/%s", dev) < 0)
		return -ENAMETOOLONG;
	return path_open(node, flags | O_NOCTTY);
}

static void
helper_handle(int sock, struct probe_req *req, size_t req_len,
    struct fw_probe_reply *rep)
{
	size_t len = 0;
	int fd, rc;

	memset(rep, 0, offsetof(struct fw_probe_reply, data));
	rep->id = req->id;
	/* A device request is exactly its fixed part, with no strings. */
	if (req->op != FW_PROBE_EXEC && (req->op < FW_PROBE_ATA_SMART ||
	    req->op > FW_PROBE_OPEN || req_len != offsetof(struct probe_req,
	    args) || req->argc != 0)) {
		rep->status = -EINVAL;
		return;
	}
	if (req->op == FW_PROBE_EXEC) {
		rep->status = exec_run(sock, req->args, req_len -
		    offsetof(struct probe_req, args), req->argc,
		    req->timeout_ms, rep);
		if (rep->status < 0)
			rep->len = 0;
		return;
	}
	/* The open itself may hang on a dying disk: that is the point. */
	fd = helper_open(req->dev, req->op == FW_PROBE_OPEN ? O_RDONLY :
	    O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		rep->status = fd;
		return;
	}
	switch (req->op) {
	case FW_PROBE_ATA_SMART:
		rc = ata_smart_blob(fd, rep->data, sizeof(rep->data), &len,
		    &rep->self_errors);
		break;
	case FW_PROBE_NVME_SMART_LOG:
		rc = nvme_smart_log(fd, rep->data, sizeof(rep->data), &len);
		break;
	case FW_PROBE_OPEN:
		rc = 0;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	close(fd);
	rep->status = rc;
	rep->len = rc == 0 ? (uint32_t)len : 0;
}

void
probe_helper_serve(int fd)
{
	static struct fw_probe_reply rep;
	static struct probe_req req;
	ssize_t n;

	for (;;) {
		n = recv(fd, &req, sizeof(req), MSG_TRUNC);
		if (n == 0)
			return;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (n < (ssize_t)offsetof(struct probe_req, args) ||
		    n > (ssize_t)sizeof(req))
			return;		/* not our frame: stop serving */
		req.dev[PROBE_DEV_MAX - 1] = '\0';
		helper_handle(fd, &req, (size_t)n, &rep);
		if (send(fd, &rep, offsetof(struct fw_probe_reply, data) +
		    rep.len, MSG_NOSIGNAL) < 0)
			return;
	}
}

/* In the child: a clean slate, then serve until the parent goes away. */
void
probe_helper_main(int fd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "forewarnd-probe");
	if (fd != 3) {
		dup2(fd, 3);
		close(fd);
	}
	/* The vendor tools it runs must not get its socket. */
	fcntl(3, F_SETFD, FD_CLOEXEC);
	closefrom(4);
	probe_helper_serve(3);
	_exit(0);
}

/* ---- the main side ---- */

static void
reap(struct fw_probe *p)
{
	size_t i = 0;

	while (i < p->n_zombies) {
		if (waitpid(p->zombies[i], NULL, WNOHANG) != 0) {
			p->zombies[i] = p->zombies[--p->n_zombies];
			continue;
		}
		i++;
	}
}

/* Drop the helper: killed and left to be reaped once its I/O returns. */
static void
helper_drop(struct fw_probe *p)
{
	if (p->fd >= 0) {
		loop_del_fd(p->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	if (p->pid > 0 && p->remote) {
		/* The spawner's child: it kills and reaps it. */
		privsep_kill(p->pid);
	} else if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		if (waitpid(p->pid, NULL, WNOHANG) == 0 &&
		    p->n_zombies < PROBE_ZOMBIES_MAX)
			p->zombies[p->n_zombies++] = p->pid;
	}
	p->pid = 0;
	reap(p);
}

/* The final frame of an exec, with the output gathered before it. */
static void
exec_answer(struct fw_probe *p, const struct pending *pd,
    const struct fw_probe_reply *rep)
{
	struct fw_exec_result res;
	char err[FW_EXEC_ERR_MAX + 1];
	size_t n;

	memset(&res, 0, sizeof(res));
	res.status = rep->status;
	res.exit_code = -1;
	if (rep->status == 0 && WIFEXITED(rep->wait_status))
		res.exit_code = WEXITSTATUS(rep->wait_status);
	else if (rep->status == 0 && WIFSIGNALED(rep->wait_status))
		res.signal = WTERMSIG(rep->wait_status);
	res.truncated = (rep->flags & FW_PROBE_TRUNCATED) != 0;
	n = rep->status == 0 && rep->len < sizeof(err) ? rep->len : 0;
	memcpy(err, rep->data, n);
	err[n] = '\0';
	res.err = err;
	if (p->out == NULL || rep->status != 0)
		p->out_len = 0;
	res.out = p->out != NULL ? p->out : "";
	if (p->out != NULL)
		p->out[p->out_len] = '\0';
	res.out_len = p->out_len;
	pd->exec_cb(&res, pd->arg);
}

static void
finish_head(struct fw_probe *p, const struct fw_probe_reply *rep)
{
	struct pending pd = p->queue[p->head];

	bool cancelled = p->in_flight && p->head_cancelled;

	p->head = (p->head + 1) % FW_PROBE_QUEUE_MAX;
	p->n--;
	p->in_flight = false;
	p->head_cancelled = false;
	if (p->timer != 0) {
		loop_del_timer(p->loop, p->timer);
		p->timer = 0;
	}
	if (!cancelled && pd.op == FW_PROBE_EXEC)
		exec_answer(p, &pd, rep);
	else if (!cancelled)
		pd.cb(rep, pd.arg);
	free(pd.args);
	p->out_len = 0;
}

/* A chunk of exec output: keep it (up to the cap), wait for the rest. */
static void
exec_chunk(struct fw_probe *p, const struct fw_probe_reply *rep)
{
	if (p->out_len + rep->len + 1 > p->out_size) {
		size_t size = p->out_size ? p->out_size : 65536;

		while (size < p->out_len + rep->len + 1)
			size *= 2;
		p->out = xreallocarray(p->out, size, 1);
		p->out_size = size;
	}
	memcpy(p->out + p->out_len, rep->data, rep->len);
	p->out_len += rep->len;
}

static void
fail_head(struct fw_probe *p, int status)
{
	struct fw_probe_reply *rep = &p->reply;

	memset(rep, 0, offsetof(struct fw_probe_reply, data));
	rep->id = p->queue[p->head].id;
	rep->status = status;
	finish_head(p, rep);
}

static void
on_reply(int fd, uint32_t events, void *arg)
{
	struct fw_probe *p = arg;
	ssize_t n;

	n = recv(fd, &p->reply, sizeof(p->reply), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < (ssize_t)offsetof(struct fw_probe_reply, data) ||
	    p->reply.len > FW_PROBE_DATA_MAX ||
	    (size_t)n != offsetof(struct fw_probe_reply, data) + p->reply.len ||
	    !p->in_flight || p->reply.id != p->queue[p->head].id ||
	    ((p->reply.flags & FW_PROBE_MORE) &&
	    (p->queue[p->head].op != FW_PROBE_EXEC ||
	    p->out_len + p->reply.len > FW_EXEC_OUT_MAX))) {
		/* Died, or said something we did not ask for: replace it. */
		log_warnx("device probe helper %d failed; starting another",
		    (int)p->pid);
		helper_drop(p);
		if (p->in_flight)
			fail_head(p, -ECONNRESET);
		probe_kick(p);
		return;
	}
	if (p->reply.flags & FW_PROBE_MORE) {
		exec_chunk(p, &p->reply);
		return;
	}
	finish_head(p, &p->reply);
	probe_kick(p);
}

static void
on_deadline(void *arg)
{
	struct fw_probe *p = arg;

	p->timer = 0;
	if (p->queue[p->head].op == FW_PROBE_EXEC)
		log_warnx("'%s' ran past %u ms and the helper did not stop it; "
		    "replacing the helper", p->queue[p->head].args,
		    p->queue[p->head].deadline_ms);
	else
		log_warnx("device '%s' did not answer within %u ms; replacing "
		    "the probe helper", p->queue[p->head].dev,
		    p->queue[p->head].deadline_ms);
	helper_drop(p);
	fail_head(p, -ETIMEDOUT);
	probe_kick(p);
}

/* Through the privileged spawner, once the main process has dropped root. */
static int
helper_spawn_remote(struct fw_probe *p)
{
	pid_t pid;
	int fd, rc;

	if ((rc = privsep_spawn(&fd, &pid)) < 0)
		return rc;
	rc = loop_add_fd(p->loop, fd, EPOLLIN, on_reply, p);
	if (rc < 0) {
		close(fd);
		privsep_kill(pid);
		return rc;
	}
	p->fd = fd;
	p->pid = pid;
	p->remote = true;
	p->started++;
	return 0;
}

int
probe_helper_fork(int *ret_fd, pid_t *ret_pid)
{
	int sv[2], rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (pid == 0) {
		close(sv[0]);
		probe_helper_main(sv[1]);
	}
	close(sv[1]);
	*ret_fd = sv[0];
	*ret_pid = pid;
	return 0;
}

static int
helper_spawn(struct fw_probe *p)
{
	int fd, rc;
	pid_t pid;

	reap(p);
	if (privsep_running())
		return helper_spawn_remote(p);
	if ((rc = probe_helper_fork(&fd, &pid)) < 0)
		return rc;
	rc = loop_add_fd(p->loop, fd, EPOLLIN, on_reply, p);
	if (rc < 0) {
		close(fd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return rc;
	}
	p->fd = fd;
	p->pid = pid;
	p->remote = false;
	p->started++;
	return 0;
}

static void
probe_kick(struct fw_probe *p)
{
	static struct probe_req req;
	struct pending *pd;
	size_t len;
	int rc;

	while (!p->in_flight && p->n > 0) {
		pd = &p->queue[p->head];
		if (p->fd < 0 && (rc = helper_spawn(p)) < 0) {
			log_warnx("cannot start the device probe helper: %s",
			    strerror(-rc));
			fail_head(p, rc);
			continue;
		}
		memset(&req, 0, offsetof(struct probe_req, args));
		req.id = pd->id;
		req.op = (uint32_t)pd->op;
		memcpy(req.dev, pd->dev, sizeof(req.dev));
		req.timeout_ms = pd->timeout_ms;
		req.argc = pd->argc;
		len = offsetof(struct probe_req, args) + pd->args_len;
		if (pd->args_len > 0)
			memcpy(req.args, pd->args, pd->args_len);
		p->out_len = 0;
		if (send(p->fd, &req, len, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)len) {
			helper_drop(p);
			fail_head(p, -ECONNRESET);
			continue;
		}
		p->in_flight = true;
		p->timer = loop_add_timer(p->loop, pd->deadline_ms, on_deadline,
		    p);
	}
}

struct fw_probe *
probe_new(struct fw_loop *loop)
{
	struct fw_probe *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->fd = -1;
	p->next_id = 1;
	return p;
}

void
probe_free(struct fw_probe *p)
{
	if (p == NULL)
		return;
	p->closing = true;	/* callbacks below must not start a helper */
	if (p->timer != 0)
		loop_del_timer(p->loop, p->timer);
	p->timer = 0;
	helper_drop(p);
	while (p->n > 0)
		fail_head(p, -ECANCELED);
	free(p->out);
	free(p);
}

/* A fresh slot at the tail of the queue, or NULL with *rc set. */
static struct pending *
queue_tail(struct fw_probe *p, int *rc)
{
	struct pending *pd;

	*rc = p->closing ? -ECANCELED : p->n == FW_PROBE_QUEUE_MAX ? -EBUSY : 0;
	if (*rc < 0)
		return NULL;
	pd = &p->queue[(p->head + p->n) % FW_PROBE_QUEUE_MAX];
	memset(pd, 0, sizeof(*pd));
	pd->id = p->next_id++;
	return pd;
}

int
probe_submit(struct fw_probe *p, enum fw_probe_op op, const char *dev,
    uint32_t deadline_ms, probe_cb cb, void *arg)
{
	struct pending *pd;
	int rc;

	if (op < FW_PROBE_ATA_SMART || op > FW_PROBE_OPEN || !valid_name(dev) ||
	    cb == NULL || deadline_ms == 0)
		return -EINVAL;
	if ((pd = queue_tail(p, &rc)) == NULL)
		return rc;
	pd->op = op;
	fw_strlcpy(pd->dev, dev, sizeof(pd->dev));
	pd->deadline_ms = deadline_ms;
	pd->cb = cb;
	pd->arg = arg;
	p->n++;
	probe_kick(p);
	return 0;
}

int
probe_exec(struct fw_probe *p, const char *const *argv, uint32_t timeout_ms,
    probe_exec_cb cb, void *arg)
{
	struct pending *pd;
	size_t i, len = 0, n;
	int rc;

	if (argv == NULL || argv[0] == NULL || cb == NULL || timeout_ms == 0 ||
	    timeout_ms > 24 * 3600 * 1000u)
		return -EINVAL;
	for (i = 0; argv[i] != NULL; i++) {
		len += strlen(argv[i]) + 1;
		if (len > FW_PROBE_ARGS_MAX || i >= 62)
			return -EINVAL;
	}
	if ((pd = queue_tail(p, &rc)) == NULL)
		return rc;
	pd->op = FW_PROBE_EXEC;
	fw_strlcpy(pd->dev, "exec", sizeof(pd->dev));
	pd->args = xmalloc(len);
	pd->args_len = (uint32_t)len;
	pd->argc = (uint32_t)i;
	for (i = 0, len = 0; argv[i] != NULL; i++) {
		n = strlen(argv[i]) + 1;
		memcpy(pd->args + len, argv[i], n);
		len += n;
	}
	pd->timeout_ms = timeout_ms;
	/* The helper stops the tool itself; this is for a helper that hangs. */
	pd->deadline_ms = timeout_ms + FW_EXEC_GRACE_MS + 3000;
	pd->exec_cb = cb;
	pd->arg = arg;
	p->n++;
	probe_kick(p);
	return 0;
}

void
probe_cancel(struct fw_probe *p, const void *arg)
{
	struct pending keep[FW_PROBE_QUEUE_MAX];
	size_t i, n = 0, first = 0;

	if (p == NULL)
		return;
	/* The request in flight must stay at the head until it is answered. */
	if (p->in_flight) {
		if (p->queue[p->head].arg == arg)
			p->head_cancelled = true;
		keep[n++] = p->queue[p->head];
		first = 1;
	}
	for (i = first; i < p->n; i++) {
		struct pending *pd = &p->queue[(p->head + i) %
		    FW_PROBE_QUEUE_MAX];

		if (pd->arg != arg)
			keep[n++] = *pd;
		else
			free(pd->args);
	}
	memcpy(p->queue, keep, n * sizeof(keep[0]));
	p->head = 0;
	p->n = n;
}

unsigned
probe_pending(const struct fw_probe *p)
{
	return p != NULL ? (unsigned)p->n : 0;
}

unsigned
probe_helpers_started(const struct fw_probe *p)
{
	return p->started;
}
