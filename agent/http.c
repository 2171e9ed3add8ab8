/* HTTP in the event loop: libcurl's multi socket interface on our epoll fds and timers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <curl/curl.h>

#include "forewarn/http.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/util.h"

struct http_xfer {
	struct fw_http		*h;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*body;		/* our copy of what is sent */
	char			*resp;
	size_t			 resp_len;
	char			 errbuf[CURL_ERROR_SIZE];
	http_done_cb		 cb;
	void			*arg;
	struct http_xfer	*next;
};

struct fw_http {
	struct fw_loop		*loop;
	CURLM			*multi;
	fw_timer_id		 timer;
	struct http_xfer	*xfers;
	size_t			 n;
};

static int	curl_ready;

int
http_errno(int code)
{
	switch (code) {
	case CURLE_OK:
		return 0;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer *x = arg;
	size_t len = size * n, room;

	room = FW_HTTP_BODY_MAX - x->resp_len;
	if (len < room)
		room = len;
	if (room > 0) {
		x->resp = xreallocarray(x->resp, x->resp_len + room + 1, 1);
		memcpy(x->resp + x->resp_len, p, room);
		x->resp_len += room;
		x->resp[x->resp_len] = '\0';
	}
	return len;		/* the rest is read and dropped */
}

static void
xfer_free(struct http_xfer *x)
{
	curl_multi_remove_handle(x->h->multi, x->easy);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x->body);
	free(x->resp);
	free(x);
}

static void
unlink_xfer(struct fw_http *h, struct http_xfer *x)
{
	struct http_xfer **pp;

	for (pp = &h->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			h->n--;
			return;
		}
}

/* Hand every finished transfer to its callback. */
static void
check_done(struct fw_http *h)
{
	struct fw_http_result res;
	struct http_xfer *x;
	CURLMsg *msg;
	int left;
	void *priv;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if ((x = priv) == NULL)
			continue;
		memset(&res, 0, sizeof(res));
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &res.status);
		res.err = http_errno(msg->data.result);
		res.what = x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(msg->data.result);
		res.body = x->resp != NULL ? x->resp : "";
		res.body_len = x->resp_len;
		unlink_xfer(h, x);
		/* The callback may start new requests or free h's users. */
		x->cb(&res, x->arg);
		xfer_free(x);
	}
}

static void
on_fd(int fd, uint32_t events, void *arg)
{
	struct fw_http *h = arg;
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

static void
on_timer(void *arg)
{
	struct fw_http *h = arg;
	int running;

	h->timer = 0;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

/* libcurl says which sockets to watch for what. */
static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct fw_http *h = userp;
	uint32_t ev = 0;

	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL)
			loop_del_fd(h->loop, s);
		curl_multi_assign(h->multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev |= EPOLLOUT;
	if (socketp == NULL) {
		if (loop_add_fd(h->loop, s, ev, on_fd, h) < 0)
			return -1;
		curl_multi_assign(h->multi, s, h);
	} else if (loop_mod_fd(h->loop, s, ev) < 0)
		return -1;
	return 0;
}

/* libcurl says when it wants to be called without socket activity. */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct fw_http *h = userp;

	if (h->timer != 0) {
		loop_del_timer(h->loop, h->timer);
		h->timer = 0;
	}
	if (timeout_ms >= 0)
		h->timer = loop_add_timer(h->loop, timeout_ms, on_timer, h);
	return 0;
}

struct fw_http *
http_new(struct fw_loop *loop)
{
	struct fw_http *h;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = 1;
	}
	h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void
http_free(struct fw_http *h)
{
	struct fw_http_result res;
	struct http_xfer *x;

	if (h == NULL)
		return;
	while ((x = h->xfers) != NULL) {
		h->xfers = x->next;
		h->n--;
		memset(&res, 0, sizeof(res));
		res.err = -ECANCELED;
		res.what = "cancelled";
		res.body = "";
		x->cb(&res, x->arg);
		xfer_free(x);	/* its sockets leave the loop through on_socket */
	}
	if (h->timer != 0)
		loop_del_timer(h->loop, h->timer);
	curl_multi_cleanup(h->multi);
	free(h);
}

size_t
http_pending(const struct fw_http *h)
{
	return h->n;
}

int
http_request(struct fw_http *h, const struct fw_http_request *req,
    http_done_cb cb, void *arg)
{
	struct http_xfer *x = xcalloc(1, sizeof(*x));
	const char *const *hp;
	char line[512];

	x->h = h;
	x->cb = cb;
	x->arg = arg;
	if ((x->easy = curl_easy_init()) == NULL) {
		free(x);
		return -ENOMEM;
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "forewarn/" FW_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : 10000L);
	if (req->body != NULL) {
		x->body = xmalloc(req->body_len + 1);
		memcpy(x->body, req->body, req->body_len);
		x->body[req->body_len] = '\0';
		curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		fw_snprintf(line, sizeof(line), "Content-Type: %s",
		    req->content_type != NULL ? req->content_type :
		    "application/json");
		x->headers = curl_slist_append(x->headers, line);
		/* No "Expect: 100-continue" round trip. */
		x->headers = curl_slist_append(x->headers, "Expect:");
	}
	for (hp = req->headers; hp != NULL && *hp != NULL; hp++)
		x->headers = curl_slist_append(x->headers, *hp);
	if (req->bearer != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(x->easy, CURLOPT_XOAUTH2_BEARER, req->bearer);
	} else if (req->user != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(x->easy, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(x->easy, CURLOPT_PASSWORD, req->password != NULL ?
		    req->password : "");
	}
	if (req->ca_file != NULL)
		curl_easy_setopt(x->easy, CURLOPT_CAINFO, req->ca_file);
	if (req->insecure) {
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		curl_slist_free_all(x->headers);
		free(x->body);
		free(x);
		return -EIO;
	}
	x->next = h->xfers;
	h->xfers = x;
	h->n++;
	return 0;
}
