/* Vendor tools run by the probe helper: fork+exec with argv, a deadline, SIGTERM then SIGKILL of the group, output streamed back in chunks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "forewarn/probe.h"
#include "forewarn/probe_ops.h"

#define EXEC_ARGV_MAX	64
#define EXEC_LINGER_MS	500	/* after the tool exits, for its children */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writable by nobody but its owner, who is root or we. */
static int
trusted(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return -EPERM;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return -EPERM;
	return 0;
}

int
exec_program_ok(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(dir))
		return -EINVAL;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -errno;
	if (trusted(&st) < 0)
		return -EPERM;
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) < 0)
		return -errno;
	/* A sticky directory (/tmp) lets others add files, not replace ours. */
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return -EPERM;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return -EPERM;
	return 0;
}

int
exec_argv_split(char *args, size_t len, uint32_t argc, char **argv,
    size_t max)
{
	size_t off = 0, n = 0;

	if (argc == 0 || argc >= max || len == 0 || args[len - 1] != '\0')
		return -EINVAL;
	while (off < len && n < argc) {
		argv[n++] = args + off;
		off += strlen(args + off) + 1;
	}
	if (n != argc || off != len)
		return -EINVAL;
	argv[n] = NULL;
	return 0;
}

/* The scratch directory the tool runs in, and its removal. */
static void
scratch_remove(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (dir[0] == '\0')
		return;
	if ((d = opendir(dir)) != NULL) {
		fd = dirfd(d);
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(fd, de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

static void __attribute__((noreturn))
child(char **argv, const char *dir, int out, int err, int status_fd)
{
	static char *const envp[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LC_ALL=C", "LANG=C", "HOME=/", NULL
	};
	sigset_t none;
	int null, e, sig;

	/* An ignored SIGPIPE would survive exec and break pipelines. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "forewarnd-tool");
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0)
		goto fail;
	if ((dir[0] == '\0' || chdir(dir) < 0) && chdir("/") < 0)
		goto fail;
	execve(argv[0], argv, envp);
fail:
	e = errno;
	if (write(status_fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* Send one chunk of output; false when the parent is gone. */
static bool
send_chunk(int sock, struct fw_probe_reply *rep, size_t len)
{
	rep->flags = FW_PROBE_MORE;
	rep->len = (uint32_t)len;
	return send(sock, rep, offsetof(struct fw_probe_reply, data) + len,
	    MSG_NOSIGNAL) >= 0;
}

/* Wait for pid until deadline (monotonic ms); true when reaped. */
static bool
reap_until(pid_t pid, int *ws, int64_t deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, ws, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid;
		if (now_ms() >= deadline)
			return false;
		poll(NULL, 0, 20);
	}
}

int
exec_run(int sock, char *args, size_t len, uint32_t argc, uint32_t timeout_ms,
    struct fw_probe_reply *rep)
{
	char *argv[EXEC_ARGV_MAX], dir[64], errbuf[FW_EXEC_ERR_MAX];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, stp[2] = { -1, -1 };
	struct pollfd pfd[2];
	size_t have = 0, err_len = 0, total = 0;
	int64_t deadline, linger = 0;
	bool exited = false, killed = false, gone = false, truncated = false;
	int rc, ws = 0, e;
	pid_t pid;
	ssize_t n;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;	/* tools killed earlier that only now died */
	rc = exec_argv_split(args, len, argc, argv, EXEC_ARGV_MAX);
	if (rc < 0)
		return rc;
	if ((rc = exec_program_ok(argv[0])) < 0)
		return rc;
	memcpy(dir, "/tmp/forewarn-tool.XXXXXX", sizeof("/tmp/forewarn-tool."
	    "XXXXXX"));
	if (mkdtemp(dir) == NULL)
		dir[0] = '\0';
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    pipe2(stp, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		child(argv, dir, outp[1], errp[1], stp[1]);
	close(outp[1]);
	close(errp[1]);
	close(stp[1]);
	outp[1] = errp[1] = stp[1] = -1;
	/* The exec itself failing is told on the CLOEXEC status pipe. */
	if (read(stp[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		rc = -e;
		goto out;
	}
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	deadline = now_ms() + timeout_ms;
	pfd[0].fd = outp[0];
	pfd[1].fd = errp[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		int64_t now = now_ms(), until = linger ? linger : deadline;

		if (now >= until)
			break;
		if (poll(pfd, 2, (int)(until - now > 100 ? 100 : until - now))
		    < 0 && errno != EINTR)
			break;
		if (!exited && waitpid(pid, &ws, WNOHANG) == pid) {
			exited = true;
			linger = now_ms() + EXEC_LINGER_MS;
		}
		if (pfd[0].fd >= 0 && (pfd[0].revents & (POLLIN | POLLHUP))) {
			n = read(pfd[0].fd, rep->data + have,
			    sizeof(rep->data) - have);
			if (n > 0) {
				if (total + (size_t)n > FW_EXEC_OUT_MAX)
					truncated = true;
				else
					have += (size_t)n;
				total += (size_t)n;
				if (have == sizeof(rep->data)) {
					if (!send_chunk(sock, rep, have)) {
						gone = true;
						break;
					}
					have = 0;
				}
			} else if (n == 0 || errno != EAGAIN) {
				pfd[0].fd = -1;
			}
		}
		if (pfd[1].fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			char tmp[512];

			n = read(pfd[1].fd, tmp, sizeof(tmp));
			if (n > 0) {
				size_t k = FW_EXEC_ERR_MAX - 1 - err_len;

				if ((size_t)n < k)
					k = (size_t)n;
				memcpy(errbuf + err_len, tmp, k);
				err_len += k;
			} else if (n == 0 || errno != EAGAIN) {
				pfd[1].fd = -1;
			}
		}
	}
	if (!exited && pfd[0].fd < 0 && pfd[1].fd < 0)
		exited = reap_until(pid, &ws, deadline);
	if (!exited) {
		/* Past its deadline (or we are): the whole group goes. */
		killed = !gone;
		kill(-pid, SIGTERM);
		if (!reap_until(pid, &ws, now_ms() + FW_EXEC_GRACE_MS)) {
			kill(-pid, SIGKILL);
			/* Stuck in the kernel: reaped at a later run. */
			reap_until(pid, &ws, now_ms() + 200);
		}
	} else {
		kill(-pid, SIGKILL);	/* whatever it left behind */
	}
	if (gone) {
		rc = -EPIPE;
		goto out;
	}
	if (have > 0 && !send_chunk(sock, rep, have)) {
		rc = -EPIPE;
		goto out;
	}
	rep->flags = truncated ? FW_PROBE_TRUNCATED : 0;
	memcpy(rep->data, errbuf, err_len);
	rep->len = (uint32_t)err_len;
	rep->wait_status = ws;
	rc = killed ? -ETIMEDOUT : 0;
out:
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (stp[0] >= 0)
		close(stp[0]);
	if (stp[1] >= 0)
		close(stp[1]);
	scratch_remove(dir);
	return rc;
}
