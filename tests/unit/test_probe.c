/* Tests of the probe helper (deadlines, replacement, device discovery) and of SAT sense decoding. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atasmart.h>
#include <cmocka.h>

#include "fake_clock.h"
#include "forewarn/loop.h"
#include "forewarn/path.h"
#include "forewarn/probe.h"
#include "forewarn/probe_ops.h"
#include "testutil.h"

/* ---- sense decoding ---- */

static void
test_sense_descriptor(void **unused)
{
	/* Descriptor format: an information descriptor, then 09h. */
	const uint8_t sb[] = {
		0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 26,
		0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x09, 0x0c, 0x00, 0x04, 0x00, 0x80, 0x00, 0x11,
		0x00, 0x4f, 0x00, 0xc2, 0xa0, 0x50,
	};
	struct ata_regs r;

	assert_int_equal(ata_sense_regs(sb, sizeof(sb), &r), 0);
	assert_int_equal(r.error, 0x04);
	assert_int_equal(r.count, 0x80);
	assert_int_equal(r.lba_low, 0x11);
	assert_int_equal(r.lba_mid, 0x4f);
	assert_int_equal(r.lba_high, 0xc2);
	assert_int_equal(r.device, 0xa0);
	assert_int_equal(r.status, 0x50);
	assert_int_equal(ata_smart_status_from_regs(&r), 1);
	/* Cut short inside the descriptor: no registers. */
	assert_int_equal(ata_sense_regs(sb, sizeof(sb) - 3, &r), -ENODATA);
}

static void
test_sense_fixed(void **unused)
{
	/*
	 * Fixed format, as Debian 12's kernel returns it when D_SENSE is 0:
	 * RECOVERED ERROR, ASC/ASCQ 00h/1Dh, registers in INFORMATION and
	 * COMMAND-SPECIFIC INFORMATION.  SMART RETURN STATUS "exceeded".
	 */
	const uint8_t sb[18] = {
		0x70, 0x00, 0x01, 0x00, 0x50, 0xa0, 0x00, 0x0a,
		0x00, 0x00, 0xf4, 0x2c, 0x00, 0x1d, 0, 0, 0, 0,
	};
	uint8_t bad[18];
	struct ata_regs r;

	assert_int_equal(ata_sense_regs(sb, sizeof(sb), &r), 0);
	assert_int_equal(r.status, 0x50);
	assert_int_equal(r.device, 0xa0);
	assert_int_equal(r.lba_mid, 0xf4);
	assert_int_equal(r.lba_high, 0x2c);
	assert_int_equal(ata_smart_status_from_regs(&r), 0);
	/* Other ASC/ASCQ: the fields mean something else. */
	memcpy(bad, sb, sizeof(bad));
	bad[12] = 0x24;
	bad[13] = 0x00;
	assert_int_equal(ata_sense_regs(bad, sizeof(bad), &r), -ENODATA);
	assert_int_equal(ata_sense_regs(sb, 7, &r), -ENODATA);
	bad[0] = 0x7f;
	assert_int_equal(ata_sense_regs(bad, sizeof(bad), &r), -ENODATA);
	r.lba_mid = 1;
	assert_int_equal(ata_smart_status_from_regs(&r), -ENODATA);
}

/* ATA strings are byte-swapped 16-bit words, space padded. */
static void
ata_string(uint8_t *dst, const char *s, size_t len)
{
	size_t i;

	memset(dst, ' ', len);
	for (i = 0; s[i] != '\0' && i < len; i++)
		dst[i ^ 1] = (uint8_t)s[i];
}

static void
test_blob_loads_in_libatasmart(void **unused)
{
	uint8_t identify[512], data[512], blob[2048];
	const SkIdentifyParsedData *id;
	uint32_t good = 1;
	SkBool ok = 0;
	size_t off = 0;
	SkDisk *d;

	memset(identify, 0, sizeof(identify));
	memset(data, 0, sizeof(data));
	ata_string(identify + 20, "SERIAL123", 20);	/* words 10-19 */
	ata_string(identify + 46, "FW01", 8);		/* words 23-26 */
	ata_string(identify + 54, "TEST MODEL", 40);	/* words 27-46 */
	identify[164] = 1;	/* word 82: SMART supported */
	identify[170] = 1;	/* word 85: SMART enabled */
	assert_int_equal(ata_blob_put(blob, sizeof(blob), &off, "IDFY",
	    identify, sizeof(identify)), 0);
	assert_int_equal(ata_blob_put(blob, sizeof(blob), &off, "SMST", &good,
	    sizeof(good)), 0);
	assert_int_equal(ata_blob_put(blob, sizeof(blob), &off, "SMDT", data,
	    sizeof(data)), 0);
	assert_int_equal(off, 8 + 512 + 8 + 4 + 8 + 512);
	/* No room for another sector. */
	assert_int_equal(ata_blob_put(blob, off + 519, &off, "SMTH", data,
	    sizeof(data)), -ENOSPC);
	assert_int_equal(sk_disk_open(NULL, &d), 0);
	assert_int_equal(sk_disk_set_blob(d, blob, off), 0);
	assert_int_equal(sk_disk_identify_parse(d, &id), 0);
	assert_string_equal(id->serial, "SERIAL123");
	assert_string_equal(id->model, "TEST MODEL");
	assert_string_equal(id->firmware, "FW01");
	assert_int_equal(sk_disk_smart_status(d, &ok), 0);
	assert_true(ok);
	sk_disk_free(d);
}

/* ---- the helper process ---- */

struct answer {
	int	 n;
	int	 status[16];
	uint32_t len[16];
};

static void
on_reply(const struct fw_probe_reply *r, void *arg)
{
	struct answer *a = arg;

	a->status[a->n] = r->status;
	a->len[a->n] = r->len;
	a->n++;
}

/* A root with: sdy a regular file, sdz a FIFO nobody writes (a hang). */
static const char *
make_root(void)
{
	const char *dir = test_tmpdir();
	char path[PATH_MAX];

	test_write_file(dir, "sys/block/sdy/size", "8\n");
	test_write_file(dir, "sys/block/sdz/size", "8\n");
	test_write_file(dir, "dev/sdy", "not a disk");
	snprintf(path, sizeof(path), "%s/dev/sdz", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	test_write_file(dir, "dev/sdx", "present in /dev only");
	return dir;
}

struct rig {
	struct fw_loop	*loop;
	struct fw_probe	*p;
};

static struct rig
rig_new(void)
{
	struct rig r;

	fake_clock_reset();
	assert_int_equal(path_set_root(make_root()), 0);
	r.loop = loop_new();
	r.p = probe_new(r.loop);
	return r;
}

static void
rig_free(struct rig *r)
{
	probe_free(r->p);
	loop_free(r->loop);
	path_set_root(NULL);
}

/* Drive the loop until n answers arrived (bounded). */
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

static void
test_helper_answers(void **unused)
{
	struct rig rig = rig_new();
	struct fw_loop *loop = rig.loop;
	struct fw_probe *p = rig.p;
	struct answer a = { 0 };

	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &a), 0);
	/* Not a block device: SG_IO is refused, not a crash. */
	assert_int_equal(probe_submit(p, FW_PROBE_ATA_SMART, "sdy", 1000,
	    on_reply, &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_NVME_SMART_LOG, "sdy", 1000,
	    on_reply, &a), 0);
	/* In /dev but not in /sys: the helper did not discover it. */
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdx", 1000, on_reply,
	    &a), 0);
	wait_answers(loop, &a, 4);
	assert_int_equal(a.status[0], 0);
	/* qemu-user (the arm64 check) answers ioctls it lacks ENOSYS. */
	assert_true(a.status[1] == -ENOTTY || a.status[1] == -ENOSYS);
	assert_true(a.status[2] == -ENOTTY || a.status[2] == -ENOSYS);
	assert_int_equal(a.status[3], -ENODEV);
	assert_int_equal(probe_helpers_started(p), 1);
	/* Names are kernel names, never paths. */
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "../etc", 1000,
	    on_reply, &a), -EINVAL);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "SDA", 1000,
	    on_reply, &a), -EINVAL);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "", 1000, on_reply,
	    &a), -EINVAL);
	assert_int_equal(probe_submit(p, 99, "sdy", 1000, on_reply, &a),
	    -EINVAL);
	rig_free(&rig);
}

/*
 * probe.c's request frame as the helper reads it: a tripwire for its
 * layout, so the frame checks below test what the main side sends.
 */
struct raw_req {
	uint64_t	id;
	uint32_t	op;
	char		dev[32];
	uint32_t	timeout_ms;
	uint32_t	argc;
	char		args[FW_PROBE_ARGS_MAX];
};

/* Send len bytes of r; the status answered, or 1 when the helper hung up. */
static int
raw_frame(int fd, const struct raw_req *r, size_t len)
{
	static struct fw_probe_reply rep;
	ssize_t n;

	assert_int_equal(send(fd, r, len, MSG_NOSIGNAL), (ssize_t)len);
	n = recv(fd, &rep, sizeof(rep), 0);
	if (n == 0)
		return 1;
	assert_true(n >= (ssize_t)offsetof(struct fw_probe_reply, data));
	assert_int_equal(rep.id, r->id);
	return rep.status;
}

/* A device request is exactly its fixed part; anything else is refused. */
static void
test_helper_frames(void **unused)
{
	const size_t fixed = offsetof(struct raw_req, args);
	static struct raw_req r;
	static char big[sizeof(struct raw_req) + 64];
	int sv[2], st;
	pid_t pid;

	assert_int_equal(path_set_root(make_root()), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		probe_helper_serve(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	memset(&r, 0, sizeof(r));
	r.id = 1;
	r.op = FW_PROBE_OPEN;
	memcpy(r.dev, "sdy", 4);
	assert_int_equal(raw_frame(sv[0], &r, fixed), 0);
	r.id = 2;	/* a string tail on a device request */
	assert_int_equal(raw_frame(sv[0], &r, fixed + 1), -EINVAL);
	r.id = 3;
	r.argc = 1;
	assert_int_equal(raw_frame(sv[0], &r, fixed), -EINVAL);
	r.argc = 0;
	r.id = 4;
	r.op = 99;
	assert_int_equal(raw_frame(sv[0], &r, fixed), -EINVAL);
	r.id = 5;
	r.op = FW_PROBE_OPEN;
	memcpy(r.dev, "../etc", 7);
	assert_int_equal(raw_frame(sv[0], &r, fixed), -EINVAL);
	/* Longer than any frame: the helper stops serving. */
	memcpy(big, &r, sizeof(r));
	assert_int_equal(raw_frame(sv[0], (const struct raw_req *)big,
	    sizeof(big)), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(sv[0]);
	path_set_root(NULL);
}

static void
test_hang_replaces_helper(void **unused)
{
	struct rig rig = rig_new();
	struct fw_loop *loop = rig.loop;
	struct fw_probe *p = rig.p;
	struct answer a = { 0 };

	/* The open of sdz blocks for ever, like a dying disk. */
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdz", 200, on_reply,
	    &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &a), 0);
	wait_answers(loop, &a, 3);
	assert_int_equal(a.status[0], -ETIMEDOUT);
	/* The requests behind it are served by a fresh helper. */
	assert_int_equal(a.status[1], 0);
	assert_int_equal(a.status[2], 0);
	assert_int_equal(probe_helpers_started(p), 2);
	rig_free(&rig);
}

static void
test_free_cancels_pending(void **unused)
{
	struct rig rig = rig_new();
	struct fw_loop *loop = rig.loop;
	struct fw_probe *p = rig.p;
	struct answer a = { 0 };

	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdz", 60000,
	    on_reply, &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 60000,
	    on_reply, &a), 0);
	probe_free(p);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.status[0], -ECANCELED);
	assert_int_equal(a.status[1], -ECANCELED);
	loop_free(loop);
	path_set_root(NULL);
}

static void
test_cancel(void **unused)
{
	struct rig rig = rig_new();
	struct fw_loop *loop = rig.loop;
	struct fw_probe *p = rig.p;
	struct answer a = { 0 }, b = { 0 };

	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdz", 200, on_reply,
	    &a), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &b), 0);
	assert_int_equal(probe_submit(p, FW_PROBE_OPEN, "sdy", 1000, on_reply,
	    &a), 0);
	/* a's state is going away: neither its hung nor its queued request
	 * may call back; b's still does. */
	probe_cancel(p, &a);
	wait_answers(loop, &b, 1);
	assert_int_equal(b.status[0], 0);
	fake_clock_advance_ms(1000);
	loop_run_once(loop, 0);
	assert_int_equal(a.n, 0);
	probe_free(p);
	assert_int_equal(a.n, 0);
	loop_free(loop);
	path_set_root(NULL);
}

/* ---- vendor tools (FW_PROBE_EXEC) ---- */

struct ran {
	int	 n;
	int	 status, exit_code, sig;
	bool	 truncated;
	char	*out;
	size_t	 out_len;
	char	 err[FW_EXEC_ERR_MAX + 1];
};

static void
on_ran(const struct fw_exec_result *res, void *arg)
{
	struct ran *r = arg;

	r->n++;
	r->status = res->status;
	r->exit_code = res->exit_code;
	r->sig = res->signal;
	r->truncated = res->truncated;
	free(r->out);
	r->out = malloc(res->out_len + 1);
	memcpy(r->out, res->out, res->out_len + 1);
	r->out_len = res->out_len;
	snprintf(r->err, sizeof(r->err), "%s", res->err);
}

/* A tool script in a fresh directory, mode 0755 unless told. */
static const char *
tool(const char *name, const char *body, mode_t mode)
{
	static char path[PATH_MAX];
	const char *dir = test_tmpdir();

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	test_write_file(dir, name, body);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Drive the loop in real time (the helper's deadlines are real). */
static void
wait_ran(struct fw_loop *loop, struct ran *r, int n)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		loop_run_once(loop, 50);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (r->n < n && t.tv_sec - t0.tv_sec < 30);
	assert_int_equal(r->n, n);
}

static void
test_exec_output(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct fw_probe *p = probe_new(loop);
	struct ran r = { 0 };
	const char *argv[4];
	size_t i;

	/* 100 000 bytes of stdout (25 chunks), stderr, an exit code, argv. */
	argv[0] = tool("t.sh", "#!/bin/sh\n"
	    "i=0; while [ $i -lt 10000 ]; do echo \"line $1 $2\"; "
	    "i=$((i+1)); done | head -c 100000\n"
	    "echo \"env:$PATH:$LC_ALL:$HOME\" >&2\n"
	    "pwd > pwd.txt; echo log > storcli.log; pwd >&2\n"
	    "exit 3\n", 0755);
	argv[1] = "a b";
	argv[2] = "'$(c)'";
	argv[3] = NULL;
	assert_int_equal(probe_exec(p, argv, 10000, on_ran, &r), 0);
	wait_ran(loop, &r, 1);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.exit_code, 3);
	assert_false(r.truncated);
	assert_int_equal(r.out_len, 100000);
	assert_int_equal(strlen(r.out), 100000);
	/* Arguments arrive as given: no shell in between. */
	assert_memory_equal(r.out, "line a b '$(c)'\n", 16);
	for (i = 0; i + 16 <= r.out_len; i += 16)
		if (memcmp(r.out + i, "line a b '$(c)'\n", 16) != 0)
			break;
	assert_int_equal(i, 100000 / 16 * 16);
	assert_non_null(strstr(r.err, "env:/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin:C:/\n"));
	/* It ran in a scratch directory, and that is gone with its logs. */
	{
		char *dir = strstr(r.err, "/tmp/forewarn-tool.");
		struct stat st;

		assert_non_null(dir);
		*strchr(dir, '\n') = '\0';
		assert_int_equal(stat(dir, &st), -1);
		assert_int_equal(errno, ENOENT);
	}
	free(r.out);
	probe_free(p);
	loop_free(loop);
}

static void
test_exec_deadline(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct fw_probe *p = probe_new(loop);
	struct ran r = { 0 }, q = { 0 }, g = { 0 };
	const char *argv[2] = { NULL, NULL };
	struct timespec t0, t1;
	double secs;

	/* Hangs: SIGTERM at its deadline ends it. */
	argv[0] = tool("hang.sh", "#!/bin/sh\necho partial\nexec sleep 60\n",
	    0755);
	assert_int_equal(probe_exec(p, argv, 300, on_ran, &r), 0);
	/* Ignores SIGTERM: SIGKILL after the grace period. */
	argv[0] = tool("stubborn.sh", "#!/bin/sh\ntrap '' TERM\n"
	    "while :; do sleep 1; done\n", 0755);
	assert_int_equal(probe_exec(p, argv, 300, on_ran, &q), 0);
	/* Leaves a child holding stdout: done shortly after it exits. */
	argv[0] = tool("bg.sh", "#!/bin/sh\n(sleep 60 &)\necho done\n",
	    0755);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(probe_exec(p, argv, 30000, on_ran, &g), 0);
	wait_ran(loop, &r, 1);
	wait_ran(loop, &q, 1);
	wait_ran(loop, &g, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) /
	    1e9;
	assert_int_equal(r.status, -ETIMEDOUT);
	assert_int_equal(q.status, -ETIMEDOUT);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.exit_code, 0);
	assert_string_equal(g.out, "done\n");
	/* Not a benchmark: only that nothing waited for the 60 s sleeps. */
	assert_true(secs < 20);
	/* One helper did it all: the tools were stopped, not the helper. */
	assert_int_equal(probe_helpers_started(p), 1);
	free(r.out);
	free(q.out);
	free(g.out);
	probe_free(p);
	loop_free(loop);
}

static void
test_exec_refused(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct fw_probe *p = probe_new(loop);
	struct ran a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };
	const char *argv[2] = { NULL, NULL };
	char big[FW_PROBE_ARGS_MAX + 2];

	argv[0] = tool("ww.sh", "#!/bin/sh\necho hi\n", 0777);
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &a), 0);
	argv[0] = tool("noexec.sh", "#!/bin/sh\necho hi\n", 0644);
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &b), 0);
	argv[0] = "/nonexistent/storcli64";
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &c), 0);
	argv[0] = "storcli64";		/* never looked up on a PATH */
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &d), 0);
	/*
	 * A script whose interpreter is missing: exec's own error.  Valgrind
	 * kills a process whose execve fails, so not under make valgrind.
	 */
	argv[0] = getenv("FW_VALGRIND") ? "/nonexistent/sh" :
	    tool("badint.sh", "#!/nonexistent/sh\n", 0755);
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &e), 0);
	wait_ran(loop, &e, 1);
	assert_int_equal(a.status, -EPERM);
	assert_int_equal(b.status, -EACCES);
	assert_int_equal(c.status, -ENOENT);
	assert_int_equal(d.status, -EINVAL);
	assert_int_equal(e.status, -ENOENT);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	argv[0] = big;
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &a), -EINVAL);
	argv[0] = NULL;
	assert_int_equal(probe_exec(p, argv, 1000, on_ran, &a), -EINVAL);
	free(a.out);
	free(b.out);
	free(c.out);
	free(d.out);
	free(e.out);
	probe_free(p);
	loop_free(loop);
}

static void
test_exec_truncated(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct fw_probe *p = probe_new(loop);
	struct ran r = { 0 };
	const char *argv[2] = { NULL, NULL };

	argv[0] = tool("flood.sh", "#!/bin/sh\nhead -c 17000000 /dev/zero | "
	    "tr '\\0' x\n", 0755);
	assert_int_equal(probe_exec(p, argv, 20000, on_ran, &r), 0);
	wait_ran(loop, &r, 1);
	assert_int_equal(r.status, 0);
	assert_true(r.truncated);
	assert_true(r.out_len <= FW_EXEC_OUT_MAX);
	assert_true(r.out_len > FW_EXEC_OUT_MAX - 8192);
	free(r.out);
	probe_free(p);
	loop_free(loop);
}

static void
test_exec_cancel(void **unused)
{
	struct fw_loop *loop = loop_new();
	struct fw_probe *p = probe_new(loop);
	struct ran r = { 0 }, q = { 0 };
	const char *argv[2] = { NULL, NULL };

	argv[0] = tool("slow.sh", "#!/bin/sh\nsleep 0.3\necho x\n", 0755);
	assert_int_equal(probe_exec(p, argv, 5000, on_ran, &r), 0);
	assert_int_equal(probe_exec(p, argv, 5000, on_ran, &r), 0);
	assert_int_equal(probe_exec(p, argv, 5000, on_ran, &q), 0);
	probe_cancel(p, &r);
	wait_ran(loop, &q, 1);
	assert_int_equal(r.n, 0);
	assert_string_equal(q.out, "x\n");
	free(q.out);
	probe_free(p);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sense_descriptor),
		cmocka_unit_test(test_sense_fixed),
		cmocka_unit_test(test_blob_loads_in_libatasmart),
		cmocka_unit_test(test_helper_answers),
		cmocka_unit_test(test_helper_frames),
		cmocka_unit_test(test_hang_replaces_helper),
		cmocka_unit_test(test_free_cancels_pending),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_exec_output),
		cmocka_unit_test(test_exec_deadline),
		cmocka_unit_test(test_exec_refused),
		cmocka_unit_test(test_exec_truncated),
		cmocka_unit_test(test_exec_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
