/*
 * Privilege separation (DESIGN §8, docs/security.md), after OpenBSD's
 * privilege-separated daemons.  The daemon forks a small privileged
 * "spawner" at start-up, before it reads any outside data, and then drops
 * to an unprivileged user.  The spawner keeps root and the device
 * capabilities; its only jobs are to fork a probe helper when asked and
 * hand the helper's socket back (SCM_RIGHTS), and to kill a helper the main
 * process gives up on.  Requests are fixed-size frames, checked field by
 * field; anything else is refused.  The helpers it forks check their own
 * requests (only devices they find under /sys, only root-owned tools).
 */
#ifndef FOREWARN_PRIVSEP_H
#define FOREWARN_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FW_PRIVSEP_MAGIC	0x66777073u	/* "fwps" */
#define FW_PRIVSEP_HELPERS_MAX	64	/* alive or killed, not yet reaped */
#define FW_PRIVSEP_TIMEOUT_MS	5000	/* an answer takes a fork, no I/O */

enum fw_privsep_type {
	FW_PRIVSEP_SPAWN = 1,	/* fork a probe helper; its socket comes back */
	FW_PRIVSEP_KILL = 2,	/* SIGKILL a helper this spawner started */
};

/* A request: exactly this size, every field checked. */
struct fw_privsep_req {
	uint32_t	magic;		/* FW_PRIVSEP_MAGIC */
	uint32_t	type;		/* enum fw_privsep_type */
	int32_t		pid;		/* KILL: the helper; SPAWN: 0 */
	uint32_t	reserved;	/* 0 */
};

/* The answer; a SPAWN that succeeded carries the helper's socket. */
struct fw_privsep_rep {
	uint32_t	magic;
	uint32_t	type;		/* the request's */
	int32_t		status;		/* 0 or -errno */
	int32_t		pid;		/* SPAWN: the helper */
};

/*
 * Check a request frame of len bytes (len is the frame's real length, even
 * when longer than the buffer) against the helpers alive (pids, n).
 * Returns its type, or -EINVAL (bad frame) or -ESRCH (KILL of a process
 * that is not one of the helpers).  Pure, for tests.
 */
int	privsep_check_req(const void *frame, size_t len, const pid_t *pids,
	    size_t n);

/*
 * The spawner's side, for tests: serve requests on fd until it closes,
 * then return.  Helpers it forks run probe_helper_main().
 */
void	privsep_serve(int fd);

/*
 * Main side.  privsep_start() forks the spawner (once); pid_file, when not
 * NULL, is removed by the spawner when the main process is gone and it
 * still names it.  0 or -errno.
 */
int	privsep_start(const char *pid_file);
bool	privsep_running(void);
/* The channel, for the loop to notice the spawner's death (hang-up). */
int	privsep_fd(void);
/* A new helper: its socket (close-on-exec) and pid.  0 or -errno. */
int	privsep_spawn(int *ret_fd, pid_t *ret_pid);
int	privsep_kill(pid_t pid);
/* Close the channel: the spawner kills its helpers and exits. */
void	privsep_stop(void);

/* Capability numbers as bits of a set (CAP_* of <linux/capability.h>). */
#define FW_CAP(c)	(UINT64_C(1) << (c))

/*
 * Whether privsep_drop() can work, before anything is changed: 0, or -EPERM
 * (not root, or no CAP_SETUID/CAP_SETGID to change ids with), -ENOENT (no
 * such user), -EINVAL (the user is root).
 */
int	privsep_can_drop(const char *user);
/*
 * Become user: its groups, uid and gid; state_dir (and the files directly
 * in it) made its own first.  Of the capabilities only keep (FW_CAP bits)
 * stays effective and permitted; no ambient or inheritable ones, and no new
 * privileges through exec.  0, or -ENOENT (no such user), -EPERM (not
 * started as root), or another -errno when a step failed (the caller must
 * not go on then).  ret_uid gets the user's uid on success.
 */
int	privsep_drop(const char *user, const char *state_dir, uint64_t keep,
	    uid_t *ret_uid);
/* The effective capability set of this process, as FW_CAP bits. */
uint64_t privsep_caps_effective(void);

#endif
