/* systemd's notify protocol ($NOTIFY_SOCKET datagrams) without libsystemd. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "forewarn/notify.h"

int
notify_send(const char *fmt, ...)
{
	struct sockaddr_un sa;
	const char *path = getenv("NOTIFY_SOCKET");
	char msg[256];
	socklen_t salen;
	va_list ap;
	size_t n;
	int fd, rc = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, salen) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

uint64_t
notify_watchdog_ms(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t us, p;

	if (usec == NULL || fw_parse_u64(usec, 10, &us) < 0 || us == 0)
		return 0;
	if (pid != NULL && (fw_parse_u64(pid, 10, &p) < 0 ||
	    p != (uint64_t)getpid()))
		return 0;
	/* Pet at half the period, as sd_watchdog_enabled(3) advises. */
	return us / 2000 > 0 ? us / 2000 : 1;
}
