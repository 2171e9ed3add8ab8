/* forewarnd: argv, the modes (daemon, --once, --check-config, --test-alert), start-up and shut-down order. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "forewarn/clock.h"
#include "forewarn/conf.h"
#include "forewarn/core.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/notify.h"
#include "forewarn/output.h"
#include "forewarn/path.h"
#include "forewarn/privsep.h"
#include "forewarn/registry.h"
#include "forewarn/store.h"
#include "forewarn/testalert.h"
#include "forewarn/util.h"

#define EXIT_UNKNOWN 3		/* monitoring-plugin UNKNOWN */
#define DEFAULT_USER "forewarn"	/* [agent] user's default (conf.c) */

enum mode {
	MODE_DAEMON,
	MODE_ONCE,
	MODE_CHECK_CONFIG,
	MODE_TEST_ALERT,
};

struct opts {
	enum mode	 mode;
	const char	*conf_path;	/* NULL: the default file or embedded */
	const char	*root;
	const char	*state_dir;
	const char	*pid_file;
	enum fw_format	 format;
	int		 verbose;
};

struct daemon {
	struct fw_loop	*loop;
	struct fw_core	*core;
	struct opts	*o;
	uint64_t	 watchdog_ms;
	bool		 failed;	/* stopped by a fault: exit 1 */
	char		 user[64];	/* dropped to, or "" */
	uint64_t	 caps;		/* kept after the drop */
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: forewarnd [options]\n"
"  Watch disks, RAID, NICs, sensors and router links; emit failure events\n"
"  before a failing part becomes an outage.\n"
"\n"
"  (no mode)              run as a daemon in the foreground (systemd Type=notify)\n"
"  --once                 one full scan, print a report, exit 0 ok / 1 warning /\n"
"                         2 critical / 3 unknown\n"
"  --format FMT           report format for --once: text (default), json, nagios\n"
"  --check-config         validate the configuration, print it normalised, exit 0/1\n"
"  --test-alert           raise and resolve a test alert through every configured\n"
"                         sink; print what each did; exit 0 if all took both\n"
"  -c, --config FILE      configuration file (default %s,\n"
"                         else the embedded default); FILE's conf.d/*.conf follow\n"
"  --root DIR             read /sys, /proc, /dev and /etc under DIR (test fixtures)\n"
"  --state-dir DIR        state directory (default from [agent] state_dir)\n"
"  --pid-file FILE        write the daemon's pid to FILE once it has started;\n"
"                         removed when it stops\n"
"  -v, --verbose          more logging (repeat for more)\n"
"  --version              print the version\n"
"  -h, --help             this text\n"
"\n"
"Signals: HUP reloads the configuration (a bad file keeps the old one), USR1\n"
"scans now, TERM and INT stop.  Started as root, the daemon runs as the\n"
"[agent] user (default %s) once started; device requests go through a\n"
"small privileged process.\n", FW_CONF_DEFAULT_PATH, DEFAULT_USER);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_ONCE = 256, OPT_FORMAT, OPT_CHECK, OPT_ROOT, OPT_STATE,
	    OPT_VERSION, OPT_TEST_ALERT, OPT_PID_FILE };
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "test-alert", no_argument, NULL, OPT_TEST_ALERT },
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool format_given = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ONCE:
			o->mode = MODE_ONCE;
			break;
		case OPT_FORMAT:
			if (output_format_from_name(optarg, &o->format) < 0) {
				fprintf(stderr, "forewarnd: --format: '%s' is "
				    "not one of text, json, nagios\n", optarg);
				exit(EXIT_UNKNOWN);
			}
			format_given = true;
			break;
		case OPT_TEST_ALERT:
			o->mode = MODE_TEST_ALERT;
			break;
		case OPT_CHECK:
			o->mode = MODE_CHECK_CONFIG;
			break;
		case 'c':
			o->conf_path = optarg;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_STATE:
			o->state_dir = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_VERSION:
			printf("forewarnd %s\n", FW_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_UNKNOWN);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "forewarnd: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		exit(EXIT_UNKNOWN);
	}
	if (format_given && o->mode != MODE_ONCE) {
		fprintf(stderr, "forewarnd: --format goes with --once\n");
		exit(EXIT_UNKNOWN);
	}
	if (o->pid_file != NULL && o->mode != MODE_DAEMON) {
		fprintf(stderr, "forewarnd: --pid-file goes with the daemon\n");
		exit(EXIT_UNKNOWN);
	}
}

/* Load and validate; on failure print every error and return NULL. */
static struct fw_conf *
load_conf(const struct opts *o, char **ret_summary)
{
	struct fw_conf_errors errs = { NULL, 0 };
	struct fw_conf *conf = NULL;
	char *sum = NULL;
	size_t i, len;
	FILE *f;

	if (conf_load(o->conf_path, registry_schema(), &conf, &errs) == 0) {
		conf_errors_clear(&errs);
		return conf;
	}
	for (i = 0; i < errs.n; i++)
		log_warnx("%s", errs.msgs[i]);
	if (ret_summary != NULL && errs.n > 0 &&
	    (f = open_memstream(&sum, &len)) != NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(f, "%s%s", i > 0 ? "; " : "", errs.msgs[i]);
		fclose(f);
		*ret_summary = sum;
	}
	conf_errors_clear(&errs);
	return NULL;
}

static int
run_check_config(const struct opts *o)
{
	struct fw_conf *conf;

	conf = load_conf(o, NULL);
	if (conf == NULL)
		return 1;
	conf_print(conf, registry_schema(), stdout);
	conf_free(conf);
	return 0;
}

static int
run_test_alert(const struct opts *o)
{
	struct fw_conf *conf;
	int rc;

	conf = load_conf(o, NULL);
	if (conf == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	rc = test_alert_run(conf, 20 * 1000, stdout);
	conf_free(conf);
	return rc;
}

static int
run_once(const struct opts *o)
{
	struct fw_core_opts co = { o->state_dir, true };
	struct fw_conf *conf;
	struct fw_loop *loop;
	struct fw_core *core;
	enum fw_state st;

	conf = load_conf(o, NULL);
	if (conf == NULL)
		return EXIT_UNKNOWN;
	loop = loop_new();
	if (loop == NULL)
		fatal("event loop");
	core = core_new(loop, conf, &co);
	core_start(core);
	core_scan_all(core);
	/* Disk probes answer asynchronously; each has its own deadline. */
	core_settle(core, 120 * 1000);
	st = output_report(core_inventory(core), core_host(core),
	    clock_wall_ms(), o->format, stdout);
	fflush(stdout);
	core_free(core);
	loop_free(loop);
	return (int)st;
}

/* ---- privilege separation (docs/security.md) ---- */

static bool
collector_runs(const struct fw_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < registry_n_collectors; i++)
		if (strcmp(registry_collectors[i]->name, name) == 0)
			return conf_collector_enabled(conf, name);
	return false;
}

/* A listen key (the prometheus sink, the snmptrap collector) below 1024. */
static bool
low_port_listener(const struct fw_conf *conf)
{
	const char *v, *port;
	uint64_t n;
	size_t i;

	for (i = 0; i < conf->n_sections; i++) {
		const struct fw_conf_section *cs = &conf->sections[i];

		if (!conf_section_enabled(cs) ||
		    (v = conf_section_value(cs, "listen")) == NULL)
			continue;
		port = strrchr(v, ':');
		port = port != NULL ? port + 1 : v;
		if (fw_parse_u64(port, 10, &n) == 0 && n > 0 && n < 1024)
			return true;
	}
	return false;
}

/*
 * The capabilities the main process keeps as the unprivileged user, each
 * for a collector or sink that is configured and cannot work without it;
 * nothing else.  Decided at start-up: a reload cannot add one.
 */
static uint64_t
keep_caps(const struct fw_conf *conf)
{
	uint64_t keep = 0, v;

	/* ethtool netlink answers module (SFP/QSFP) EEPROM reads only with it. */
	if (collector_runs(conf, "net"))
		keep |= FW_CAP(CAP_NET_ADMIN);
	/*
	 * open(/dev/kmsg) needs it while kernel.dmesg_restrict is 1, and the
	 * kmsg collector opens it again at every reload.
	 */
	if (collector_runs(conf, "kmsg") &&
	    path_read_u64("/proc/sys/kernel/dmesg_restrict", 10, &v) == 0 &&
	    v != 0)
		keep |= FW_CAP(CAP_SYSLOG);
	/* bind() of a listener on a port below 1024. */
	if (low_port_listener(conf))
		keep |= FW_CAP(CAP_NET_BIND_SERVICE);
	return keep;
}

static const char *
caps_text(uint64_t caps, char *buf, size_t size)
{
	static const struct { int cap; const char *name; } names[] = {
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE" },
		{ CAP_SYSLOG, "CAP_SYSLOG" },
	};
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < FW_ARRAY_SIZE(names); i++)
		if ((caps & FW_CAP(names[i].cap)) && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s%s",
			    off > 0 ? " " : "", names[i].name);
	return off > 0 ? buf : caps == 0 ? "none" : "others";
}

/*
 * Fork the privileged spawner, then become [agent] user with only what
 * keep_caps() reasons out.  Not root, user = root or no such user: run on
 * as started, and say so once.  0, or -errno when the drop failed half way
 * (the daemon must not start then).
 */
static const char *
agent_user(const struct fw_conf *conf)
{
	const char *user = conf_section_value(conf_section(conf, "agent"),
	    "user");

	return user != NULL ? user : DEFAULT_USER;
}

static int
privsep_setup(const struct fw_conf *conf, const char *state_dir,
    const struct opts *o)
{
	const char *user = agent_user(conf);
	char text[128];
	uint64_t want;
	uid_t uid;
	int rc;

	if (geteuid() != 0) {
		log_info("not started as root: running as uid %u as it is, "
		    "without privilege separation", (unsigned)geteuid());
		return 0;
	}
	/*
	 * A fixture tree (tests) is its maker's, rarely readable by the
	 * default user: only a user configured outright is taken there.
	 */
	if (strcmp(path_root(), "/") != 0 &&
	    conf_section_value(conf_section(conf, "agent"), "user") == NULL) {
		log_info("--root without [agent] user: running as root, "
		    "without privilege separation");
		return 0;
	}
	if (user[0] == '\0' || strcmp(user, "root") == 0) {
		log_info("[agent] user is root: everything runs as root, "
		    "without privilege separation");
		return 0;
	}
	switch (privsep_can_drop(user)) {
	case 0:
		break;
	case -ENOENT:
		log_warnx("user '%s' does not exist: running as root, without "
		    "privilege separation", user);
		return 0;
	case -EINVAL:
		log_info("user '%s' is root: everything runs as root, without "
		    "privilege separation", user);
		return 0;
	default:
		log_warnx("no CAP_SETUID and CAP_SETGID to become '%s' with: "
		    "running as root, without privilege separation", user);
		return 0;
	}
	if ((rc = privsep_start(o->pid_file)) < 0) {
		log_warnx("cannot start the privileged spawner: %s",
		    strerror(-rc));
		return rc;
	}
	want = keep_caps(conf);
	if ((rc = privsep_drop(user, state_dir, want, &uid)) < 0) {
		log_warnx("cannot become user '%s': %s", user, strerror(-rc));
		return rc;
	}
	log_info("running as '%s' (uid %u), capabilities: %s; device probes "
	    "through the privileged spawner", user, (unsigned)uid,
	    caps_text(privsep_caps_effective(), text, sizeof(text)));
	if (access(state_dir, W_OK | X_OK) < 0)
		log_warn("state directory %s: '%s' cannot write there (a "
		    "parent directory closed to it?)", state_dir, user);
	if ((want & ~privsep_caps_effective()) != 0)
		log_warnx("the configuration needs %s, which this process was "
		    "not given (a service manager's bounding set?)",
		    caps_text(want & ~privsep_caps_effective(), text,
		    sizeof(text)));
	return 0;
}

/* What a reload cannot change once dropped: the user, the capabilities. */
static void
reload_check_privileges(const struct daemon *d, const struct fw_conf *conf)
{
	uint64_t missing;
	char text[128];

	if (d->user[0] == '\0')
		return;
	if (strcmp(agent_user(conf), d->user) != 0)
		log_warnx("[agent] user is now '%s': the daemon runs as '%s' "
		    "until it is restarted", agent_user(conf), d->user);
	missing = keep_caps(conf) & ~d->caps;
	if (missing != 0)
		log_warnx("the new configuration needs %s, which only a restart "
		    "gives", caps_text(missing, text, sizeof(text)));
}

/* Without the spawner no disk can be probed: stop, for a restart. */
static void
on_spawner_gone(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;

	log_warnx("the privileged spawner is gone; stopping");
	loop_del_fd(d->loop, fd);
	privsep_stop();
	d->failed = true;
	loop_quit(d->loop);
}

/* Created before the drop (its directory is root's), written once started. */
static int
pidfile_open(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	return fd < 0 ? -errno : fd;
}

static void
pidfile_write(int fd, const char *path)
{
	if (dprintf(fd, "%d\n", (int)getpid()) < 0)
		log_warn("%s", path);
	close(fd);
}

static void
on_stop(int signo, void *arg)
{
	struct daemon *d = arg;

	log_info("signal %d: stopping", signo);
	notify_send("STOPPING=1");
	loop_quit(d->loop);
}

static void
on_reload(int signo, void *arg)
{
	struct daemon *d = arg;
	struct fw_conf *conf;
	char *summary = NULL;

	notify_send("RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)clock_mono_now().us);
	log_info("reloading configuration");
	conf = load_conf(d->o, &summary);
	if (conf == NULL) {
		log_warnx("configuration rejected; the previous one keeps "
		    "running");
		core_set_reload_error(d->core, summary != NULL ? summary :
		    "configuration rejected");
		free(summary);
	} else {
		reload_check_privileges(d, conf);
		core_reload(d->core, conf);
		log_info("configuration reloaded");
	}
	notify_send("READY=1\nSTATUS=running");
}

static void
on_scan(int signo, void *arg)
{
	struct daemon *d = arg;

	core_scan_all(d->core);
}

/* The watchdog is petted from the loop, so a wedged loop gets restarted. */
static void
on_watchdog(void *arg)
{
	struct daemon *d = arg;

	notify_send("WATCHDOG=1");
	loop_add_timer(d->loop, (int64_t)d->watchdog_ms, on_watchdog, d);
}

static int
run_daemon(struct opts *o)
{
	struct fw_core_opts co = { o->state_dir, false };
	struct daemon d = { 0 };
	struct fw_conf *conf;
	const char *dir;
	int lock, pidfd = -1;

	conf = load_conf(o, NULL);
	if (conf == NULL)
		return 1;
	dir = o->state_dir != NULL ? o->state_dir : conf->agent.state_dir;
	lock = store_lock(dir);
	if (lock == -EWOULDBLOCK) {
		log_warnx("another forewarnd is running with the state "
		    "directory %s", dir);
		conf_free(conf);
		return 1;
	}
	if (o->pid_file != NULL && (pidfd = pidfile_open(o->pid_file)) < 0) {
		log_warnx("--pid-file %s: %s", o->pid_file, strerror(-pidfd));
		goto fail;
	}
	/* Before anything reads outside data: the config is root's. */
	if (privsep_setup(conf, dir, o) < 0)
		goto fail;
	if (privsep_running()) {
		fw_strlcpy(d.user, agent_user(conf), sizeof(d.user));
		d.caps = privsep_caps_effective();
	}
	signal(SIGPIPE, SIG_IGN);
	d.o = o;
	d.loop = loop_new();
	if (d.loop == NULL)
		fatal("event loop");
	if (privsep_running() && loop_add_fd(d.loop, privsep_fd(), EPOLLIN,
	    on_spawner_gone, &d) < 0)
		fatal("the spawner's channel");
	loop_add_signal(d.loop, SIGTERM, on_stop, &d);
	loop_add_signal(d.loop, SIGINT, on_stop, &d);
	loop_add_signal(d.loop, SIGHUP, on_reload, &d);
	loop_add_signal(d.loop, SIGUSR1, on_scan, &d);
	d.core = core_new(d.loop, conf, &co);
	core_start(d.core);
	d.watchdog_ms = notify_watchdog_ms();
	if (d.watchdog_ms > 0)
		loop_add_timer(d.loop, (int64_t)d.watchdog_ms, on_watchdog, &d);
	log_info("forewarnd %s started on %s", FW_VERSION, core_host(d.core));
	notify_send("READY=1\nSTATUS=running");
	if (pidfd >= 0)
		pidfile_write(pidfd, o->pid_file);
	loop_run(d.loop);
	core_free(d.core);
	if (privsep_running()) {
		/* The spawner removes the pid file: its directory is root's. */
		loop_del_fd(d.loop, privsep_fd());
		privsep_stop();
	} else if (o->pid_file != NULL) {
		unlink(o->pid_file);
	}
	loop_free(d.loop);
	if (lock >= 0)
		close(lock);
	return d.failed ? 1 : 0;
fail:
	if (pidfd >= 0) {
		close(pidfd);
		unlink(o->pid_file);
	}
	privsep_stop();
	conf_free(conf);
	if (lock >= 0)
		close(lock);
	return 1;
}

int
main(int argc, char **argv)
{
	struct opts o = { .mode = MODE_DAEMON, .format = FW_FORMAT_TEXT };
	enum fw_log_level lvl;

	parse_args(argc, argv, &o);
	lvl = o.mode == MODE_DAEMON ? FW_LOG_INFO : FW_LOG_WARN;
	lvl += o.verbose;
	log_init(lvl > FW_LOG_TRACE ? FW_LOG_TRACE : lvl, "forewarnd");
	if (path_set_root(o.root) < 0)
		fatalx("--root: path too long");
	switch (o.mode) {
	case MODE_CHECK_CONFIG:
		return run_check_config(&o);
	case MODE_ONCE:
		return run_once(&o);
	case MODE_TEST_ALERT:
		return run_test_alert(&o);
	default:
		return run_daemon(&o);
	}
}
