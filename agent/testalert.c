/*
 * forewarnd --test-alert: the answer to "would on-call actually get paged?".
 * A test condition is raised and then resolved through every configured
 * sink, by the same outbox and sink code the daemon uses (on a scratch store,
 * so the daemon's own state is untouched), and each sink's outcome printed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forewarn/clock.h"
#include "forewarn/events.h"
#include "forewarn/inventory.h"
#include "forewarn/log.h"
#include "forewarn/loop.h"
#include "forewarn/outbox.h"
#include "forewarn/report.h"
#include "forewarn/store.h"
#include "forewarn/testalert.h"
#include "forewarn/util.h"

#define TA_SINKS_MAX	64

static const struct fw_check_def ta_checks[] = {
	{ "agent.test_alert", "a test alert from forewarnd --test-alert",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ .code = NULL }
};

/* Build and append the test event in state st; its sequence number. */
static int64_t
append(struct fw_outbox *ob, struct fw_store *store, struct fw_inventory *inv,
    const char *host, enum fw_state st, enum fw_state prev, int64_t since_ms)
{
	struct fw_event_input in;
	struct fw_transition tr;
	struct fw_report r;
	struct fw_entity *e;
	struct fw_check *c;
	char fp[FW_FINGERPRINT_LEN + 1], *json;
	int64_t now = clock_wall_ms();
	size_t len;

	report_open(&r, inv, "agent", ta_checks, now);
	e = report_entity(&r, FW_KIND_AGENT, "test-alert",
	    "forewarnd --test-alert");
	c = report_check(&r, e, "agent.test_alert", st, st == FW_STATE_OK ?
	    "%s: the test alert from forewarnd --test-alert is resolved" :
	    "%s: a test alert from forewarnd --test-alert; it resolves in a "
	    "moment, nothing is wrong", host);
	memset(&tr, 0, sizeof(tr));
	tr.type = FW_TR_CHANGE;
	tr.state = st;
	tr.previous = prev;
	tr.observed = st;
	tr.since_ms = since_ms;
	memset(&in, 0, sizeof(in));
	in.host = host;
	in.entity = e;
	in.check = "agent.test_alert";
	in.tr = &tr;
	in.result = c;
	in.time_ms = now;
	json = event_build(&in, &len, fp);
	report_close(&r);
	if (json == NULL || outbox_append(ob, now, fp, json, len) < 0) {
		free(json);
		return -1;
	}
	free(json);
	return store_last_seq(store);
}

/* Run the loop until every sink's cursor passed seq, or the deadline. */
static void
wait_for(struct fw_loop *loop, struct fw_outbox *ob, int64_t seq,
    int64_t timeout_ms)
{
	struct fw_sink_stats st[TA_SINKS_MAX];
	struct fw_mono end = mono_add_ms(clock_mono_now(), timeout_ms);
	size_t i, n;
	bool all;

	for (;;) {
		n = outbox_stats(ob, st, TA_SINKS_MAX);
		for (all = true, i = 0; i < n; i++)
			if (st[i].cursor < seq)
				all = false;
		if (all || !mono_before(clock_mono_now(), end))
			return;
		loop_run_once(loop, 100);
	}
}

/* One line per sink: what became of the event seq. */
static bool
tell(FILE *out, struct fw_outbox *ob, int64_t seq, uint64_t rejected[],
    const char *what)
{
	struct fw_sink_stats st[TA_SINKS_MAX];
	size_t i, n = outbox_stats(ob, st, TA_SINKS_MAX);
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (st[i].cursor >= seq && st[i].rejected == rejected[i]) {
			fprintf(out, "sink %s: %s delivered\n", st[i].name,
			    what);
			continue;
		}
		ok = false;
		if (st[i].cursor >= seq)
			fprintf(out, "sink %s: %s REJECTED: %s\n", st[i].name,
			    what, strerror(-st[i].last_error));
		else
			fprintf(out, "sink %s: %s NOT DELIVERED: %s\n",
			    st[i].name, what, st[i].last_error < 0 ?
			    strerror(-st[i].last_error) : "no answer in time");
		rejected[i] = st[i].rejected;
	}
	fflush(out);
	return ok;
}

int
test_alert_run(const struct fw_conf *conf, int64_t timeout_ms, FILE *out)
{
	char dir[] = "/tmp/forewarn-test-alert.XXXXXX", path[sizeof(dir) + 32];
	uint64_t rejected[TA_SINKS_MAX] = { 0 };
	struct fw_inventory *inv;
	struct fw_store *store;
	struct fw_outbox *ob;
	struct fw_loop *loop;
	int64_t seq, since;
	bool ok;

	if (mkdtemp(dir) == NULL) {
		log_warn("--test-alert: a scratch directory");
		return 1;
	}
	if ((loop = loop_new()) == NULL) {
		rmdir(dir);
		return 1;
	}
	store = store_open(dir, false);
	ob = outbox_new(loop, store);
	inv = inventory_new();
	if (outbox_add_configured(ob, conf) == 0) {
		fprintf(out, "no sink could start\n");
		ok = false;
		goto out;
	}
	since = clock_wall_ms();
	seq = append(ob, store, inv, conf->agent.host, FW_STATE_WARNING,
	    FW_STATE_OK, since);
	if (seq <= 0) {
		fprintf(out, "the test event could not be stored\n");
		ok = false;
		goto out;
	}
	wait_for(loop, ob, seq, timeout_ms);
	ok = tell(out, ob, seq, rejected, "test alert");
	seq = append(ob, store, inv, conf->agent.host, FW_STATE_OK,
	    FW_STATE_WARNING, clock_wall_ms());
	wait_for(loop, ob, seq, timeout_ms);
	ok = tell(out, ob, seq, rejected, "its resolution") && ok;
out:
	outbox_free(ob);
	inventory_free(inv);
	store_close(store);
	loop_free(loop);
	fw_snprintf(path, sizeof(path), "%s/%s", dir, FW_STORE_FILE);
	unlink(path);
	fw_snprintf(path, sizeof(path), "%s/%s-wal", dir, FW_STORE_FILE);
	unlink(path);
	fw_snprintf(path, sizeof(path), "%s/%s-shm", dir, FW_STORE_FILE);
	unlink(path);
	rmdir(dir);
	return ok ? 0 : 1;
}
