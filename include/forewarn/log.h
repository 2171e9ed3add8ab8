/* Logging to stderr with levels (OpenBSD log.c). */
#ifndef FOREWARN_LOG_H
#define FOREWARN_LOG_H

#include "forewarn/util.h"

enum fw_log_level {
	FW_LOG_WARN = 0,	/* problems */
	FW_LOG_INFO = 1,	/* state changes worth a line (default) */
	FW_LOG_DEBUG = 2,	/* -v */
	FW_LOG_TRACE = 3,	/* -vv */
};

void	log_init(enum fw_log_level level, const char *progname);
void	log_set_level(enum fw_log_level level);
enum fw_log_level log_level(void);

/* log_warn appends ": strerror(errno)"; the x variants do not. */
void	log_warn(const char *fmt, ...) FW_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) FW_PRINTF(1, 2);
void	log_info(const char *fmt, ...) FW_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) FW_PRINTF(1, 2);
void	log_trace(const char *fmt, ...) FW_PRINTF(1, 2);
/* Start-up only: print and exit(1). */
void	fatal(const char *fmt, ...) FW_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *fmt, ...) FW_PRINTF(1, 2) __attribute__((noreturn));

#endif
