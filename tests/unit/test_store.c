/* Tests of the SQLite store: persistence across restarts, the outbox, and degradation to memory. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "forewarn/store.h"
#include "forewarn/util.h"
#include "testutil.h"

static void
cond_init(struct fw_condition *c, const char *key, enum fw_state st)
{
	memset(c, 0, sizeof(*c));
	c->key = (char *)key;
	c->check = "disk.smart.pending";
	c->state = c->announced = st;
	c->since_ms = 1000;
	c->last_notify_ms = 2000;
	c->updated_ms = 3000;
	c->n_changes = 3;
	c->changes[0] = 10;
	c->changes[1] = 20;
	c->changes[2] = 30;
}

struct loaded {
	int		 n;
	struct fw_condition last;
	char		 key[64];
};

static void
on_cond(const struct fw_condition *c, void *arg)
{
	struct loaded *l = arg;

	l->n++;
	l->last = *c;
	snprintf(l->key, sizeof(l->key), "%s", c->key);
	l->last.key = l->key;
	l->last.check = NULL;
}

struct seen {
	int	 n;
	int64_t	 seqs[256];
	char	 last[256];
	int	 nulls;
	int	 stop_after;
};

static int
on_event(int64_t seq, const char *json, size_t len, void *arg)
{
	struct seen *s = arg;

	if (json == NULL)
		s->nulls++;
	else
		snprintf(s->last, sizeof(s->last), "%.*s", (int)len, json);
	s->seqs[s->n++] = seq;
	return s->stop_after > 0 && s->n >= s->stop_after;
}

static void
test_conditions_survive_restart(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_condition c;
	struct loaded l = { 0 };
	struct fw_store *s;

	s = store_open(dir, false);
	assert_false(store_degraded(s));
	cond_init(&c, "disk/WD-1", FW_STATE_CRITICAL);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_condition_put(s, &c), 0);
	cond_init(&c, "disk/WD-2", FW_STATE_WARNING);
	assert_int_equal(store_condition_put(s, &c), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_condition_delete(s, "disk/WD-2",
	    "disk.smart.pending"), 0);
	store_close(s);

	s = store_open(dir, false);
	assert_int_equal(store_conditions_load(s, on_cond, &l), 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.key, "disk/WD-1");
	assert_int_equal(l.last.state, FW_STATE_CRITICAL);
	assert_int_equal(l.last.announced, FW_STATE_CRITICAL);
	assert_true(l.last.since_ms == 1000 && l.last.last_notify_ms == 2000);
	assert_int_equal(l.last.n_changes, 3);
	assert_true(l.last.changes[2] == 30);
	store_close(s);
}

static void
test_baselines_and_meta(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_store *s;
	char buf[32];
	int64_t t;
	double v;

	s = store_open(dir, false);
	assert_int_equal(store_baseline_get(s, "disk/A", "realloc", &v, &t),
	    -ENOENT);
	assert_int_equal(store_baseline_put(s, "disk/A", "realloc", 8, 42), 0);
	assert_int_equal(store_baseline_put(s, "disk/A", "realloc", 9, 43), 0);
	assert_int_equal(store_meta_put(s, "kmsg_seq", "12345"), 0);
	store_close(s);
	s = store_open(dir, false);
	assert_int_equal(store_baseline_get(s, "disk/A", "realloc", &v, &t), 0);
	assert_true(v == 9 && t == 43);
	assert_int_equal(store_meta_get(s, "kmsg_seq", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "12345");
	assert_int_equal(store_meta_get(s, "nope", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(store_meta_get(s, "kmsg_seq", buf, 3), -ENAMETOOLONG);
	store_close(s);
}

static void
test_events_and_cursors(void **unused)
{
	const char *dir = test_tmpdir();
	struct seen seen = { 0 };
	struct fw_store *s;
	char json[64];
	int64_t seq, cur;
	int i;

	s = store_open(dir, false);
	assert_true(store_last_seq(s) == 0);
	for (i = 1; i <= 10; i++) {
		snprintf(json, sizeof(json), "{\"n\":%d}", i);
		assert_int_equal(store_event_append(s, i, "fp", json,
		    strlen(json), &seq), 0);
		assert_true(seq == i);
	}
	assert_int_equal(store_events_after(s, 3, 4, on_event, &seen), 4);
	assert_true(seen.seqs[0] == 4 && seen.seqs[3] == 7);
	assert_string_equal(seen.last, "{\"n\":7}");
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	assert_int_equal(store_events_after(s, 0, 100, on_event, &seen), 2);
	assert_int_equal(store_cursor_get(s, "am", &cur), -ENOENT);
	assert_int_equal(store_cursor_put(s, "am", 7), 0);
	store_close(s);
	s = store_open(dir, false);
	assert_int_equal(store_cursor_get(s, "am", &cur), 0);
	assert_true(cur == 7);
	assert_true(store_last_seq(s) == 10);
	store_close(s);
}

static void
test_prune_respects_cursors(void **unused)
{
	const char *dir = test_tmpdir();
	struct seen seen = { 0 };
	struct fw_store *s;
	int64_t seq;
	int i;

	s = store_open(dir, false);
	for (i = 0; i < 100; i++)
		store_event_append(s, i, "fp", "{}", 2, NULL);
	store_cursor_put(s, "fast", 100);
	store_cursor_put(s, "slow", 30);
	/* Keep 10, but the slow sink still needs 31..100. */
	assert_int_equal(store_prune(s, 10), 30);
	assert_int_equal(store_events_after(s, 0, 200, on_event, &seen), 70);
	assert_true(seen.seqs[0] == 31);
	store_cursor_put(s, "slow", 100);
	assert_int_equal(store_prune(s, 10), 60);
	/* Sequence numbers are never reused, even after pruning all. */
	store_cursor_put(s, "fast", 100);
	/* The newest event of a fingerprint stays, whatever keep says. */
	assert_int_equal(store_prune(s, 0), 9);
	store_event_append(s, 0, "fp", "{}", 2, &seq);
	assert_true(seq == 101);
	store_close(s);
	s = store_open(dir, false);
	assert_true(store_last_seq(s) == 101);
	store_close(s);
}

static void
test_latest_per_fingerprint(void **unused)
{
	const char *dir = test_tmpdir();
	const char *fps[] = { "a", "b", "a", "c", "b", "a" };
	struct seen seen = { 0 };
	struct fw_store *s;
	char json[16];
	size_t i;

	s = store_open(dir, false);
	for (i = 0; i < 6; i++) {
		fw_snprintf(json, sizeof(json), "{\"n\":%zu}", i + 1);
		store_event_append(s, (int64_t)i, fps[i], json, strlen(json),
		    NULL);
	}
	/* c (4), b (5), a (6): the newest of each, oldest first. */
	assert_int_equal(store_events_latest(s, on_event, &seen), 3);
	assert_true(seen.seqs[0] == 4 && seen.seqs[1] == 5 &&
	    seen.seqs[2] == 6);
	assert_string_equal(seen.last, "{\"n\":6}");
	/* Pruning everything delivered keeps exactly those. */
	store_cursor_put(s, "am", 6);
	assert_int_equal(store_prune(s, 0), 3);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_events_after(s, 0, 100, on_event, &seen), 3);
	assert_true(seen.seqs[0] == 4 && seen.seqs[2] == 6);
	store_close(s);
}

static void
test_backlog_trim(void **unused)
{
	const char *dir = test_tmpdir();
	int64_t cursors[2] = { 0, 0 };
	uint64_t dropped[2] = { 7, 7 };
	struct seen seen = { 0 };
	struct fw_store *s;
	char fp[8];
	int i;

	s = store_open(dir, false);
	/* 100 events of 10 conditions, round robin: 91..100 are the newest. */
	for (i = 0; i < 100; i++) {
		fw_snprintf(fp, sizeof(fp), "c%d", i % 10);
		store_event_append(s, i, fp, "{}", 2, NULL);
	}
	cursors[0] = 95;	/* a sink that kept up */
	cursors[1] = 0;		/* one that is down */
	/* Keep 20: 1..80 go, none of them a condition's newest. */
	assert_int_equal(store_backlog_trim(s, 20, cursors, 2, dropped), 80);
	assert_true(dropped[0] == 0 && dropped[1] == 80);
	assert_int_equal(store_events_after(s, 0, 200, on_event, &seen), 20);
	assert_true(seen.seqs[0] == 81);
	/* A condition that changed long ago keeps its newest event. */
	store_event_append(s, 0, "lonely", "{}", 2, NULL);	/* 101 */
	for (i = 0; i < 50; i++)
		store_event_append(s, 0, "busy", "{}", 2, NULL);	/* ..151 */
	/* <= 141 and no one's newest: 81..90 and busy's 102..141. */
	assert_int_equal(store_backlog_trim(s, 10, cursors, 2, dropped), 50);
	assert_true(dropped[0] == 40 && dropped[1] == 50);
	memset(&seen, 0, sizeof(seen));
	/* The newest of c0..c9 (91..100), lonely (101), busy 142..151. */
	assert_int_equal(store_events_after(s, 0, 200, on_event, &seen), 21);
	assert_true(seen.seqs[0] == 91 && seen.seqs[10] == 101 &&
	    seen.seqs[11] == 142);
	store_close(s);
}

static void
test_checksum_mismatch_skipped(void **unused)
{
	const char *dir = test_tmpdir();
	struct seen seen = { 0 };
	struct fw_store *s;
	char path[PATH_MAX];
	sqlite3 *db;

	s = store_open(dir, false);
	store_event_append(s, 1, "fp", "{\"a\":1}", 7, NULL);
	store_event_append(s, 2, "fp", "{\"a\":2}", 7, NULL);
	store_event_append(s, 3, "fp", "{\"a\":3}", 7, NULL);
	store_close(s);
	/* Damage one record behind the store's back. */
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE events SET json='{\"a\":9}' "
	    "WHERE seq=2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = store_open(dir, false);
	assert_int_equal(store_events_after(s, 0, 10, on_event, &seen), 3);
	assert_int_equal(seen.nulls, 1);
	assert_true(seen.seqs[1] == 2);
	assert_string_equal(seen.last, "{\"a\":3}");
	store_close(s);
}

static void
file_digest(const char *path, struct stat *st, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	assert_int_equal(stat(path, st), 0);
	n = fread(buf, 1, size, f);
	fclose(f);
	assert_true(n > 0 && n < size);
}

static void
test_readonly_never_writes(void **unused)
{
	static char before[1 << 20], after[1 << 20];
	const char *dir = test_tmpdir();
	struct fw_condition c;
	struct stat sb1, sb2;
	struct loaded l = { 0 };
	struct fw_store *s;
	char path[PATH_MAX];

	/* An absent file: empty, in memory, not degraded. */
	s = store_open(dir, true);
	assert_false(store_degraded(s));
	assert_string_equal(store_path(s), ":memory:");
	store_close(s);
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_int_equal(access(path, F_OK), -1);

	s = store_open(dir, false);
	cond_init(&c, "disk/WD-1", FW_STATE_CRITICAL);
	store_condition_put(s, &c);
	store_close(s);
	memset(before, 0, sizeof(before));
	memset(after, 0, sizeof(after));
	file_digest(path, &sb1, before, sizeof(before));
	s = store_open(dir, true);
	assert_false(store_degraded(s));
	assert_int_equal(store_conditions_load(s, on_cond, &l), 1);
	/* Writes go to the memory copy. */
	assert_int_equal(store_baseline_put(s, "disk/A", "x", 1, 1), 0);
	assert_int_equal(store_event_append(s, 1, "fp", "{}", 2, NULL), 0);
	store_close(s);
	file_digest(path, &sb2, after, sizeof(after));
	assert_true(sb1.st_size == sb2.st_size);
	assert_true(sb1.st_mtim.tv_sec == sb2.st_mtim.tv_sec &&
	    sb1.st_mtim.tv_nsec == sb2.st_mtim.tv_nsec);
	assert_memory_equal(before, after, (size_t)sb1.st_size);
}

static void
test_corrupt_file_degrades(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_condition c;
	struct loaded l = { 0 };
	struct fw_store *s;
	char path[PATH_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/state.db", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 1000; i++)
		fputs("this is not an SQLite database\n", f);
	fclose(f);
	s = store_open(dir, false);
	assert_true(store_degraded(s));
	assert_non_null(strstr(store_reason(s), "state.db"));
	assert_non_null(strstr(store_reason(s), "not a database"));
	/* Fully usable in memory. */
	cond_init(&c, "disk/WD-1", FW_STATE_CRITICAL);
	assert_int_equal(store_condition_put(s, &c), 0);
	assert_int_equal(store_conditions_load(s, on_cond, &l), 1);
	assert_int_equal(store_event_append(s, 1, "fp", "{}", 2, NULL), 0);
	store_close(s);
	/* Readonly on a corrupt file is degraded too. */
	s = store_open(dir, true);
	assert_true(store_degraded(s));
	store_close(s);
}

static void
test_unwritable_dir_degrades(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_store *s;
	char path[PATH_MAX];

	/* A regular file where a directory must go fails even for root. */
	test_write_file(dir, "afile", "x");
	snprintf(path, sizeof(path), "%s/afile/sub", dir);
	s = store_open(path, false);
	assert_true(store_degraded(s));
	assert_non_null(strstr(store_reason(s), "cannot create the state "
	    "directory"));
	assert_int_equal(store_baseline_put(s, "k", "n", 1, 1), 0);
	store_close(s);
}

static void
test_newer_schema_untouched(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_store *s;
	char path[PATH_MAX], buf[16];
	sqlite3_stmt *st;
	sqlite3 *db;

	s = store_open(dir, false);
	store_close(s);
	snprintf(path, sizeof(path), "%s/state.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value='7' WHERE "
	    "key='schema_version'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = store_open(dir, false);
	assert_true(store_degraded(s));
	assert_non_null(strstr(store_reason(s), "newer"));
	store_meta_put(s, "schema_version", "1");
	store_close(s);
	/* The file still says 7: the store wrote to memory only. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE "
	    "key='schema_version'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_string_equal(buf, "7");
	s = store_open(dir, true);
	assert_true(store_degraded(s));
	store_close(s);
}

/*
 * A write failing at run time: RLIMIT_FSIZE makes write(2) fail with
 * EFBIG, a real I/O error that works for root too.
 */
static void
test_write_failure_degrades(void **unused)
{
	const char *dir = test_tmpdir();
	struct fw_condition c;
	struct loaded l = { 0 };
	struct rlimit old, lim;
	struct fw_store *s;
	char json[2048];
	int i, failures = 0;

	s = store_open(dir, false);
	cond_init(&c, "disk/WD-1", FW_STATE_CRITICAL);
	assert_int_equal(store_condition_put(s, &c), 0);
	assert_false(store_degraded(s));
	memset(json, 'x', sizeof(json) - 1);
	json[sizeof(json) - 1] = '\0';
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 256 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (i = 0; i < 400 && !store_degraded(s); i++)
		if (store_event_append(s, i, "fp", json, strlen(json), NULL) < 0)
			failures++;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(store_degraded(s));
	/* The failing write was retried on memory, not lost. */
	assert_int_equal(failures, 0);
	assert_string_equal(store_path(s), ":memory:");
	/* What the file held before is still known. */
	assert_int_equal(store_conditions_load(s, on_cond, &l), 1);
	assert_int_equal(l.last.state, FW_STATE_CRITICAL);
	assert_true(store_last_seq(s) >= i);
	assert_int_equal(store_event_append(s, 1, "fp", "{}", 2, NULL), 0);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions_survive_restart),
		cmocka_unit_test(test_baselines_and_meta),
		cmocka_unit_test(test_events_and_cursors),
		cmocka_unit_test(test_prune_respects_cursors),
		cmocka_unit_test(test_latest_per_fingerprint),
		cmocka_unit_test(test_backlog_trim),
		cmocka_unit_test(test_checksum_mismatch_skipped),
		cmocka_unit_test(test_readonly_never_writes),
		cmocka_unit_test(test_corrupt_file_degrades),
		cmocka_unit_test(test_unwritable_dir_degrades),
		cmocka_unit_test(test_newer_schema_untouched),
		cmocka_unit_test(test_write_failure_degrades),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
