/*
 * The Prometheus sink: what the agent knows now — every check's latest
 * state and value, every reading, every entity — in the text exposition
 * format, served at /metrics by libmicrohttpd inside our event loop
 * (loopback by default), and/or written atomically to a file for
 * node_exporter's textfile collector.  Events only count here; the state
 * is read from the inventory at scrape time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "forewarn/inventory.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/sink.h"
#include "forewarn/util.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom_sink {
	char			 name[64];
	struct fw_loop		*loop;
	struct fw_inventory	*inv;
	char			 host[256];
	struct MHD_Daemon	*mhd;
	int			 mhd_fd;
	fw_timer_id		 mhd_timer;
	char			*textfile;
	int64_t			 textfile_ms;
	fw_timer_id		 textfile_timer;
	uint64_t		 events[FW_STATE_COUNT];
	uint64_t		 scrapes;
};

static const struct fw_conf_key prom_keys[] = {
	{ "listen", FW_CONF_STRING, "127.0.0.1:9848", 0, 0, NULL,
	    "ADDRESS:PORT to serve /metrics on ([::1]:PORT for IPv6), or off" },
	{ "textfile", FW_CONF_PATH, NULL, 0, 0, NULL,
	    "also write the metrics to this file (atomically), for "
	    "node_exporter's textfile collector: a name ending in .prom" },
	{ "textfile_interval", FW_CONF_DURATION, "60s", 1000, 3600000, NULL,
	    "how often the file is written" },
	{ .name = NULL }
};

/* The exposition format's label value escapes: \\, \" and \n. */
static void
put_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

/* A metric or label name: [a-zA-Z_][a-zA-Z0-9_]*, others become '_'. */
static void
put_name(FILE *f, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (i > 0 && c >= '0' && c <= '9');

		fputc(ok ? c : '_', f);
	}
}

static void
put_entity_labels(FILE *f, const struct prom_sink *ps,
    const struct fw_entity *e)
{
	fputs("host=\"", f);
	put_value(f, ps->host);
	fputs("\",entity_kind=\"", f);
	put_value(f, kind_name(e->kind));
	fputs("\",entity_id=\"", f);
	put_value(f, e->id);
	fputs("\",entity_name=\"", f);
	put_value(f, e->name);
	fputc('"', f);
}

static void
put_number(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else
		fprintf(f, "%.17g", v);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every family once, its samples together, as the format wants. */
static void
render(struct prom_sink *ps, FILE *f)
{
	struct fw_entity **ents = NULL;
	const char **names = NULL;
	size_t n = 0, i, j, k, n_names = 0;
	static const char *const states[] = { "ok", "warning", "critical",
	    "unknown" };

	if (ps->inv != NULL)
		n = inventory_list(ps->inv, &ents);

	fputs("# HELP forewarn_check_state The state of the check's latest "
	    "result: 0 ok, 1 warning, 2 critical, 3 unknown.\n"
	    "# TYPE forewarn_check_state gauge\n", f);
	for (i = 0; i < n; i++)
		for (j = 0; j < ents[i]->n_checks; j++) {
			fputs("forewarn_check_state{", f);
			put_entity_labels(f, ps, ents[i]);
			fputs(",check=\"", f);
			put_value(f, ents[i]->checks[j].code);
			fprintf(f, "\"} %d\n", (int)ents[i]->checks[j].state);
		}

	fputs("# HELP forewarn_check_value The value the check judged, in "
	    "the unit of its documentation.\n"
	    "# TYPE forewarn_check_value gauge\n", f);
	for (i = 0; i < n; i++)
		for (j = 0; j < ents[i]->n_checks; j++) {
			if (!ents[i]->checks[j].has_value)
				continue;
			fputs("forewarn_check_value{", f);
			put_entity_labels(f, ps, ents[i]);
			fputs(",check=\"", f);
			put_value(f, ents[i]->checks[j].code);
			fputs("\"} ", f);
			put_number(f, ents[i]->checks[j].value);
			fputc('\n', f);
		}

	/* Readings: one family per metric name, in name order. */
	for (i = 0; i < n; i++)
		for (j = 0; j < ents[i]->n_readings; j++) {
			names = xreallocarray(names, n_names + 1,
			    sizeof(*names));
			names[n_names++] = ents[i]->readings[j].metric;
		}
	if (n_names > 0)
		qsort(names, n_names, sizeof(*names), str_cmp);
	for (k = 0; k < n_names; k++) {
		if (k > 0 && strcmp(names[k], names[k - 1]) == 0)
			continue;
		fputs("# HELP forewarn_", f);
		put_name(f, names[k]);
		fputs(" A reading a collector reports (docs/checks.md).\n"
		    "# TYPE forewarn_", f);
		put_name(f, names[k]);
		fputs(" gauge\n", f);
		for (i = 0; i < n; i++)
			for (j = 0; j < ents[i]->n_readings; j++) {
				const struct fw_reading *r =
				    &ents[i]->readings[j];

				if (strcmp(r->metric, names[k]) != 0)
					continue;
				fputs("forewarn_", f);
				put_name(f, r->metric);
				fputc('{', f);
				put_entity_labels(f, ps, ents[i]);
				if (r->label_key != NULL &&
				    r->label_value != NULL) {
					fputs(",", f);
					put_name(f, r->label_key);
					fputs("=\"", f);
					put_value(f, r->label_value);
					fputc('"', f);
				}
				fputs("} ", f);
				put_number(f, r->value);
				fputc('\n', f);
			}
	}
	free(names);

	fputs("# HELP forewarn_entity_info An entity the agent watches, with "
	    "its labels.\n# TYPE forewarn_entity_info gauge\n", f);
	for (i = 0; i < n; i++) {
		fputs("forewarn_entity_info{", f);
		put_entity_labels(f, ps, ents[i]);
		for (j = 0; j < ents[i]->n_labels; j++) {
			/* Our own label names win over an entity's. */
			if (strcmp(ents[i]->labels[j].key, "host") == 0 ||
			    strncmp(ents[i]->labels[j].key, "entity_", 7) == 0)
				continue;
			fputs(",", f);
			put_name(f, ents[i]->labels[j].key);
			fputs("=\"", f);
			put_value(f, ents[i]->labels[j].value);
			fputc('"', f);
		}
		fputs("} 1\n", f);
	}

	fputs("# HELP forewarn_events_total Events this sink has seen since "
	    "the agent started, by the state they announced.\n"
	    "# TYPE forewarn_events_total counter\n", f);
	for (i = 0; i < FW_STATE_COUNT; i++)
		fprintf(f, "forewarn_events_total{state=\"%s\"} %llu\n",
		    states[i], (unsigned long long)ps->events[i]);
	fputs("# HELP forewarn_scrapes_total Scrapes of /metrics since the "
	    "agent started.\n# TYPE forewarn_scrapes_total counter\n", f);
	fprintf(f, "forewarn_scrapes_total %llu\n",
	    (unsigned long long)ps->scrapes);
}

static char *
render_text(struct prom_sink *ps, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	render(ps, f);
	fclose(f);
	*ret_len = len;
	return buf;
}

/* ---- the HTTP endpoint ---- */

static enum MHD_Result
on_request(void *arg, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct prom_sink *ps = arg;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	unsigned status = MHD_HTTP_OK;
	char *body;
	size_t len;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		body = xstrdup("only GET\n");
		len = strlen(body);
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") != 0) {
		body = xstrdup("forewarnd: see /metrics\n");
		len = strlen(body);
		status = MHD_HTTP_NOT_FOUND;
	} else {
		ps->scrapes++;
		if ((body = render_text(ps, &len)) == NULL)
			return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    status == MHD_HTTP_OK ? PROM_CONTENT_TYPE : "text/plain");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void	mhd_schedule(struct prom_sink *ps);

static void
mhd_step(struct prom_sink *ps)
{
	MHD_run(ps->mhd);
	mhd_schedule(ps);
}

static void
on_mhd_fd(int fd, uint32_t events, void *arg)
{
	mhd_step(arg);
}

static void
on_mhd_timer(void *arg)
{
	struct prom_sink *ps = arg;

	ps->mhd_timer = 0;
	mhd_step(ps);
}

/* Connection timeouts are libmicrohttpd's to run: wake it when it asks. */
static void
mhd_schedule(struct prom_sink *ps)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (ps->mhd_timer != 0) {
		loop_del_timer(ps->loop, ps->mhd_timer);
		ps->mhd_timer = 0;
	}
	if (MHD_get_timeout(ps->mhd, &ms) == MHD_YES)
		ps->mhd_timer = loop_add_timer(ps->loop, ms > 60000 ? 60000 :
		    (int64_t)ms, on_mhd_timer, ps);
}

static int
parse_listen(const char *s, struct sockaddr_storage *ss)
{
	char host[128];
	const char *colon;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (colon == NULL || (size_t)(colon - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(colon - s - 1));
		host[colon - s - 1] = '\0';
		colon++;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	if (fw_parse_u64(colon + 1, 10, &port) < 0 || port == 0 ||
	    port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return AF_INET6;
	}
	return -EINVAL;
}

/* ---- the textfile ---- */

static void
write_textfile(void *arg)
{
	struct prom_sink *ps = arg;
	char tmp[PATH_MAX], *body;
	size_t len;
	FILE *f;

	ps->textfile_timer = loop_add_timer(ps->loop, ps->textfile_ms,
	    write_textfile, ps);
	if ((body = render_text(ps, &len)) == NULL)
		return;
	/* node_exporter reads *.prom: a dot file is not read half-written. */
	if (fw_snprintf(tmp, sizeof(tmp), "%s.%d.tmp", ps->textfile,
	    (int)getpid()) < 0 || (f = fopen(tmp, "we")) == NULL) {
		log_warnx("sink %s: %s: %s", ps->name, ps->textfile,
		    strerror(errno));
		free(body);
		return;
	}
	if (fwrite(body, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		log_warnx("sink %s: writing %s: %s", ps->name, tmp,
		    strerror(errno));
		fclose(f);
		unlink(tmp);
	} else if (fclose(f) != 0 || rename(tmp, ps->textfile) != 0) {
		log_warnx("sink %s: %s: %s", ps->name, ps->textfile,
		    strerror(errno));
		unlink(tmp);
	}
	free(body);
}

/* ---- the sink ---- */

static int
prom_init(const struct fw_conf_section *cs, const struct fw_sink_env *env,
    void **ret_state)
{
	struct prom_sink *ps = xcalloc(1, sizeof(*ps));
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	const char *listen, *tf;
	int af;

	*ret_state = ps;
	ps->mhd_fd = -1;
	fw_strlcpy(ps->name, cs != NULL && cs->instance != NULL ?
	    cs->instance : "prometheus", sizeof(ps->name));
	fw_strlcpy(ps->host, env->host != NULL ? env->host : "",
	    sizeof(ps->host));
	ps->loop = env->loop;
	ps->inv = env->inventory;
	listen = conf_get_str(cs, prom_keys, "listen");
	if (listen != NULL && strcmp(listen, "off") != 0) {
		if ((af = parse_listen(listen, &ss)) < 0) {
			log_warnx("sink %s: listen = %s is not ADDRESS:PORT",
			    ps->name, listen);
			return -EINVAL;
		}
		ps->mhd = MHD_start_daemon(MHD_USE_EPOLL |
		    (af == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
		    on_request, ps, MHD_OPTION_SOCK_ADDR, &ss,
		    MHD_OPTION_CONNECTION_LIMIT, 32u,
		    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
		if (ps->mhd == NULL) {
			log_warnx("sink %s: cannot serve on %s: %s", ps->name,
			    listen, strerror(errno));
			return errno != 0 ? -errno : -EADDRINUSE;
		}
		info = MHD_get_daemon_info(ps->mhd,
		    MHD_DAEMON_INFO_EPOLL_FD);
		if (info == NULL || loop_add_fd(ps->loop, info->epoll_fd,
		    EPOLLIN, on_mhd_fd, ps) < 0)
			return -EIO;
		ps->mhd_fd = info->epoll_fd;
		mhd_schedule(ps);
		log_info("sink %s: serving /metrics on %s", ps->name, listen);
	}
	if ((tf = conf_get_str(cs, prom_keys, "textfile")) != NULL) {
		ps->textfile = xstrdup(tf);
		ps->textfile_ms = (int64_t)conf_get_duration_ms(cs, prom_keys,
		    "textfile_interval");
		ps->textfile_timer = loop_add_timer(ps->loop, 1000,
		    write_textfile, ps);
	}
	return 0;
}

static int
prom_deliver(void *state, int64_t seq, const char *json, size_t len)
{
	struct prom_sink *ps = state;
	const char *st;
	json_t *ev;
	size_t i;

	if ((ev = json_loadb(json, len, 0, NULL)) == NULL)
		return 0;	/* counted nowhere; the others judge it */
	st = json_string_value(json_object_get(ev, "state"));
	for (i = 0; st != NULL && i < FW_STATE_COUNT; i++)
		if (strcmp(st, state_name((enum fw_state)i)) == 0)
			ps->events[i]++;
	json_decref(ev);
	return 0;
}

static void
prom_teardown(void *state)
{
	struct prom_sink *ps = state;

	if (ps == NULL)
		return;
	if (ps->mhd_timer != 0)
		loop_del_timer(ps->loop, ps->mhd_timer);
	if (ps->textfile_timer != 0)
		loop_del_timer(ps->loop, ps->textfile_timer);
	if (ps->mhd_fd >= 0)
		loop_del_fd(ps->loop, ps->mhd_fd);
	if (ps->mhd != NULL)
		MHD_stop_daemon(ps->mhd);
	free(ps->textfile);
	free(ps);
}

const struct fw_sink_type prometheus_sink_type = {
	.type = "prometheus",
	.keys = prom_keys,
	.init = prom_init,
	.deliver = prom_deliver,
	.teardown = prom_teardown,
};
