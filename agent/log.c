/* Logging to stderr with levels (OpenBSD log.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forewarn/log.h"

static enum fw_log_level log_lvl = FW_LOG_INFO;
static const char *log_prog = "forewarnd";

void
log_init(enum fw_log_level level, const char *progname)
{
	log_lvl = level;
	if (progname != NULL)
		log_prog = progname;
}

void
log_set_level(enum fw_log_level level)
{
	log_lvl = level;
}

enum fw_log_level
log_level(void)
{
	return log_lvl;
}

/*
 * prefix is the syslog-style priority that journald reads from a service's
 * stderr; a terminal gets plain lines.
 */
static void FW_PRINTF(4, 0)
vlog(enum fw_log_level level, const char *prefix, int err, const char *fmt,
    va_list ap)
{
	static int tty = -1;
	char msg[1024];

	if (level > log_lvl)
		return;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (tty)
		prefix = "";
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0)
		fprintf(stderr, "%s%s: %s: %s\n", prefix, log_prog, msg,
		    strerror(err));
	else
		fprintf(stderr, "%s%s: %s\n", prefix, log_prog, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vlog(FW_LOG_WARN, "<4>", err, fmt, ap);
	va_end(ap);
	errno = err;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(FW_LOG_WARN, "<4>", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(FW_LOG_INFO, "<6>", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(FW_LOG_DEBUG, "<7>", 0, fmt, ap);
	va_end(ap);
}

void
log_trace(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(FW_LOG_TRACE, "<7>", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vlog(FW_LOG_WARN, "<3>", err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(FW_LOG_WARN, "<3>", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
