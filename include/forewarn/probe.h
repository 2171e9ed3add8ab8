/*
 * Device I/O off the event loop (DESIGN §8).  Everything that can block on
 * hardware — opening /dev nodes, ATA commands over SG_IO, NVMe admin
 * commands — runs in a helper process, one request at a time, each with a
 * deadline.  A request past its deadline is answered -ETIMEDOUT, the hung
 * helper is killed and left to the kernel (a process stuck in disk I/O
 * cannot die until the I/O returns), and a fresh helper serves the next
 * request: the loop never waits.  The helper opens only devices it finds
 * itself under /sys (through the --root prefix), so the main process cannot
 * make it open arbitrary paths.  Once the daemon has dropped root
 * (privsep.h), helpers are forked by the privileged spawner and are the only
 * processes that keep CAP_SYS_RAWIO and CAP_SYS_ADMIN; a helper given up on
 * is killed there.
 */
#ifndef FOREWARN_PROBE_H
#define FOREWARN_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct fw_loop;
struct fw_probe;

#define FW_PROBE_DATA_MAX	4096
#define FW_PROBE_QUEUE_MAX	256
#define FW_PROBE_ARGS_MAX	2048		/* an exec's argv, NUL-separated */
#define FW_EXEC_OUT_MAX		(16u << 20)	/* stdout kept of one run */
#define FW_EXEC_ERR_MAX		1024		/* stderr kept of one run */
#define FW_EXEC_GRACE_MS	2000		/* SIGTERM to SIGKILL */

enum fw_probe_op {
	/*
	 * ATA disk (directly or through SAT): CHECK POWER MODE first; a disk
	 * in standby is not woken (status -EAGAIN).  Otherwise IDENTIFY,
	 * SMART RETURN STATUS, READ DATA and READ THRESHOLDS, answered as a
	 * libatasmart blob (tags IDFY, SMST, SMDT, SMTH).
	 */
	FW_PROBE_ATA_SMART = 1,
	/* NVMe: Get Log Page 02h (SMART / Health Information), 512 bytes. */
	FW_PROBE_NVME_SMART_LOG = 2,
	/* Open the device node and close it again: is it answering at all? */
	FW_PROBE_OPEN = 3,
	/*
	 * Run a vendor tool (storcli, ssacli, ...): see probe_exec().  Not a
	 * device op; probe_submit() refuses it.
	 */
	FW_PROBE_EXEC = 4,
};

/* Reply flags. */
#define FW_PROBE_MORE		0x1	/* a chunk of exec output; more follow */
#define FW_PROBE_TRUNCATED	0x2	/* exec output went past FW_EXEC_OUT_MAX */

struct fw_probe_reply {
	uint64_t	id;
	int32_t		status;		/* 0, or -errno; -ETIMEDOUT on deadline */
	uint32_t	len;		/* bytes of data */
	/*
	 * Commands of this request that ended in CHECK CONDITION by design
	 * (ATA PASS-THROUGH with CK_COND returns registers that way).  The
	 * SCSI midlayer counts each in the device's ioerr_cnt, so the disks
	 * collector subtracts them.
	 */
	uint32_t	self_errors;
	uint32_t	flags;		/* FW_PROBE_MORE, FW_PROBE_TRUNCATED */
	int32_t		wait_status;	/* exec: the tool's, as waitpid() */
	uint32_t	reserved;
	uint8_t		data[FW_PROBE_DATA_MAX];
};

typedef void	(*probe_cb)(const struct fw_probe_reply *reply, void *arg);

/* What a tool run through probe_exec() did. */
struct fw_exec_result {
	/*
	 * 0: the tool ran and exited (see exit_code, signal); else -errno:
	 * -ENOENT/-EACCES/-EPERM (not runnable, or refused: see probe_exec),
	 * -ETIMEDOUT (killed at its deadline), -ECONNRESET (the helper died),
	 * -ECANCELED.
	 */
	int		 status;
	int		 exit_code;	/* when it exited, else -1 */
	int		 signal;	/* the signal that ended it, else 0 */
	bool		 truncated;	/* stdout was cut at FW_EXEC_OUT_MAX */
	const char	*out;		/* stdout, NUL-terminated */
	size_t		 out_len;
	const char	*err;		/* the start of stderr, NUL-terminated */
};

typedef void	(*probe_exec_cb)(const struct fw_exec_result *res, void *arg);

struct fw_probe	*probe_new(struct fw_loop *loop);
/* Kills the helper; pending requests are answered -ECANCELED. */
void		 probe_free(struct fw_probe *p);

/*
 * Queue op on the device with kernel name dev ("sda", "nvme0").  cb runs
 * from the loop with the reply, exactly once.  0, or -EINVAL (bad name or
 * op) or -EBUSY (queue full).
 */
int		 probe_submit(struct fw_probe *p, enum fw_probe_op op,
		    const char *dev, uint32_t deadline_ms, probe_cb cb,
		    void *arg);
/*
 * Run argv[0] with argv (never through a shell) in the helper: stdin
 * /dev/null, stdout and stderr captured, a clean environment (PATH, LC_ALL=C),
 * its own session and process group, a private scratch directory as cwd
 * (storcli and perccli drop log files there; removed afterwards).  After
 * timeout_ms the group gets SIGTERM and FW_EXEC_GRACE_MS later SIGKILL.
 * The helper refuses (-EPERM) a program that is not an absolute path to a
 * regular executable file owned by root (or by the agent's own user) and
 * writable by nobody else, in a directory writable by nobody else: it will
 * keep privileges the main process gives up.  cb runs exactly once.
 * 0, or -EINVAL (no argv, too long) or -EBUSY (queue full).
 */
int		 probe_exec(struct fw_probe *p, const char *const *argv,
		    uint32_t timeout_ms, probe_exec_cb cb, void *arg);
/*
 * Forget every request made with this callback argument, queued or in
 * flight; their callbacks will not run.  A collector calls it from its
 * teardown, before its state goes away.
 */
void		 probe_cancel(struct fw_probe *p, const void *arg);
/* Requests queued or in flight. */
unsigned	 probe_pending(const struct fw_probe *p);
/* Helpers started so far (1 + the number replaced after a hang or crash). */
unsigned	 probe_helpers_started(const struct fw_probe *p);

/* The helper's side, for tests: serve requests on fd until it closes. */
void		 probe_helper_serve(int fd);
/*
 * A freshly forked helper: a clean signal state, fd as its only descriptor
 * (3), serve, exit.  Called in the child by probe_new()'s own fork or by the
 * privileged spawner (privsep.h).
 */
void		 probe_helper_main(int fd) __attribute__((noreturn));
/*
 * Fork a helper on a new SEQPACKET socketpair: our end in *ret_fd, its pid
 * in *ret_pid.  0 or -errno.  The spawner and an unprivileged agent alike.
 */
int		 probe_helper_fork(int *ret_fd, pid_t *ret_pid);

#endif
