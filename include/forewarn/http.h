/*
 * HTTP requests in the event loop: libcurl's multi interface with its
 * sockets and timeout fed to our epoll loop, so a slow or dead server never
 * blocks anything.  One client per sink, so one sink's stuck server does not
 * hold up another's requests.
 */
#ifndef FOREWARN_HTTP_H
#define FOREWARN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_loop;
struct fw_http;

#define FW_HTTP_BODY_MAX	(64 * 1024)	/* of a response we keep */

struct fw_http_request {
	const char	*url;
	const char	*body;		/* POSTed when not NULL */
	size_t		 body_len;
	const char	*content_type;	/* default application/json */
	const char	*const *headers;	/* "Name: value", NULL-ended */
	long		 timeout_ms;	/* the whole exchange */
	const char	*ca_file;	/* NULL: the system's */
	bool		 insecure;	/* skip TLS verification */
	const char	*user;		/* basic auth, with password */
	const char	*password;
	const char	*bearer;	/* Authorization: Bearer */
};

/*
 * The outcome: status is the HTTP status (0 when there was no answer) and
 * err 0, or -errno for the transport (-ECONNREFUSED, -ETIMEDOUT,
 * -EHOSTUNREACH, -EPROTO for TLS, -EIO otherwise) with what saying it.  The
 * body is the response's first FW_HTTP_BODY_MAX bytes, NUL-terminated.
 */
struct fw_http_result {
	long		 status;
	int		 err;
	const char	*what;
	const char	*body;
	size_t		 body_len;
};

typedef void	(*http_done_cb)(const struct fw_http_result *res, void *arg);

struct fw_http	*http_new(struct fw_loop *loop);
/*
 * Cancels what is in flight: each callback runs with err -ECANCELED, and
 * must not start a request on h then.  A callback must not free h.
 */
void		 http_free(struct fw_http *h);

/*
 * Start a request; cb runs from the loop when it ends (never from inside
 * this call).  0 or -errno (the request could not be set up).
 */
int	http_request(struct fw_http *h, const struct fw_http_request *req,
	    http_done_cb cb, void *arg);
/* Requests in flight. */
size_t	http_pending(const struct fw_http *h);

/* The transport error's -errno for a libcurl code (for the tests). */
int	http_errno(int curl_code);

#endif
