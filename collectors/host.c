/* The "host" collector: kernel, uptime, load and memory of the machine itself. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/path.h"
#include "forewarn/util.h"
#include "host_parse.h"

/*
 * Defaults are judgement, documented in docs/checks.md: memory is measured
 * as MemAvailable (what the kernel can hand out without swapping), load as
 * the 15-minute average per CPU, which also counts tasks stuck in
 * uninterruptible I/O — a hung disk shows up here first.
 */
static const struct fw_check_def host_checks[] = {
	{ "host.memory", "available memory (MemAvailable) as a percentage of "
	    "total", FW_CMP_BELOW, 10, 5, 2, 2, 2, "percent" },
	{ "host.swap", "swap space in use as a percentage of total",
	    FW_CMP_ABOVE, 80, 95, 5, 2, 2, "percent" },
	{ "host.load", "15-minute load average per CPU", FW_CMP_ABOVE, 2, 4,
	    0.25, 3, 3, "ratio" },
	{ "host.unreadable", "a /proc file the host collector needs cannot be "
	    "read or parsed", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ .code = NULL }
};

struct host_state {
	char	id[128];	/* machine-id, else the hostname */
	char	name[128];
};

static void
read_identity(struct host_state *st)
{
	char buf[256];

	if (path_read_line("/proc/sys/kernel/hostname", buf, sizeof(buf)) < 0)
		fw_strlcpy(buf, "localhost", sizeof(buf));
	fw_sanitize(st->name, sizeof(st->name), buf, sizeof(buf));
	if (path_read_line("/etc/machine-id", buf, sizeof(buf)) == 0 &&
	    buf[0] != '\0')
		fw_sanitize(st->id, sizeof(st->id), buf, sizeof(buf));
	else
		fw_strlcpy(st->id, st->name, sizeof(st->id));
}

static int
host_init(const struct fw_conf_section *cs, struct fw_ctx *ctx,
    void **ret_state)
{
	struct host_state *st = xcalloc(1, sizeof(*st));

	read_identity(st);
	*ret_state = st;
	return 0;
}

/* PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" from os-release. */
static void
label_os(struct fw_entity *e)
{
	char buf[4096], *line, *save = NULL, *v;
	size_t n;

	if (path_read("/etc/os-release", buf, sizeof(buf), NULL) < 0 &&
	    path_read("/usr/lib/os-release", buf, sizeof(buf), NULL) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "PRETTY_NAME=", 12) != 0)
			continue;
		v = line + 12;
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		entity_label(e, "os", "%s", v);
		return;
	}
}

static unsigned
count_cpus(void)
{
	char buf[1024];
	unsigned n;
	size_t len;

	if (path_read("/sys/devices/system/cpu/online", buf, sizeof(buf),
	    &len) == 0 && cpulist_count(buf, len, &n) == 0)
		return n;
	return 0;
}

/* Read and parse one /proc file; a failure becomes host.unreadable. */
static int
read_proc(struct fw_report *out, struct fw_entity *e, const char *path,
    char *buf, size_t size, size_t *ret_len, int *failures)
{
	int rc;

	rc = path_read(path, buf, size, ret_len);
	if (rc < 0) {
		report_check(out, e, "host.unreadable", FW_STATE_UNKNOWN,
		    "host %s: cannot read %s: %s", entity_name(e), path,
		    strerror(-rc));
		(*failures)++;
	}
	return rc;
}

static void
report_memory(struct fw_report *out, struct fw_entity *e, const char *text,
    size_t len, int *failures)
{
	struct meminfo m;
	struct fw_check *c;
	double pct;

	if (meminfo_parse(text, len, &m) < 0) {
		report_check(out, e, "host.unreadable", FW_STATE_UNKNOWN,
		    "host %s: /proc/meminfo is malformed", entity_name(e));
		(*failures)++;
		return;
	}
	report_reading(out, e, "memory_total_bytes", "bytes", (double)m.total,
	    NULL, NULL);
	report_reading(out, e, "memory_available_bytes", "bytes",
	    (double)m.available, NULL, NULL);
	report_reading(out, e, "swap_total_bytes", "bytes",
	    (double)m.swap_total, NULL, NULL);
	report_reading(out, e, "swap_free_bytes", "bytes", (double)m.swap_free,
	    NULL, NULL);
	pct = 100.0 * (double)m.available / (double)m.total;
	c = report_value(out, e, "host.memory", pct, "host %s: %.1f%% of "
	    "memory available (%.0f of %.0f MiB)", entity_name(e), pct,
	    (double)m.available / 1048576, (double)m.total / 1048576);
	check_detail_num(c, "available_bytes", (double)m.available);
	check_detail_num(c, "total_bytes", (double)m.total);
	if (m.swap_total == 0)
		return;
	pct = 100.0 * (double)(m.swap_total - m.swap_free) /
	    (double)m.swap_total;
	c = report_value(out, e, "host.swap", pct, "host %s: %.1f%% of swap in "
	    "use (%.0f of %.0f MiB)", entity_name(e), pct,
	    (double)(m.swap_total - m.swap_free) / 1048576,
	    (double)m.swap_total / 1048576);
	check_detail_num(c, "swap_total_bytes", (double)m.swap_total);
}

static void
report_load(struct fw_report *out, struct fw_entity *e, const char *text,
    size_t len, unsigned cpus, int *failures)
{
	struct loadavg l;
	struct fw_check *c;
	double per_cpu;

	if (loadavg_parse(text, len, &l) < 0) {
		report_check(out, e, "host.unreadable", FW_STATE_UNKNOWN,
		    "host %s: /proc/loadavg is malformed", entity_name(e));
		(*failures)++;
		return;
	}
	report_reading(out, e, "load1", "", l.load[0], NULL, NULL);
	report_reading(out, e, "load5", "", l.load[1], NULL, NULL);
	report_reading(out, e, "load15", "", l.load[2], NULL, NULL);
	if (cpus == 0)
		return;
	per_cpu = l.load[2] / cpus;
	c = report_value(out, e, "host.load", per_cpu, "host %s: load %.2f "
	    "over 15 min on %u CPUs (%.2f per CPU)", entity_name(e),
	    l.load[2], cpus, per_cpu);
	check_detail_num(c, "load15", l.load[2]);
	check_detail_num(c, "cpus", cpus);
}

static int
host_poll(void *state, struct fw_report *out)
{
	struct host_state *st = state;
	struct fw_entity *e;
	char buf[8192], rel[128];
	unsigned cpus;
	double up;
	size_t len;
	int failures = 0;

	e = report_entity(out, FW_KIND_HOST, st->id, st->name);
	if (path_read_line("/proc/sys/kernel/osrelease", rel, sizeof(rel)) == 0)
		entity_label(e, "kernel", "%s", rel);
	label_os(e);
	cpus = count_cpus();
	if (cpus > 0) {
		entity_label(e, "cpus", "%u", cpus);
		report_reading(out, e, "cpus", "", cpus, NULL, NULL);
	}
	if (read_proc(out, e, "/proc/uptime", buf, sizeof(buf), &len,
	    &failures) == 0 && uptime_parse(buf, len, &up) == 0)
		report_reading(out, e, "uptime_seconds", "seconds", up, NULL,
		    NULL);
	if (read_proc(out, e, "/proc/meminfo", buf, sizeof(buf), &len,
	    &failures) == 0)
		report_memory(out, e, buf, len, &failures);
	if (read_proc(out, e, "/proc/loadavg", buf, sizeof(buf), &len,
	    &failures) == 0)
		report_load(out, e, buf, len, cpus, &failures);
	if (failures == 0)
		report_check(out, e, "host.unreadable", FW_STATE_OK,
		    "host %s: /proc is readable", entity_name(e));
	return 0;
}

static void
host_teardown(void *state)
{
	free(state);
}

static const struct fw_conf_key host_keys[] = { { .name = NULL } };

const struct fw_collector host_collector = {
	.name = "host",
	.interval_ms = 60 * 1000,
	.keys = host_keys,
	.checks = host_checks,
	.init = host_init,
	.poll = host_poll,
	.teardown = host_teardown,
};
