/* The state store on SQLite (WAL): conditions, baselines, the event outbox and sink cursors; degrades to memory, never crashes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "forewarn/log.h"
#include "forewarn/store.h"
#include "forewarn/util.h"

#define STORE_SCHEMA_VERSION 1

static const char store_schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS conditions(key TEXT NOT NULL,"
	" check_code TEXT NOT NULL, state INT, announced INT, since_ms INT,"
	" last_notify_ms INT, updated_ms INT, flapping INT, changes TEXT,"
	" PRIMARY KEY(key, check_code));"
	"CREATE TABLE IF NOT EXISTS baselines(key TEXT NOT NULL, name TEXT NOT NULL,"
	" value REAL, time_ms INT, PRIMARY KEY(key, name));"
	"CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time_ms INT, fingerprint TEXT, json TEXT NOT NULL, crc INT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cursors(sink TEXT PRIMARY KEY, seq INT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_fingerprint ON events(fingerprint, seq);";

enum stmt_id {
	ST_COND_PUT,
	ST_COND_DEL,
	ST_COND_ALL,
	ST_BASE_GET,
	ST_BASE_PUT,
	ST_EV_ADD,
	ST_EV_AFTER,
	ST_EV_LATEST,
	ST_EV_LAST,
	ST_CUR_GET,
	ST_CUR_PUT,
	ST_META_GET,
	ST_META_PUT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_COND_PUT] = "INSERT OR REPLACE INTO conditions VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_COND_DEL] = "DELETE FROM conditions WHERE key=? AND check_code=?",
	[ST_COND_ALL] = ("SELECT key, check_code, state, announced, since_ms,"
	    " last_notify_ms, updated_ms, flapping, changes FROM conditions"),
	[ST_BASE_GET] = "SELECT value, time_ms FROM baselines WHERE key=? AND name=?",
	[ST_BASE_PUT] = "INSERT OR REPLACE INTO baselines VALUES(?,?,?,?)",
	[ST_EV_ADD] = "INSERT INTO events(time_ms, fingerprint, json, crc) VALUES(?,?,?,?)",
	[ST_EV_AFTER] = "SELECT seq, json, crc FROM events WHERE seq>? ORDER BY seq LIMIT ?",
	[ST_EV_LATEST] = ("SELECT seq, json, crc FROM events WHERE seq IN"
	    " (SELECT MAX(seq) FROM events GROUP BY fingerprint) ORDER BY seq"),
	[ST_EV_LAST] = "SELECT seq FROM sqlite_sequence WHERE name='events'",
	[ST_CUR_GET] = "SELECT seq FROM cursors WHERE sink=?",
	[ST_CUR_PUT] = "INSERT OR REPLACE INTO cursors VALUES(?,?)",
	[ST_META_GET] = "SELECT value FROM meta WHERE key=?",
	[ST_META_PUT] = "INSERT OR REPLACE INTO meta VALUES(?,?)",
};

struct fw_store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
	char		*path;		/* DIR/state.db */
	bool		 memory;	/* working on ":memory:" */
	bool		 degraded;
	char		*reason;
	bool		 in_tx;
};

static uint32_t
json_crc(const char *json, size_t len)
{
	return (uint32_t)fw_fnv64(FW_FNV64_SEED, json, len);
}

static void
finalize_all(struct fw_store *s)
{
	size_t i;

	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}

/* Pragmas, schema and statements on s->db; 0 or an SQLite error code. */
static int
prepare_db(struct fw_store *s, bool file)
{
	char *err = NULL;
	size_t i;
	int rc;

	sqlite3_busy_timeout(s->db, 2000);
	if (file) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL;"
		    "PRAGMA synchronous=FULL;", NULL, NULL, &err);
		sqlite3_free(err);
		if (rc != SQLITE_OK)
			return rc;
	}
	rc = sqlite3_exec(s->db, store_schema, NULL, NULL, &err);
	sqlite3_free(err);
	if (rc != SQLITE_OK)
		return rc;
	for (i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static void
set_degraded(struct fw_store *s, const char *what, const char *detail)
{
	char msg[512];

	if (what != NULL)
		snprintf(msg, sizeof(msg), "%s: %s: %s", s->path, what, detail);
	else
		snprintf(msg, sizeof(msg), "%s: %s", s->path, detail);
	free(s->reason);
	s->reason = xstrdup(msg);
	s->degraded = true;
}

/*
 * Move to an in-memory database, copying what the old connection still
 * gives (src may be NULL).  Memory always works, short of OOM.
 */
static void
go_memory(struct fw_store *s, sqlite3 *src)
{
	sqlite3_backup *b;
	sqlite3 *mem = NULL;

	finalize_all(s);
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
		fprintf(stderr, "forewarnd: cannot open an in-memory database\n");
		abort();
	}
	if (src != NULL) {
		b = sqlite3_backup_init(mem, "main", src, "main");
		if (b != NULL) {
			sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
		}
	}
	if (s->db != NULL && s->db != src)
		sqlite3_close_v2(s->db);
	if (src != NULL)
		sqlite3_close_v2(src);
	s->db = mem;
	s->memory = true;
	s->in_tx = false;
	if (prepare_db(s, false) != SQLITE_OK) {
		/* A copied file with a broken schema: start empty. */
		finalize_all(s);
		sqlite3_close_v2(s->db);
		sqlite3_open(":memory:", &s->db);
		prepare_db(s, false);
	}
}

static int
check_file(struct fw_store *s)
{
	sqlite3_stmt *st;
	const char *v;
	int rc, ver = 0;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (v == NULL || strcmp(v, "ok") != 0) {
		sqlite3_finalize(st);
		return rc == SQLITE_ROW ? SQLITE_CORRUPT : rc;
	}
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			ver = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (ver > STORE_SCHEMA_VERSION)
		return -1;
	return SQLITE_OK;
}

static int
mkdir_state(const char *dir)
{
	struct stat sb;

	if (mkdir(dir, 0750) == 0 || errno == EEXIST) {
		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
			return 0;
		return -ENOTDIR;
	}
	return -errno;
}

static void
open_rw(struct fw_store *s, const char *dir)
{
	int rc;

	rc = mkdir_state(dir);
	if (rc < 0) {
		set_degraded(s, "cannot create the state directory",
		    strerror(-rc));
		go_memory(s, NULL);
		return;
	}
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = check_file(s);
	if (rc == -1) {
		set_degraded(s, NULL, "written by a newer forewarnd "
		    "(schema version above 1); left untouched");
		go_memory(s, s->db);
		return;
	}
	if (rc == SQLITE_OK)
		rc = prepare_db(s, true);
	if (rc != SQLITE_OK) {
		set_degraded(s, NULL, s->db != NULL ?
		    sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		/* A corrupt file gives nothing worth copying. */
		if (s->db != NULL)
			sqlite3_close_v2(s->db);
		s->db = NULL;
		go_memory(s, NULL);
	}
}

static void
open_ro(struct fw_store *s)
{
	sqlite3 *src = NULL;
	int rc;

	if (access(s->path, F_OK) != 0) {
		go_memory(s, NULL);
		return;
	}
	rc = sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		struct fw_store probe = { .db = src };

		rc = check_file(&probe);
	}
	if (rc != SQLITE_OK) {
		set_degraded(s, NULL, rc == -1 ? "newer schema" :
		    src != NULL ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		sqlite3_close_v2(src);
		go_memory(s, NULL);
		return;
	}
	go_memory(s, src);
}

int
store_lock(const char *dir)
{
	char path[PATH_MAX];
	int fd, rc;

	rc = mkdir_state(dir);
	if (rc < 0)
		return rc;
	if (fw_snprintf(path, sizeof(path), "%s/forewarnd.lock", dir) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		close(fd);
		return rc == -EAGAIN ? -EWOULDBLOCK : rc;
	}
	return fd;
}

struct fw_store *
store_open(const char *dir, bool readonly)
{
	struct fw_store *s = xcalloc(1, sizeof(*s));

	s->path = xasprintf("%s/%s", dir, FW_STORE_FILE);
	if (readonly)
		open_ro(s);
	else
		open_rw(s, dir);
	if (!s->memory)
		store_meta_put(s, "schema_version", "1");
	return s;
}

void
store_close(struct fw_store *s)
{
	if (s == NULL)
		return;
	if (s->in_tx)
		store_commit(s);
	finalize_all(s);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s->reason);
	free(s);
}

bool
store_degraded(const struct fw_store *s)
{
	return s->degraded;
}

const char *
store_reason(const struct fw_store *s)
{
	return s->reason != NULL ? s->reason : "";
}

const char *
store_path(const struct fw_store *s)
{
	return s->memory ? ":memory:" : s->path;
}

/* Errors that mean the file is unusable for writing. */
static bool
fatal_for_file(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return true;
	default:
		return false;
	}
}

/*
 * A write failed on the file: degrade, copying what the file still holds,
 * and tell the caller to retry on memory.
 */
static bool
degrade_on(struct fw_store *s, int rc)
{
	sqlite3 *old;

	if (s->memory || !fatal_for_file(rc))
		return false;
	set_degraded(s, NULL, sqlite3_errstr(rc));
	log_warnx("%s", s->reason);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	old = s->db;
	s->db = NULL;
	finalize_all(s);
	go_memory(s, old);
	return true;
}

/* Step a bound write statement; on a file failure degrade and retry. */
static int
step_write(struct fw_store *s, enum stmt_id id,
    void (*bind)(sqlite3_stmt *st, const void *arg), const void *arg)
{
	sqlite3_stmt *st;
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		st = s->st[id];
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		bind(st, arg);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 0;
		if (!degrade_on(s, rc))
			break;
	}
	log_debug("store: %s", sqlite3_errstr(rc));
	return -EIO;
}

int
store_begin(struct fw_store *s)
{
	int rc;

	if (s->in_tx)
		return 0;
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK && degrade_on(s, rc))
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	s->in_tx = rc == SQLITE_OK;
	return rc == SQLITE_OK ? 0 : -EIO;
}

int
store_commit(struct fw_store *s)
{
	int rc;

	if (!s->in_tx)
		return 0;
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s->in_tx = false;
	if (rc == SQLITE_OK)
		return 0;
	/* The batch is lost for the file; the caller's next pass rewrites it. */
	s->in_tx = true;
	if (!degrade_on(s, rc))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = false;
	return -EIO;
}

/* ---- conditions ---- */

static void
bind_cond(sqlite3_stmt *st, const void *arg)
{
	const struct fw_condition *c = arg;
	char buf[FW_FLAP_HISTORY * 21 + 1];
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < c->n_changes && i < FW_FLAP_HISTORY; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%lld",
		    i > 0 ? "," : "", (long long)c->changes[i]);
	sqlite3_bind_text(st, 1, c->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->check, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, (int)c->state);
	sqlite3_bind_int(st, 4, (int)c->announced);
	sqlite3_bind_int64(st, 5, c->since_ms);
	sqlite3_bind_int64(st, 6, c->last_notify_ms);
	sqlite3_bind_int64(st, 7, c->updated_ms);
	sqlite3_bind_int(st, 8, c->flapping);
	sqlite3_bind_text(st, 9, buf, -1, SQLITE_TRANSIENT);
}

int
store_condition_put(struct fw_store *s, const struct fw_condition *c)
{
	return step_write(s, ST_COND_PUT, bind_cond, c);
}

struct key_pair {
	const char *a, *b;
};

static void
bind_pair(sqlite3_stmt *st, const void *arg)
{
	const struct key_pair *k = arg;

	sqlite3_bind_text(st, 1, k->a, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, k->b, -1, SQLITE_TRANSIENT);
}

int
store_condition_delete(struct fw_store *s, const char *key, const char *check)
{
	struct key_pair k = { key, check };

	return step_write(s, ST_COND_DEL, bind_pair, &k);
}

static int
parse_changes(const char *text, struct fw_condition *c)
{
	char buf[FW_FLAP_HISTORY * 21 + 1], *tok, *save = NULL;
	int64_t v;

	c->n_changes = 0;
	if (text == NULL || text[0] == '\0')
		return 0;
	if (fw_strlcpy(buf, text, sizeof(buf)) < 0)
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (c->n_changes == FW_FLAP_HISTORY ||
		    fw_parse_i64(tok, 0, INT64_MAX, &v) < 0)
			return -EINVAL;
		c->changes[c->n_changes++] = v;
	}
	return 0;
}

static bool
valid_state(int v)
{
	return v >= 0 && v < FW_STATE_COUNT;
}

int
store_conditions_load(struct fw_store *s,
    void (*cb)(const struct fw_condition *c, void *arg), void *arg)
{
	sqlite3_stmt *st = s->st[ST_COND_ALL];
	struct fw_condition c;
	int rc, n = 0;

	sqlite3_reset(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.key = (char *)sqlite3_column_text(st, 0);
		c.check = (char *)sqlite3_column_text(st, 1);
		if (c.key == NULL || c.check == NULL ||
		    !valid_state(sqlite3_column_int(st, 2)) ||
		    !valid_state(sqlite3_column_int(st, 3)) ||
		    parse_changes((const char *)sqlite3_column_text(st, 8),
		    &c) < 0) {
			log_warnx("%s: skipping a malformed condition row",
			    s->path);
			continue;
		}
		c.state = (enum fw_state)sqlite3_column_int(st, 2);
		c.announced = (enum fw_state)sqlite3_column_int(st, 3);
		c.pending = c.state;
		c.since_ms = sqlite3_column_int64(st, 4);
		c.last_notify_ms = sqlite3_column_int64(st, 5);
		c.updated_ms = sqlite3_column_int64(st, 6);
		c.flapping = sqlite3_column_int(st, 7) != 0;
		cb(&c, arg);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

/* ---- baselines ---- */

int
store_baseline_get(struct fw_store *s, const char *key, const char *name,
    double *ret_value, int64_t *ret_time_ms)
{
	sqlite3_stmt *st = s->st[ST_BASE_GET];
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*ret_value = sqlite3_column_double(st, 0);
		if (ret_time_ms != NULL)
			*ret_time_ms = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? -ENOENT : -EIO;
}

struct baseline_arg {
	const char	*key, *name;
	double		 value;
	int64_t		 time_ms;
};

static void
bind_baseline(sqlite3_stmt *st, const void *arg)
{
	const struct baseline_arg *b = arg;

	sqlite3_bind_text(st, 1, b->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, b->value);
	sqlite3_bind_int64(st, 4, b->time_ms);
}

int
store_baseline_put(struct fw_store *s, const char *key, const char *name,
    double value, int64_t time_ms)
{
	struct baseline_arg b = { key, name, value, time_ms };

	return step_write(s, ST_BASE_PUT, bind_baseline, &b);
}

/* ---- events ---- */

struct event_arg {
	int64_t		 time_ms;
	const char	*fingerprint, *json;
	size_t		 len;
};

static void
bind_event(sqlite3_stmt *st, const void *arg)
{
	const struct event_arg *e = arg;

	sqlite3_bind_int64(st, 1, e->time_ms);
	sqlite3_bind_text(st, 2, e->fingerprint, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, e->json, (int)e->len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, json_crc(e->json, e->len));
}

int
store_event_append(struct fw_store *s, int64_t time_ms, const char *fingerprint,
    const char *json, size_t len, int64_t *ret_seq)
{
	struct event_arg e = { time_ms, fingerprint, json, len };
	int rc;

	if (len > INT_MAX)
		return -EMSGSIZE;
	rc = step_write(s, ST_EV_ADD, bind_event, &e);
	if (rc < 0)
		return rc;
	if (ret_seq != NULL)
		*ret_seq = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Hand each row (seq, json, crc) of st to cb, checking its checksum. */
static int
visit_events(struct fw_store *s, sqlite3_stmt *st,
    int (*cb)(int64_t seq, const char *json, size_t len, void *arg),
    void *arg)
{
	const char *json;
	int64_t seq;
	size_t len;
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		json = (const char *)sqlite3_column_text(st, 1);
		len = (size_t)sqlite3_column_bytes(st, 1);
		n++;
		if (json == NULL || json_crc(json, len) !=
		    (uint32_t)sqlite3_column_int64(st, 2)) {
			log_warnx("%s: event %lld fails its checksum; skipped",
			    s->path, (long long)seq);
			json = NULL;
			len = 0;
		}
		if (cb(seq, json, len, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -EIO;
}

int
store_events_after(struct fw_store *s, int64_t after, unsigned max,
    int (*cb)(int64_t seq, const char *json, size_t len, void *arg),
    void *arg)
{
	sqlite3_stmt *st = s->st[ST_EV_AFTER];

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, max);
	return visit_events(s, st, cb, arg);
}

int
store_events_latest(struct fw_store *s,
    int (*cb)(int64_t seq, const char *json, size_t len, void *arg),
    void *arg)
{
	sqlite3_stmt *st = s->st[ST_EV_LATEST];

	sqlite3_reset(st);
	return visit_events(s, st, cb, arg);
}

int64_t
store_last_seq(struct fw_store *s)
{
	sqlite3_stmt *st = s->st[ST_EV_LAST];
	int64_t seq = 0;

	sqlite3_reset(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return seq;
}

int
store_cursor_get(struct fw_store *s, const char *sink, int64_t *ret_seq)
{
	sqlite3_stmt *st = s->st[ST_CUR_GET];
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, sink, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : -EIO;
}

struct cursor_arg {
	const char	*sink;
	int64_t		 seq;
};

static void
bind_cursor(sqlite3_stmt *st, const void *arg)
{
	const struct cursor_arg *c = arg;

	sqlite3_bind_text(st, 1, c->sink, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->seq);
}

int
store_cursor_put(struct fw_store *s, const char *sink, int64_t seq)
{
	struct cursor_arg c = { sink, seq };

	return step_write(s, ST_CUR_PUT, bind_cursor, &c);
}

int
store_prune(struct fw_store *s, unsigned keep)
{
	sqlite3_stmt *st;
	int rc;

	/* Never an event some sink has not passed yet. */
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE seq <= "
	    "(SELECT MAX(seq) FROM events) - ?1 AND seq <= "
	    "COALESCE((SELECT MIN(seq) FROM cursors), (SELECT MAX(seq) FROM "
	    "events)) AND seq NOT IN (SELECT MAX(seq) FROM events GROUP BY "
	    "fingerprint)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, keep);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		degrade_on(s, rc);
		return -EIO;
	}
	return sqlite3_changes(s->db);
}

/* The events trim_backlog would drop: older than the newest max, not the
 * newest of their fingerprint. */
#define TRIMMABLE "seq <= (SELECT MAX(seq) FROM events) - ?1 AND seq NOT IN " \
	"(SELECT MAX(seq) FROM events GROUP BY fingerprint)"

int
store_backlog_trim(struct fw_store *s, unsigned max, const int64_t *cursors,
    size_t n, uint64_t *ret_dropped)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	/* First what each sink loses, then the deletion. */
	rc = sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM events WHERE "
	    TRIMMABLE " AND seq > ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, max);
		sqlite3_bind_int64(st, 2, cursors[i]);
		ret_dropped[i] = sqlite3_step(st) == SQLITE_ROW ?
		    (uint64_t)sqlite3_column_int64(st, 0) : 0;
	}
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE " TRIMMABLE,
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, max);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		degrade_on(s, rc);
		return -EIO;
	}
	return sqlite3_changes(s->db);
}

int
store_meta_get(struct fw_store *s, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *st = s->st[ST_META_GET];
	const char *v;
	int rc, r;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	v = (const char *)sqlite3_column_text(st, 0);
	r = fw_strlcpy(buf, v != NULL ? v : "", size);
	sqlite3_reset(st);
	return r < 0 ? -ENAMETOOLONG : 0;
}

int
store_meta_put(struct fw_store *s, const char *key, const char *value)
{
	struct key_pair k = { key, value };

	return step_write(s, ST_META_PUT, bind_pair, &k);
}
