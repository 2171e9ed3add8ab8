/* The privileged spawner of probe helpers, its fixed-size request frames, and the main process's drop to an unprivileged user (OpenBSD privsep). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forewarn/log.h"
#include "forewarn/privsep.h"
#include "forewarn/probe.h"
#include "forewarn/util.h"

#define SPAWNER_REFUSALS_LOGGED	10
/*
 * What the spawner and its helpers keep: CAP_SYS_RAWIO for ATA
 * PASS-THROUGH (SG_IO), CAP_SYS_ADMIN for NVMe admin commands and the
 * MegaRAID ioctls of storcli/perccli.  They stay uid 0, which owns the
 * device nodes, so no CAP_DAC_* is needed.
 */
#define SPAWNER_CAPS	(FW_CAP(CAP_SYS_RAWIO) | FW_CAP(CAP_SYS_ADMIN))

/* The main process's side: the channel to the spawner, or -1. */
static int	ps_fd = -1;

static int	caps_get(uint64_t *ret_eff, uint64_t *ret_prm);
static int	caps_set(uint64_t set);

/* ---- the spawner ---- */

struct spawner {
	pid_t		pids[FW_PRIVSEP_HELPERS_MAX];	/* not yet reaped */
	size_t		n;
	unsigned	refused;
};

int
privsep_check_req(const void *frame, size_t len, const pid_t *pids, size_t n)
{
	struct fw_privsep_req req;
	size_t i;

	if (frame == NULL || len != sizeof(req))
		return -EINVAL;
	memcpy(&req, frame, sizeof(req));
	if (req.magic != FW_PRIVSEP_MAGIC || req.reserved != 0)
		return -EINVAL;
	switch (req.type) {
	case FW_PRIVSEP_SPAWN:
		return req.pid == 0 ? FW_PRIVSEP_SPAWN : -EINVAL;
	case FW_PRIVSEP_KILL:
		if (req.pid <= 0)
			return -EINVAL;
		/*
		 * Only an unreaped child of ours: its pid cannot have been
		 * reused, so this never reaches another process.
		 */
		for (i = 0; i < n; i++)
			if (pids[i] == req.pid)
				return FW_PRIVSEP_KILL;
		return -ESRCH;
	default:
		return -EINVAL;
	}
}

static void
spawner_reap(struct spawner *s)
{
	size_t i = 0;
	pid_t r;

	while (i < s->n) {
		r = waitpid(s->pids[i], NULL, WNOHANG);
		if (r == s->pids[i] || (r < 0 && errno == ECHILD)) {
			s->pids[i] = s->pids[--s->n];
			continue;
		}
		i++;
	}
}

/* Fork a probe helper; its end of a fresh socket pair is ours to pass on. */
static int
spawner_fork(struct spawner *s, int *ret_fd, int32_t *ret_pid)
{
	pid_t pid;
	int rc;

	if (s->n == FW_PRIVSEP_HELPERS_MAX)
		return -EAGAIN;		/* helpers stuck in disk I/O */
	if ((rc = probe_helper_fork(ret_fd, &pid)) < 0)
		return rc;
	s->pids[s->n++] = pid;
	*ret_pid = (int32_t)pid;
	return 0;
}

/* One answer, with the helper's socket when there is one. */
static int
spawner_reply(int fd, const struct fw_privsep_rep *rep, int pass)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (pass >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(*rep))
		return -errno;
	return 0;
}

static void
spawner_refused(struct spawner *s, size_t len, int why)
{
	if (++s->refused <= SPAWNER_REFUSALS_LOGGED)
		log_warnx("privileged spawner: refused a request of %zu bytes: "
		    "%s%s", len, strerror(-why),
		    s->refused == SPAWNER_REFUSALS_LOGGED ?
		    " (no more of these are logged)" : "");
}

/* One frame: checked, then done; false when the channel is gone. */
static bool
spawner_handle(int fd, struct spawner *s, const void *frame, size_t len)
{
	struct fw_privsep_req req;
	struct fw_privsep_rep rep;
	int type, pass = -1, rc;

	memset(&rep, 0, sizeof(rep));
	rep.magic = FW_PRIVSEP_MAGIC;
	type = privsep_check_req(frame, len, s->pids, s->n);
	if (type < 0) {
		spawner_refused(s, len, type);
		rep.status = type;
		return spawner_reply(fd, &rep, -1) == 0;
	}
	memcpy(&req, frame, sizeof(req));
	rep.type = req.type;
	if (type == FW_PRIVSEP_SPAWN) {
		rep.status = spawner_fork(s, &pass, &rep.pid);
	} else {
		rep.pid = req.pid;
		rep.status = kill(req.pid, SIGKILL) < 0 ? -errno : 0;
	}
	rc = spawner_reply(fd, &rep, pass);
	if (pass >= 0)
		close(pass);
	return rc == 0;
}

void
privsep_serve(int fd)
{
	/* One byte more than a request, to see a longer frame as one. */
	unsigned char buf[sizeof(struct fw_privsep_req) + 1];
	struct spawner s = { .n = 0 };
	struct pollfd pfd;
	ssize_t n;
	size_t i;

	for (;;) {
		spawner_reap(&s);
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* Woken each second to reap helpers that were stuck. */
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			break;
		if (pfd.revents == 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;		/* the main process is gone */
		if (!spawner_handle(fd, &s, buf, (size_t)n))
			break;
	}
	for (i = 0; i < s.n; i++)
		kill(s.pids[i], SIGKILL);
}

/* Remove the pid file if it still names the main process. */
static void
pidfile_remove(const char *path, pid_t main_pid)
{
	char buf[32], want[32];
	ssize_t n;
	int fd;

	if (path == NULL)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%d\n", (int)main_pid);
	if (strcmp(buf, want) == 0)
		unlink(path);
}

/*
 * Down to SPAWNER_CAPS; the bounding set too where that is allowed
 * (CAP_SETPCAP: not under the packaged unit, whose bounding set is already
 * small), so a vendor tool executed as root gets no more either.
 */
static void
spawner_confine(void)
{
	uint64_t eff, prm;
	int c;

	if (geteuid() != 0 || caps_get(&eff, &prm) < 0)
		return;
	for (c = 0; c < 64 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
		if (!(SPAWNER_CAPS & FW_CAP(c)))
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	if (caps_set(prm & SPAWNER_CAPS) < 0)
		log_warn("privileged spawner: capset");
}

static void __attribute__((noreturn))
spawner_main(int fd, const char *pid_file, pid_t main_pid)
{
	/*
	 * Signals meant for the daemon (a terminal's ^C, kill of every
	 * forewarnd) leave it alone: it lives exactly as long as the main
	 * process holds the channel open.
	 */
	static const int ignored[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1,
	    SIGUSR2, SIGPIPE };
	sigset_t none;
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(ignored); i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "forewarnd-priv");
	if (fd != 3) {
		dup2(fd, 3);
		close(fd);
	}
	fcntl(3, F_SETFD, FD_CLOEXEC);
	closefrom(4);		/* the state lock, listeners: none of ours */
	spawner_confine();
	privsep_serve(3);
	pidfile_remove(pid_file, main_pid);
	_exit(0);
}

/* ---- the main process's side ---- */

int
privsep_start(const char *pid_file)
{
	pid_t pid, self = getpid();
	int sv[2], rc;

	if (ps_fd >= 0)
		return -EALREADY;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (pid == 0) {
		close(sv[0]);
		spawner_main(sv[1], pid_file, self);
	}
	close(sv[1]);
	ps_fd = sv[0];
	return 0;
}

bool
privsep_running(void)
{
	return ps_fd >= 0;
}

int
privsep_fd(void)
{
	return ps_fd;
}

void
privsep_stop(void)
{
	if (ps_fd >= 0)
		close(ps_fd);
	ps_fd = -1;
}

/* Wait for the one answer; the socket it carries, if any, in *ret_fd. */
static ssize_t
privsep_recv(struct fw_privsep_rep *rep, int *ret_fd, int *ret_flags)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { rep, sizeof(*rep) };
	struct pollfd pfd = { ps_fd, POLLIN, 0 };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;
	int rc;

	do
		rc = poll(&pfd, 1, FW_PRIVSEP_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return rc == 0 ? -ETIMEDOUT : -errno;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	n = recvmsg(ps_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)) && *ret_fd < 0)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	*ret_flags = msg.msg_flags;
	return n;
}

/*
 * One request and its answer.  The spawner answers at once (a fork, no
 * I/O); a channel out of step or silent is shut down for good.
 */
static int
privsep_request(uint32_t type, pid_t pid, int *ret_fd, pid_t *ret_pid)
{
	struct fw_privsep_req req = { FW_PRIVSEP_MAGIC, type, (int32_t)pid, 0 };
	struct fw_privsep_rep rep;
	int fd = -1, flags = 0;
	ssize_t n;

	if (ps_fd < 0)
		return -ENOTCONN;
	if (send(ps_fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
		goto broken;
	memset(&rep, 0, sizeof(rep));
	n = privsep_recv(&rep, &fd, &flags);
	if (n != (ssize_t)sizeof(rep) || (flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    rep.magic != FW_PRIVSEP_MAGIC || rep.type != type ||
	    (fd >= 0) != (type == FW_PRIVSEP_SPAWN && rep.status == 0) ||
	    (fd >= 0 && rep.pid <= 0) || rep.status > 0)
		goto broken;
	if (fd >= 0) {
		*ret_fd = fd;
		*ret_pid = rep.pid;
	}
	return rep.status;
broken:
	if (fd >= 0)
		close(fd);
	log_warnx("the privileged spawner did not answer as it should; "
	    "no more probe helpers can be started");
	/* The loop sees the hang-up and stops the daemon (main.c). */
	shutdown(ps_fd, SHUT_RDWR);
	return -EPROTO;
}

int
privsep_spawn(int *ret_fd, pid_t *ret_pid)
{
	return privsep_request(FW_PRIVSEP_SPAWN, 0, ret_fd, ret_pid);
}

int
privsep_kill(pid_t pid)
{
	return privsep_request(FW_PRIVSEP_KILL, pid, NULL, NULL);
}

/* ---- the drop ---- */

/*
 * The state directory and the files directly in it become the user's (the
 * store, its journal, the lock).  A directory anyone may write to is left
 * as it is: it is not ours to take.
 */
static int
chown_state(const char *dir, uid_t uid, gid_t gid)
{
	struct dirent *de;
	struct stat st;
	int dfd, rc = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -errno;
	dfd = dirfd(d);
	if (fstat(dfd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (st.st_mode & S_IWOTH)
		goto out;
	if ((st.st_uid != uid || st.st_gid != gid) &&
	    fchown(dfd, uid, gid) < 0) {
		rc = -errno;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) ||
		    (st.st_uid == uid && st.st_gid == gid))
			continue;
		if (fchownat(dfd, de->d_name, uid, gid,
		    AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			break;
		}
	}
out:
	closedir(d);
	return rc;
}

static int
caps_set(uint64_t set)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)set;
	data[1].effective = data[1].permitted = (uint32_t)(set >> 32);
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

static int
caps_get(uint64_t *ret_eff, uint64_t *ret_prm)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*ret_eff = (uint64_t)data[1].effective << 32 | data[0].effective;
	*ret_prm = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	return 0;
}

uint64_t
privsep_caps_effective(void)
{
	uint64_t eff, prm;

	return caps_get(&eff, &prm) < 0 ? UINT64_MAX : eff;
}

int
privsep_can_drop(const char *user)
{
	const uint64_t need = FW_CAP(CAP_SETUID) | FW_CAP(CAP_SETGID);
	uint64_t eff, prm;
	struct passwd *pw;

	if (geteuid() != 0 || caps_get(&eff, &prm) < 0 ||
	    (prm & need) != need)
		return -EPERM;
	if (user == NULL || (pw = getpwnam(user)) == NULL)
		return -ENOENT;
	return pw->pw_uid == 0 ? -EINVAL : 0;
}

int
privsep_drop(const char *user, const char *state_dir, uint64_t keep,
    uid_t *ret_uid)
{
	uint64_t eff, prm;
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	int rc;

	if (geteuid() != 0)
		return -EPERM;
	/* What a bounding set (a service manager's) took cannot be kept. */
	if ((rc = caps_get(&eff, &prm)) < 0)
		return rc;
	keep &= prm;
	if (user == NULL || (pw = getpwnam(user)) == NULL)
		return -ENOENT;
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0)
		return -EINVAL;		/* that would be no drop at all */
	/* Not fatal: the store falls back to memory if it cannot write. */
	if (state_dir != NULL && (rc = chown_state(state_dir, uid, gid)) < 0)
		log_warnx("state directory %s: cannot make it %s's: %s",
		    state_dir, user, strerror(-rc));
	/* Kept across the uid change only when some are to be kept. */
	if (prctl(PR_SET_KEEPCAPS, keep != 0, 0, 0, 0) < 0)
		return -errno;
	/* Its primary group only: no supplementary group's files. */
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -errno;
	if ((rc = caps_set(keep)) < 0)
		return rc;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* Prove it: root is out of reach now. */
	if (setresuid(0, 0, 0) == 0 || caps_get(&eff, &prm) < 0 ||
	    eff != keep || prm != keep)
		abort();
	*ret_uid = uid;
	return 0;
}
