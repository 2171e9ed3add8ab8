/* systemd's notify protocol ($NOTIFY_SOCKET datagrams) without libsystemd. */
#ifndef FOREWARN_NOTIFY_H
#define FOREWARN_NOTIFY_H

#include <stdint.h>

#include "forewarn/util.h"

/* Send one state string ("READY=1").  0, or -errno; no socket = 0. */
int		notify_send(const char *fmt, ...) FW_PRINTF(1, 2);
/* Half of $WATCHDOG_USEC in ms when the watchdog is on for us, else 0. */
uint64_t	notify_watchdog_ms(void);

#endif
