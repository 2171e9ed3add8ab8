/* Configuration: INI files through inih into a fresh struct, validated against the built collectors and sinks. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "forewarn/collector.h"
#include "forewarn/conf.h"
#include "forewarn/sink.h"
#include "forewarn/util.h"

#define CONF_MAX_FILES		256
#define CONF_MAX_ERRORS		100
#define CONF_MAX_SECTIONS	4096

const char conf_embedded_default[] =
	"# forewarn's embedded default: every built collector with its\n"
	"# defaults, events as JSON lines on stdout.\n"
	"[agent]\n"
	"state_dir = /var/lib/forewarn\n"
	"\n"
	"[sink:stdout]\n"
	"type = stdout\n";

static const char *const no_choices[] = { NULL };

static const struct fw_conf_key agent_keys[] = {
	{ "host", FW_CONF_STRING, NULL, 0, 0, NULL,
	    "host name in events (default: the system's hostname)" },
	{ "state_dir", FW_CONF_PATH, "/var/lib/forewarn", 0, 0, NULL,
	    "directory of state.db" },
	{ "history_max", FW_CONF_INT, "10000", 100, 10000000, NULL,
	    "events kept in the store once every sink has them" },
	{ "outbox_max", FW_CONF_INT, "100000", 100, 10000000, NULL,
	    "events kept for a sink that cannot deliver; past it the oldest "
	    "are dropped, counted and logged, but never the newest of a "
	    "condition" },
	{ "renotify_warning", FW_CONF_DURATION, "24h", 0, 0, NULL,
	    "announce a still-active warning again after this long (0: never)" },
	{ "renotify_critical", FW_CONF_DURATION, "4h", 0, 0, NULL,
	    "announce a still-active critical again after this long (0: never)" },
	{ "renotify_unknown", FW_CONF_DURATION, "24h", 0, 0, NULL,
	    "announce a still-active unknown again after this long (0: never)" },
	{ "flap_changes", FW_CONF_INT, "6", 0, 32, NULL,
	    "state changes within flap_window that make a check flapping (0: off)" },
	{ "flap_window", FW_CONF_DURATION, "30m", 1000, 0, NULL,
	    "the flap detection window" },
	{ "stuck_after", FW_CONF_DURATION, "5s", 100, 600000, NULL,
	    "a collector poll longer than this raises agent.collector_stuck" },
	{ "user", FW_CONF_STRING, "forewarn", 0, 0, NULL,
	    "started as root, the daemon runs as this user (root: it does not "
	    "drop; read at start only)" },
	{ .name = NULL }
};

/* Implied keys of every collector section. */
static const struct fw_conf_key collector_common_keys[] = {
	{ "enabled", FW_CONF_BOOL, "yes", 0, 0, NULL, "run this collector" },
	{ "interval", FW_CONF_DURATION, NULL, 100, 0, NULL,
	    "poll period (default: the collector's own)" },
	{ .name = NULL }
};

static const struct fw_conf_key sink_common_keys[] = {
	{ "type", FW_CONF_STRING, NULL, 0, 0, NULL, "the sink type" },
	{ "enabled", FW_CONF_BOOL, "yes", 0, 0, NULL, "deliver to this sink" },
	{ .name = NULL }
};

static const struct fw_conf_key check_keys[] = {
	{ "enabled", FW_CONF_BOOL, "yes", 0, 0, NULL, "evaluate this check" },
	{ "warning", FW_CONF_DOUBLE, NULL, 0, 0, NULL, "warning threshold" },
	{ "critical", FW_CONF_DOUBLE, NULL, 0, 0, NULL, "critical threshold" },
	{ "hysteresis", FW_CONF_DOUBLE, NULL, 0, 1e18, NULL,
	    "how far back past a threshold a value must go to clear" },
	{ "raise_after", FW_CONF_INT, NULL, 1, 1000, NULL,
	    "consecutive bad results before raising" },
	{ "clear_after", FW_CONF_INT, NULL, 1, 1000, NULL,
	    "consecutive good results before clearing" },
	{ "renotify", FW_CONF_DURATION, NULL, 0, 0, NULL,
	    "re-announce interval for every bad state (0: never)" },
	{ .name = NULL }
};

/* ---- error collection ---- */

static void FW_PRINTF(4, 5)
add_error(struct fw_conf_errors *errs, const char *file, unsigned line,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (errs == NULL || errs->n >= CONF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1, sizeof(*errs->msgs));
	if (line > 0)
		errs->msgs[errs->n++] = xasprintf("%s:%u: %s", file, line, msg);
	else
		errs->msgs[errs->n++] = xasprintf("%s: %s", file, msg);
}

void
conf_errors_clear(struct fw_conf_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* ---- parsing ---- */

struct parse_state {
	struct fw_conf		*conf;
	struct fw_conf_errors	*errs;
	const char		*file;		/* owned by conf */
	unsigned		 line;
	const char		*text;		/* the whole input */
	size_t			 len, off;
	unsigned		 bad_header_line;	/* reported already */
};

/*
 * inih's reader callback, called once per line: counting here gives the
 * handler its line number.  A line longer than inih's buffer would be
 * split silently, so it is reported and dropped instead.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	const char *p, *nl;
	size_t n;

	if (ps->off >= ps->len || num <= 1)
		return NULL;
	p = ps->text + ps->off;
	nl = memchr(p, '\n', ps->len - ps->off);
	n = nl != NULL ? (size_t)(nl - p) + 1 : ps->len - ps->off;
	ps->off += n;
	ps->line++;
	if (memchr(p, '\0', n) != NULL) {
		add_error(ps->errs, ps->file, ps->line, "NUL byte in line");
		n = 0;
	} else if (n > (size_t)num - 1) {
		add_error(ps->errs, ps->file, ps->line, "line longer than %d "
		    "characters", num - 2);
		n = 0;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	if (n == 0) {
		str[0] = '\n';
		str[1] = '\0';
	}
	return str;
}

static struct fw_conf_section *
section_get(struct fw_conf *conf, const char *name, const char *file,
    unsigned line)
{
	struct fw_conf_section *cs;
	const char *colon;
	size_t i;

	for (i = 0; i < conf->n_sections; i++)
		if (strcmp(conf->sections[i].name, name) == 0)
			return &conf->sections[i];
	if (conf->n_sections >= CONF_MAX_SECTIONS)
		return NULL;
	conf->sections = xreallocarray(conf->sections, conf->n_sections + 1,
	    sizeof(*conf->sections));
	cs = &conf->sections[conf->n_sections++];
	memset(cs, 0, sizeof(*cs));
	cs->name = xstrdup(name);
	colon = strchr(name, ':');
	if (colon != NULL) {
		cs->kind = xasprintf("%.*s", (int)(colon - name), name);
		cs->instance = xstrdup(colon + 1);
	} else {
		cs->kind = xstrdup(name);
	}
	cs->file = file;
	cs->line = line;
	return cs;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	struct fw_conf_section *cs;
	struct fw_conf_entry *e;
	size_t i;

	if (section[0] == '\0') {
		add_error(ps->errs, ps->file, ps->line, "key '%s' outside any "
		    "section", name);
		return 1;
	}
	cs = section_get(ps->conf, section, ps->file, ps->line);
	if (cs == NULL) {
		add_error(ps->errs, ps->file, ps->line, "too many sections");
		return 1;
	}
	for (i = 0; i < cs->n_entries; i++) {
		e = &cs->entries[i];
		if (strcmp(e->key, name) != 0)
			continue;
		if (e->file == ps->file) {
			add_error(ps->errs, ps->file, ps->line, "[%s] duplicate "
			    "key '%s' (first at %s:%u)", section, name, e->file,
			    e->line);
			return 1;
		}
		/* A later file overrides an earlier one. */
		free(e->value);
		e->value = xstrdup(value);
		e->file = ps->file;
		e->line = ps->line;
		return 1;
	}
	cs->entries = xreallocarray(cs->entries, cs->n_entries + 1,
	    sizeof(*cs->entries));
	e = &cs->entries[cs->n_entries++];
	e->key = xstrdup(name);
	e->value = xstrdup(value);
	e->file = ps->file;
	e->line = ps->line;
	return 1;
}

/* Sections without keys are not seen by the handler: find them here. */
static void
scan_headers(struct parse_state *ps)
{
	const char *p = ps->text, *end = ps->text + ps->len, *nl, *close;
	char name[256];
	unsigned line = 0;
	size_t n;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		while (p < nl && isspace((unsigned char)*p))
			p++;
		if (p >= nl || *p != '[')
			continue;
		close = memchr(p, ']', (size_t)(nl - p));
		if (close == NULL) {
			add_error(ps->errs, ps->file, line, "section header "
			    "without ']'");
			if (ps->bad_header_line == 0)
				ps->bad_header_line = line;
			continue;
		}
		n = (size_t)(close - p - 1);
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		section_get(ps->conf, name, ps->file, line);
	}
}

static const char *
conf_add_file(struct fw_conf *conf, const char *name)
{
	conf->files = xreallocarray(conf->files, conf->n_files + 1,
	    sizeof(*conf->files));
	conf->files[conf->n_files] = xstrdup(name);
	return conf->files[conf->n_files++];
}

static void
parse_text(struct fw_conf *conf, const char *name, const char *text,
    size_t len, struct fw_conf_errors *errs)
{
	struct parse_state ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.conf = conf;
	ps.errs = errs;
	ps.file = conf_add_file(conf, name);
	ps.text = text;
	ps.len = len;
	scan_headers(&ps);
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	/* inih names only the first bad line; ours may have said it better. */
	if (rc > 0 && (unsigned)rc != ps.bad_header_line)
		add_error(errs, ps.file, (unsigned)rc, "syntax error (expected "
		    "'[section]', 'key = value' or a comment)");
}

static int
read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20)) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void
parse_file(struct fw_conf *conf, const char *path, struct fw_conf_errors *errs)
{
	size_t len = 0;
	char *text = NULL;
	int rc;

	rc = read_file(path, &text, &len);
	if (rc < 0) {
		add_error(errs, path, 0, "cannot read: %s", strerror(-rc));
		return;
	}
	parse_text(conf, path, text, len, errs);
	free(text);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf files of conf.d beside the main file, in name order. */
static void
parse_conf_d(struct fw_conf *conf, const char *main_path,
    struct fw_conf_errors *errs)
{
	char dir[PATH_MAX], path[PATH_MAX], *names[CONF_MAX_FILES];
	const char *slash = strrchr(main_path, '/');
	struct dirent *de;
	size_t i, n = 0, l;
	DIR *d;

	if (fw_snprintf(dir, sizeof(dir), "%.*s/conf.d",
	    slash != NULL ? (int)(slash - main_path) : 1,
	    slash != NULL ? main_path : ".") < 0)
		return;
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < CONF_MAX_FILES) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 ||
		    strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		if (fw_snprintf(path, sizeof(path), "%s/%s", dir, names[i]) == 0)
			parse_file(conf, path, errs);
		free(names[i]);
	}
}

/* ---- validation ---- */

static unsigned
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	}
	return d[la][lb];
}

/* The closest key in up to three tables, if it is within 2 edits. */
static const char *
suggest_key(const char *name, const struct fw_conf_key *const tables[3])
{
	const struct fw_conf_key *k;
	const char *best = NULL;
	unsigned bd = 3, d;
	int t;

	for (t = 0; t < 3; t++) {
		for (k = tables[t]; k != NULL && k->name != NULL; k++) {
			d = edit_distance(name, k->name);
			if (d < bd) {
				bd = d;
				best = k->name;
			}
		}
	}
	return best;
}

static const struct fw_conf_key *
key_find(const struct fw_conf_key *table, const char *name)
{
	for (; table != NULL && table->name != NULL; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static bool
bounded(const struct fw_conf_key *k)
{
	return k->min < k->max;
}

/* Check one value against its key; NULL when fine, else the reason. */
static const char *
value_problem(const struct fw_conf_key *k, const char *v, char *buf, size_t size)
{
	const char *const *c;
	uint64_t ms;
	int64_t i;
	double d;
	bool b;

	switch (k->type) {
	case FW_CONF_BOOL:
		return fw_parse_bool(v, &b) < 0 ? "not a boolean (yes/no)" : NULL;
	case FW_CONF_INT:
		if (fw_parse_i64(v, INT64_MIN, INT64_MAX, &i) < 0)
			return "not an integer";
		if (bounded(k) && (i < k->min || i > k->max)) {
			snprintf(buf, size, "out of range (%.0f..%.0f)", k->min,
			    k->max);
			return buf;
		}
		return NULL;
	case FW_CONF_DOUBLE:
		if (fw_parse_double(v, &d) < 0)
			return "not a number";
		if (bounded(k) && (d < k->min || d > k->max)) {
			snprintf(buf, size, "out of range (%g..%g)", k->min,
			    k->max);
			return buf;
		}
		return NULL;
	case FW_CONF_DURATION:
		if (fw_parse_duration_ms(v, &ms) < 0)
			return "not a duration (like 250ms, 30s, 5m, 2h, 1d)";
		if (k->min > 0 && ms < k->min) {
			snprintf(buf, size, "too short (at least %.0f ms)",
			    k->min);
			return buf;
		}
		if (k->max > 0 && ms > k->max) {
			snprintf(buf, size, "too long (at most %.0f ms)", k->max);
			return buf;
		}
		return NULL;
	case FW_CONF_ENUM:
		for (c = k->choices ? k->choices : no_choices; *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return NULL;
		return "not one of the allowed values";
	case FW_CONF_PATH:
		return v[0] == '/' ? NULL : "not an absolute path";
	default:
		return NULL;
	}
}

static void
validate_entries(struct fw_conf_section *cs,
    const struct fw_conf_key *const tables[3], struct fw_conf_errors *errs)
{
	const struct fw_conf_key *k;
	const char *why, *hint;
	char buf[128];
	size_t i;
	int t;

	for (i = 0; i < cs->n_entries; i++) {
		struct fw_conf_entry *e = &cs->entries[i];

		for (k = NULL, t = 0; t < 3 && k == NULL; t++)
			k = key_find(tables[t], e->key);
		if (k == NULL) {
			hint = suggest_key(e->key, tables);
			add_error(errs, e->file, e->line, "[%s] unknown key "
			    "'%s'%s%s%s", cs->name, e->key,
			    hint ? " (did you mean '" : "", hint ? hint : "",
			    hint ? "'?)" : "");
			continue;
		}
		why = value_problem(k, e->value, buf, sizeof(buf));
		if (why != NULL)
			add_error(errs, e->file, e->line, "[%s] %s: '%s' is %s",
			    cs->name, e->key, e->value, why);
	}
}

static const struct fw_collector *
schema_collector(const struct fw_conf_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_collectors; i++)
		if (strcmp(s->collectors[i]->name, name) == 0)
			return s->collectors[i];
	return NULL;
}

static const struct fw_sink_type *
schema_sink(const struct fw_conf_schema *s, const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < s->n_sinks; i++)
		if (strcmp(s->sinks[i]->type, type) == 0)
			return s->sinks[i];
	return NULL;
}

/* Why this build lacks name, when a build switch left it out; or NULL. */
static const char *
schema_absent(const struct fw_conf_absent *a, const char *name)
{
	for (; a != NULL && a->name != NULL && name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a->why;
	return NULL;
}

/*
 * " (this build leaves out the collectors a, b)" when switches left some
 * out, since their check codes are unknown here too; else "".
 */
static const char *
absent_hint(const struct fw_conf_schema *s, char *buf, size_t size)
{
	const struct fw_conf_absent *a = s->absent_collectors;
	size_t len;
	int n;

	if (a == NULL || a->name == NULL)
		return "";
	n = snprintf(buf, size, " (this build leaves out the collectors");
	for (; a->name != NULL && n > 0 && (size_t)n < size; a++) {
		len = (size_t)n;
		n += snprintf(buf + len, size - len, "%s %s",
		    a == s->absent_collectors ? "" : ",", a->name);
	}
	if (n < 0 || (size_t)n + 2 > size)
		return "";
	memcpy(buf + n, ")", 2);
	return buf;
}

static const struct fw_check_def *
schema_check(const struct fw_conf_schema *s, const char *code)
{
	const struct fw_check_def *d;
	size_t i;

	for (i = 0; i < s->n_collectors; i++)
		for (d = s->collectors[i]->checks; d != NULL && d->code; d++)
			if (strcmp(d->code, code) == 0)
				return d;
	return NULL;
}

static void
validate_sink(struct fw_conf_section *cs, const struct fw_conf_schema *s,
    struct fw_conf_errors *errs)
{
	const struct fw_conf_key *tables[3] = { sink_common_keys, NULL, NULL };
	const struct fw_sink_type *t;
	const char *type = conf_section_value(cs, "type"), *why;

	if (cs->instance == NULL || cs->instance[0] == '\0') {
		add_error(errs, cs->file, cs->line, "[sink] needs a name: "
		    "[sink:NAME]");
		return;
	}
	t = schema_sink(s, type);
	if (type == NULL)
		add_error(errs, cs->file, cs->line, "[%s] has no 'type'",
		    cs->name);
	else if (t == NULL && (why = schema_absent(s->absent_sinks, type)))
		add_error(errs, cs->file, cs->line, "[%s] sink type '%s' is "
		    "not built in (built with %s)", cs->name, type, why);
	else if (t == NULL)
		add_error(errs, cs->file, cs->line, "[%s] unknown sink type "
		    "'%s'", cs->name, type);
	tables[1] = t != NULL ? t->keys : NULL;
	cs->schema = tables[1];
	if (t != NULL)
		validate_entries(cs, tables, errs);
}

static void
validate_check(struct fw_conf_section *cs, const struct fw_conf_schema *s,
    struct fw_conf_errors *errs)
{
	const struct fw_conf_key *tables[3] = { check_keys, NULL, NULL };
	char code[128], hint[256];
	const char *colon;
	size_t n;

	if (cs->instance == NULL || cs->instance[0] == '\0') {
		add_error(errs, cs->file, cs->line, "[check] needs a check "
		    "code: [check:CODE] or [check:CODE:ENTITY]");
		return;
	}
	colon = strchr(cs->instance, ':');
	n = colon != NULL ? (size_t)(colon - cs->instance) :
	    strlen(cs->instance);
	if (n >= sizeof(code))
		n = sizeof(code) - 1;
	memcpy(code, cs->instance, n);
	code[n] = '\0';
	if (schema_check(s, code) == NULL)
		add_error(errs, cs->file, cs->line, "[%s] unknown check code "
		    "'%s'%s", cs->name, code, absent_hint(s, hint,
		    sizeof(hint)));
	else if (colon != NULL && colon[1] == '\0')
		add_error(errs, cs->file, cs->line, "[%s] empty entity pattern",
		    cs->name);
	cs->schema = check_keys;
	validate_entries(cs, tables, errs);
}

static void
validate_section(struct fw_conf_section *cs, const struct fw_conf_schema *s,
    struct fw_conf_errors *errs)
{
	const struct fw_conf_key *tables[3] = { NULL, NULL, NULL };
	const struct fw_collector *c;
	const char *why;

	if (strcmp(cs->name, "agent") == 0) {
		tables[0] = agent_keys;
		cs->schema = agent_keys;
		validate_entries(cs, tables, errs);
		return;
	}
	if (strcmp(cs->kind, "sink") == 0) {
		validate_sink(cs, s, errs);
		return;
	}
	if (strcmp(cs->kind, "check") == 0) {
		validate_check(cs, s, errs);
		return;
	}
	c = schema_collector(s, cs->kind);
	if (c == NULL && (why = schema_absent(s->absent_collectors,
	    cs->kind)) != NULL) {
		add_error(errs, cs->file, cs->line, "[%s] the %s collector is "
		    "not built in (built with %s)", cs->name, cs->kind, why);
		return;
	}
	if (c == NULL) {
		add_error(errs, cs->file, cs->line, "unknown section [%s]",
		    cs->name);
		return;
	}
	if (c->instances && cs->instance == NULL)
		add_error(errs, cs->file, cs->line, "[%s] needs an instance "
		    "name: [%s:NAME]", cs->name, c->name);
	else if (!c->instances && cs->instance != NULL)
		add_error(errs, cs->file, cs->line, "[%s] takes no instance "
		    "name: [%s]", cs->name, c->name);
	tables[0] = collector_common_keys;
	tables[1] = c->keys;
	cs->schema = c->keys;
	validate_entries(cs, tables, errs);
}

/* ---- resolution of [agent] ---- */

static const char *
agent_value(const struct fw_conf *conf, const char *key)
{
	const char *v = conf_section_value(conf_section(conf, "agent"), key);

	return v != NULL ? v : key_find(agent_keys, key)->def;
}

static uint64_t
agent_ms(const struct fw_conf *conf, const char *key)
{
	uint64_t ms = 0;

	fw_parse_duration_ms(agent_value(conf, key), &ms);
	return ms;
}

static void
resolve_agent(struct fw_conf *conf)
{
	struct fw_agent_conf *a = &conf->agent;
	char host[256];
	const char *v;
	int64_t i = 0;

	v = agent_value(conf, "host");
	if (v == NULL || v[0] == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			fw_strlcpy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = '\0';
		v = host;
	}
	a->host = xstrdup(v);
	a->state_dir = xstrdup(agent_value(conf, "state_dir"));
	fw_parse_i64(agent_value(conf, "history_max"), 0, INT32_MAX, &i);
	a->history_max = (unsigned)i;
	fw_parse_i64(agent_value(conf, "outbox_max"), 0, INT32_MAX, &i);
	a->outbox_max = (unsigned)i;
	a->renotify_ms[FW_STATE_OK] = 0;
	a->renotify_ms[FW_STATE_WARNING] = agent_ms(conf, "renotify_warning");
	a->renotify_ms[FW_STATE_CRITICAL] = agent_ms(conf, "renotify_critical");
	a->renotify_ms[FW_STATE_UNKNOWN] = agent_ms(conf, "renotify_unknown");
	fw_parse_i64(agent_value(conf, "flap_changes"), 0, 32, &i);
	a->flap_changes = (unsigned)i;
	a->flap_window_ms = agent_ms(conf, "flap_window");
	a->stuck_ms = agent_ms(conf, "stuck_after");
}

/* ---- loading ---- */

static int
finish(struct fw_conf *conf, const struct fw_conf_schema *schema,
    struct fw_conf **ret, struct fw_conf_errors *errs, size_t errs_before)
{
	size_t i;

	for (i = 0; i < conf->n_sections; i++)
		validate_section(&conf->sections[i], schema, errs);
	if (errs->n > errs_before) {
		conf_free(conf);
		return -EINVAL;
	}
	resolve_agent(conf);
	*ret = conf;
	return 0;
}

int
conf_load_string(const char *name, const char *text, size_t len,
    const struct fw_conf_schema *schema, struct fw_conf **ret,
    struct fw_conf_errors *errs)
{
	struct fw_conf *conf = xcalloc(1, sizeof(*conf));
	struct fw_conf_errors local = { NULL, 0 };
	size_t before;
	int rc;

	if (errs == NULL)
		errs = &local;
	before = errs->n;
	parse_text(conf, name, text, len, errs);
	rc = finish(conf, schema, ret, errs, before);
	conf_errors_clear(&local);
	return rc;
}

int
conf_load(const char *path, const struct fw_conf_schema *schema,
    struct fw_conf **ret, struct fw_conf_errors *errs)
{
	struct fw_conf_errors local = { NULL, 0 };
	struct fw_conf *conf;
	size_t before;
	int rc;

	if (path == NULL && access(FW_CONF_DEFAULT_PATH, F_OK) != 0)
		return conf_load_string("<embedded>", conf_embedded_default,
		    strlen(conf_embedded_default), schema, ret, errs);
	if (path == NULL)
		path = FW_CONF_DEFAULT_PATH;
	if (errs == NULL)
		errs = &local;
	before = errs->n;
	conf = xcalloc(1, sizeof(*conf));
	parse_file(conf, path, errs);
	parse_conf_d(conf, path, errs);
	rc = finish(conf, schema, ret, errs, before);
	conf_errors_clear(&local);
	return rc;
}

void
conf_free(struct fw_conf *conf)
{
	struct fw_conf_section *cs;
	size_t i, j;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->n_sections; i++) {
		cs = &conf->sections[i];
		for (j = 0; j < cs->n_entries; j++) {
			free(cs->entries[j].key);
			free(cs->entries[j].value);
		}
		free(cs->entries);
		free(cs->name);
		free(cs->kind);
		free(cs->instance);
	}
	free(conf->sections);
	for (i = 0; i < conf->n_files; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf->agent.host);
	free(conf->agent.state_dir);
	free(conf);
}

/* ---- getters ---- */

const struct fw_conf_section *
conf_section(const struct fw_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->n_sections; i++)
		if (strcmp(conf->sections[i].name, name) == 0)
			return &conf->sections[i];
	return NULL;
}

const char *
conf_section_value(const struct fw_conf_section *cs, const char *key)
{
	size_t i;

	if (cs == NULL)
		return NULL;
	for (i = 0; i < cs->n_entries; i++)
		if (strcmp(cs->entries[i].key, key) == 0)
			return cs->entries[i].value;
	return NULL;
}

bool
conf_section_enabled(const struct fw_conf_section *cs)
{
	const char *v = conf_section_value(cs, "enabled");
	bool b;

	if (v == NULL || fw_parse_bool(v, &b) < 0)
		return true;
	return b;
}

bool
conf_collector_enabled(const struct fw_conf *conf, const char *name)
{
	return conf_section_enabled(conf_section(conf, name));
}

uint64_t
conf_collector_interval_ms(const struct fw_conf_section *cs,
    const struct fw_collector *c)
{
	const char *v = conf_section_value(cs, "interval");
	uint64_t ms;

	if (v == NULL || fw_parse_duration_ms(v, &ms) < 0)
		return c->interval_ms;
	return ms;
}

const char *
conf_sink_type(const struct fw_conf_section *cs)
{
	return conf_section_value(cs, "type");
}

const char *
conf_get_str(const struct fw_conf_section *cs, const struct fw_conf_key *schema,
    const char *key)
{
	const struct fw_conf_key *k;
	const char *v = conf_section_value(cs, key);

	if (v != NULL)
		return v;
	k = key_find(schema, key);
	return k != NULL ? k->def : NULL;
}

bool
conf_get_bool(const struct fw_conf_section *cs, const struct fw_conf_key *schema,
    const char *key)
{
	bool b = false;

	fw_parse_bool(conf_get_str(cs, schema, key), &b);
	return b;
}

int64_t
conf_get_int(const struct fw_conf_section *cs, const struct fw_conf_key *schema,
    const char *key)
{
	int64_t i = 0;

	fw_parse_i64(conf_get_str(cs, schema, key), INT64_MIN, INT64_MAX, &i);
	return i;
}

double
conf_get_double(const struct fw_conf_section *cs,
    const struct fw_conf_key *schema, const char *key)
{
	double d = NAN;

	fw_parse_double(conf_get_str(cs, schema, key), &d);
	return d;
}

uint64_t
conf_get_duration_ms(const struct fw_conf_section *cs,
    const struct fw_conf_key *schema, const char *key)
{
	uint64_t ms = 0;

	fw_parse_duration_ms(conf_get_str(cs, schema, key), &ms);
	return ms;
}

/* Apply one [check:...] section's overrides. */
static void
apply_check_section(const struct fw_conf_section *cs,
    struct fw_check_params *p)
{
	const char *v;
	uint64_t ms;
	int s;

	if ((v = conf_section_value(cs, "enabled")) != NULL)
		fw_parse_bool(v, &p->enabled);
	if ((v = conf_section_value(cs, "warning")) != NULL)
		fw_parse_double(v, &p->warning);
	if ((v = conf_section_value(cs, "critical")) != NULL)
		fw_parse_double(v, &p->critical);
	if ((v = conf_section_value(cs, "hysteresis")) != NULL)
		fw_parse_double(v, &p->hysteresis);
	if ((v = conf_section_value(cs, "raise_after")) != NULL)
		p->raise_after = (unsigned)conf_get_int(cs, NULL, "raise_after");
	if ((v = conf_section_value(cs, "clear_after")) != NULL)
		p->clear_after = (unsigned)conf_get_int(cs, NULL, "clear_after");
	if ((v = conf_section_value(cs, "renotify")) != NULL &&
	    fw_parse_duration_ms(v, &ms) == 0)
		for (s = FW_STATE_WARNING; s < FW_STATE_COUNT; s++)
			p->renotify_ms[s] = ms;
}

void
conf_check_params(const struct fw_conf *conf, const struct fw_check_def *def,
    const char *entity_id, const char *entity_name, struct fw_check_params *ret)
{
	const struct fw_conf_section *cs;
	char name[160];
	size_t i, n;

	memset(ret, 0, sizeof(*ret));
	ret->enabled = true;
	ret->cmp = def->cmp;
	ret->warning = def->warning;
	ret->critical = def->critical;
	ret->hysteresis = def->hysteresis;
	ret->raise_after = def->raise_after > 0 ? def->raise_after : 1;
	ret->clear_after = def->clear_after > 0 ? def->clear_after : 1;
	memcpy(ret->renotify_ms, conf->agent.renotify_ms,
	    sizeof(ret->renotify_ms));
	ret->renotify_ms[FW_STATE_OK] = 0;
	ret->flap_changes = conf->agent.flap_changes;
	ret->flap_window_ms = conf->agent.flap_window_ms;
	if (fw_snprintf(name, sizeof(name), "check:%s", def->code) < 0)
		return;
	cs = conf_section(conf, name);
	if (cs != NULL)
		apply_check_section(cs, ret);
	n = strlen(name);
	for (i = 0; i < conf->n_sections; i++) {
		cs = &conf->sections[i];
		if (strncmp(cs->name, name, n) != 0 || cs->name[n] != ':')
			continue;
		if (fnmatch(cs->name + n + 1, entity_id, 0) == 0 ||
		    (entity_name != NULL &&
		    fnmatch(cs->name + n + 1, entity_name, 0) == 0)) {
			apply_check_section(cs, ret);
			break;
		}
	}
	if (ret->raise_after == 0)
		ret->raise_after = 1;
	if (ret->clear_after == 0)
		ret->clear_after = 1;
}

/* ---- printing ---- */

static void
print_table(const struct fw_conf_section *cs, const struct fw_conf_key *t,
    FILE *out)
{
	const char *v;

	for (; t != NULL && t->name != NULL; t++) {
		v = conf_section_value(cs, t->name);
		if (v != NULL)
			fprintf(out, "%s = %s\n", t->name, v);
		else if (t->def != NULL)
			fprintf(out, "%s = %s\t# default\n", t->name, t->def);
	}
}

void
conf_print(const struct fw_conf *conf, const struct fw_conf_schema *schema,
    FILE *out)
{
	const struct fw_conf_section *cs;
	const struct fw_collector *c;
	const struct fw_sink_type *t;
	size_t i;

	fprintf(out, "[agent]\nhost = %s\nstate_dir = %s\n", conf->agent.host,
	    conf->agent.state_dir);
	/* host and state_dir above are resolved; the rest as configured. */
	print_table(conf_section(conf, "agent"), &agent_keys[2], out);
	for (i = 0; i < conf->n_sections; i++) {
		cs = &conf->sections[i];
		if (strcmp(cs->name, "agent") == 0)
			continue;
		fprintf(out, "\n[%s]\n", cs->name);
		if (strcmp(cs->kind, "sink") == 0) {
			t = schema_sink(schema, conf_sink_type(cs));
			print_table(cs, sink_common_keys, out);
			print_table(cs, t != NULL ? t->keys : NULL, out);
		} else if (strcmp(cs->kind, "check") == 0) {
			print_table(cs, check_keys, out);
		} else if ((c = schema_collector(schema, cs->kind)) != NULL) {
			print_table(cs, collector_common_keys, out);
			print_table(cs, c->keys, out);
		}
	}
}
