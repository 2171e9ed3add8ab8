/* Tests of the health engine: every transition of the per-(entity, check) state machine. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "forewarn/health.h"

#define MIN	(60 * 1000LL)
#define HOUR	(60 * MIN)
#define T0	1767225600000LL

static struct fw_check_params
params(void)
{
	struct fw_check_params p;

	memset(&p, 0, sizeof(p));
	p.enabled = true;
	p.cmp = FW_CMP_NONE;
	p.warning = p.critical = NAN;
	p.raise_after = 1;
	p.clear_after = 1;
	p.renotify_ms[FW_STATE_WARNING] = 24 * HOUR;
	p.renotify_ms[FW_STATE_CRITICAL] = 4 * HOUR;
	p.renotify_ms[FW_STATE_UNKNOWN] = 24 * HOUR;
	p.flap_changes = 6;
	p.flap_window_ms = 30 * MIN;
	return p;
}

static struct fw_check_params
numeric(double warn, double crit, double hyst)
{
	struct fw_check_params p = params();

	p.cmp = FW_CMP_ABOVE;
	p.warning = warn;
	p.critical = crit;
	p.hysteresis = hyst;
	return p;
}

static struct fw_transition
feed(struct fw_health *h, const struct fw_check_params *p, enum fw_state s,
    int64_t t)
{
	struct fw_transition tr;

	assert_int_equal(health_update(h, "disk/S1", "c.x", p, s, NULL, t, &tr),
	    0);
	return tr;
}

static struct fw_transition
feedv(struct fw_health *h, const struct fw_check_params *p, double v,
    int64_t t)
{
	struct fw_transition tr;

	assert_int_equal(health_update(h, "disk/S1", "c.x", p, FW_STATE_OK, &v,
	    t, &tr), 0);
	return tr;
}

static void
test_first_sight_ok_is_silent(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	const struct fw_condition *c;
	struct fw_transition tr;

	tr = feed(h, &p, FW_STATE_OK, T0);
	assert_int_equal(tr.type, FW_TR_NONE);
	assert_int_equal(tr.observed, FW_STATE_OK);
	c = health_get(h, "disk/S1", "c.x");
	assert_non_null(c);
	assert_int_equal(c->state, FW_STATE_OK);
	assert_false(c->dirty);
	assert_null(health_get(h, "disk/S1", "c.y"));
	health_free(h);
}

static void
test_raise_immediately(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;

	feed(h, &p, FW_STATE_OK, T0);
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + 1000);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.state, FW_STATE_CRITICAL);
	assert_int_equal(tr.previous, FW_STATE_OK);
	assert_true(tr.since_ms == T0 + 1000);
	/* The same result again announces nothing. */
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + 2000);
	assert_int_equal(tr.type, FW_TR_NONE);
	/* A first result that is already bad is raised too. */
	health_remove(h, "disk/S1", "c.x");
	tr = feed(h, &p, FW_STATE_WARNING, T0 + 3000);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.previous, FW_STATE_OK);
	health_free(h);
}

static void
test_raise_after_three(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;

	p.raise_after = 3;
	feed(h, &p, FW_STATE_OK, T0);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, T0 + 1).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, T0 + 2).type, FW_TR_NONE);
	/* Interrupted: the count starts again. */
	assert_int_equal(feed(h, &p, FW_STATE_OK, T0 + 3).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, T0 + 4).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, T0 + 5).type, FW_TR_NONE);
	tr = feed(h, &p, FW_STATE_WARNING, T0 + 6);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.state, FW_STATE_WARNING);
	assert_true(tr.since_ms == T0 + 6);
	/* A different bad state restarts the count too. */
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, T0 + 7).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_UNKNOWN, T0 + 8).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, T0 + 9).type, FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, T0 + 10).type, FW_TR_NONE);
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + 11);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.previous, FW_STATE_WARNING);
	health_free(h);
}

static void
test_clear_after(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;

	p.clear_after = 2;
	feed(h, &p, FW_STATE_CRITICAL, T0);
	assert_int_equal(feed(h, &p, FW_STATE_OK, T0 + 1).type, FW_TR_NONE);
	tr = feed(h, &p, FW_STATE_OK, T0 + 2);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.state, FW_STATE_OK);
	assert_int_equal(tr.previous, FW_STATE_CRITICAL);
	/* clear_after does not slow a raise: raise_after is 1. */
	tr = feed(h, &p, FW_STATE_WARNING, T0 + 3);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	health_free(h);
}

static void
test_escalate_and_back(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;

	feed(h, &p, FW_STATE_WARNING, T0);
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + 1);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.previous, FW_STATE_WARNING);
	tr = feed(h, &p, FW_STATE_WARNING, T0 + 2);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.state, FW_STATE_WARNING);
	assert_int_equal(tr.previous, FW_STATE_CRITICAL);
	tr = feed(h, &p, FW_STATE_UNKNOWN, T0 + 3);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.state, FW_STATE_UNKNOWN);
	health_free(h);
}

static void
test_hysteresis_above(void **unused)
{
	struct fw_check_params p = numeric(80, 90, 5);
	struct fw_health *h = health_new();

	assert_int_equal(feedv(h, &p, 70, T0).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 91, T0 + 1).state, FW_STATE_CRITICAL);
	/* 87 is below 90 but within the 5 of hysteresis: stays critical. */
	assert_int_equal(feedv(h, &p, 87, T0 + 2).type, FW_TR_NONE);
	assert_int_equal(health_get(h, "disk/S1", "c.x")->state,
	    FW_STATE_CRITICAL);
	assert_int_equal(feedv(h, &p, 84, T0 + 3).state, FW_STATE_WARNING);
	assert_int_equal(feedv(h, &p, 76, T0 + 4).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 74, T0 + 5).state, FW_STATE_OK);
	/* Going up needs the threshold itself: 79 stays ok, 80 warns. */
	assert_int_equal(feedv(h, &p, 79, T0 + 6).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 80, T0 + 7).state, FW_STATE_WARNING);
	health_free(h);
}

static void
test_hysteresis_below(void **unused)
{
	struct fw_check_params p = numeric(10, 5, 2);
	struct fw_health *h = health_new();
	struct fw_transition tr;

	p.cmp = FW_CMP_BELOW;
	assert_int_equal(feedv(h, &p, 50, T0).type, FW_TR_NONE);
	tr = feedv(h, &p, 4, T0 + 1);
	assert_int_equal(tr.state, FW_STATE_CRITICAL);
	assert_int_equal(tr.observed, FW_STATE_CRITICAL);
	assert_int_equal(feedv(h, &p, 6.5, T0 + 2).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 7.5, T0 + 3).state, FW_STATE_WARNING);
	assert_int_equal(feedv(h, &p, 11.9, T0 + 4).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 12, T0 + 5).state, FW_STATE_OK);
	health_free(h);
}

static void
test_hysteresis_with_raise_after(void **unused)
{
	struct fw_check_params p = numeric(80, 90, 5);
	struct fw_health *h = health_new();

	p.raise_after = 2;
	p.clear_after = 2;
	feedv(h, &p, 50, T0);
	assert_int_equal(feedv(h, &p, 85, T0 + 1).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 85, T0 + 2).state, FW_STATE_WARNING);
	/* 77 holds the warning (hysteresis), 74 counts toward clearing. */
	assert_int_equal(feedv(h, &p, 77, T0 + 3).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 74, T0 + 4).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 77, T0 + 5).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 74, T0 + 6).type, FW_TR_NONE);
	assert_int_equal(feedv(h, &p, 74, T0 + 7).state, FW_STATE_OK);
	health_free(h);
}

static void
test_classify_edges(void **unused)
{
	struct fw_check_params p = numeric(NAN, 90, 0);

	/* Only a critical threshold: warning never happens. */
	assert_int_equal(health_classify(&p, FW_STATE_OK, 89), FW_STATE_OK);
	assert_int_equal(health_classify(&p, FW_STATE_OK, 90), FW_STATE_CRITICAL);
	/* Without hysteresis a held state needs the threshold itself. */
	assert_int_equal(health_classify(&p, FW_STATE_CRITICAL, 89.99),
	    FW_STATE_OK);
	assert_int_equal(health_classify(&p, FW_STATE_OK, NAN),
	    FW_STATE_UNKNOWN);
	p.cmp = FW_CMP_NONE;
	assert_int_equal(health_classify(&p, FW_STATE_OK, 1e9), FW_STATE_OK);
}

static void
test_flapping(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;
	int i, starts = 0, changes = 0;
	int64_t t = T0;

	feed(h, &p, FW_STATE_OK, t);
	/* 20 changes in 10 minutes: the 6th starts flapping, then quiet. */
	for (i = 0; i < 20; i++) {
		t += 30 * 1000;
		tr = feed(h, &p, i % 2 ? FW_STATE_OK : FW_STATE_CRITICAL, t);
		if (tr.type == FW_TR_FLAP_START) {
			starts++;
			assert_int_equal(i, 5);
			assert_int_equal(tr.changes, 6);
			assert_int_equal(tr.state, FW_STATE_OK);
			assert_int_equal(tr.previous, FW_STATE_CRITICAL);
		} else if (tr.type == FW_TR_CHANGE) {
			changes++;
		} else {
			assert_int_equal(tr.type, FW_TR_NONE);
		}
	}
	assert_int_equal(starts, 1);
	assert_int_equal(changes, 5);
	assert_true(health_get(h, "disk/S1", "c.x")->flapping);
	/* It stopped critical; steady for less than the window: still quiet. */
	t += 29 * MIN;
	tr = feed(h, &p, FW_STATE_OK, t);
	assert_int_equal(tr.type, FW_TR_NONE);
	/* A full window without a change: one event with the current state. */
	t += 2 * MIN;
	tr = feed(h, &p, FW_STATE_OK, t);
	assert_int_equal(tr.type, FW_TR_FLAP_END);
	assert_int_equal(tr.state, FW_STATE_OK);
	assert_int_equal(tr.previous, FW_STATE_OK);
	assert_false(health_get(h, "disk/S1", "c.x")->flapping);
	health_free(h);
}

static void
test_flap_end_reports_what_changed(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;
	int64_t t = T0;
	int i;

	p.flap_changes = 3;
	feed(h, &p, FW_STATE_OK, t);
	for (i = 0; i < 3; i++)
		tr = feed(h, &p, i % 2 ? FW_STATE_OK : FW_STATE_CRITICAL,
		    t += 1000);
	assert_int_equal(tr.type, FW_TR_FLAP_START);
	assert_int_equal(tr.state, FW_STATE_CRITICAL);
	/* It settles on warning, never announced while flapping. */
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, t += 1000).type,
	    FW_TR_NONE);
	tr = feed(h, &p, FW_STATE_WARNING, t += 31 * MIN);
	assert_int_equal(tr.type, FW_TR_FLAP_END);
	assert_int_equal(tr.state, FW_STATE_WARNING);
	assert_int_equal(tr.previous, FW_STATE_CRITICAL);
	health_free(h);
}

static void
test_slow_changes_never_flap(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;
	int64_t t = T0;
	int i;

	feed(h, &p, FW_STATE_OK, t);
	for (i = 0; i < 40; i++) {
		t += 6 * MIN;	/* 5 changes per 30 min: under the limit */
		tr = feed(h, &p, i % 2 ? FW_STATE_OK : FW_STATE_WARNING, t);
		assert_int_equal(tr.type, FW_TR_CHANGE);
	}
	p.flap_changes = 0;	/* off */
	for (i = 0; i < 40; i++) {
		tr = feed(h, &p, i % 2 ? FW_STATE_OK : FW_STATE_WARNING, ++t);
		assert_int_equal(tr.type, FW_TR_CHANGE);
	}
	health_free(h);
}

static void
test_renotify(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;
	int64_t t = T0;

	feed(h, &p, FW_STATE_CRITICAL, t);
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, t + 4 * HOUR - 1).type,
	    FW_TR_NONE);
	tr = feed(h, &p, FW_STATE_CRITICAL, t + 4 * HOUR);
	assert_int_equal(tr.type, FW_TR_RENOTIFY);
	assert_int_equal(tr.state, FW_STATE_CRITICAL);
	assert_int_equal(tr.previous, FW_STATE_CRITICAL);
	assert_true(tr.since_ms == t);
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, t + 5 * HOUR).type,
	    FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_CRITICAL, t + 8 * HOUR).type,
	    FW_TR_RENOTIFY);
	/* Warning re-announces after 24 h, counted from its own raise. */
	t += 9 * HOUR;
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, t).type, FW_TR_CHANGE);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, t + 23 * HOUR).type,
	    FW_TR_NONE);
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, t + 24 * HOUR).type,
	    FW_TR_RENOTIFY);
	/* 0 means never. */
	p.renotify_ms[FW_STATE_WARNING] = 0;
	assert_int_equal(feed(h, &p, FW_STATE_WARNING, t + 99 * HOUR).type,
	    FW_TR_NONE);
	/* Never for ok. */
	assert_int_equal(feed(h, &p, FW_STATE_OK, t + 100 * HOUR).type,
	    FW_TR_CHANGE);
	p.renotify_ms[FW_STATE_OK] = 1;
	assert_int_equal(feed(h, &p, FW_STATE_OK, t + 200 * HOUR).type,
	    FW_TR_NONE);
	health_free(h);
}

static void
test_no_renotify_while_flapping(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	int64_t t = T0;
	int i;

	p.flap_changes = 2;
	p.renotify_ms[FW_STATE_CRITICAL] = 1000;
	feed(h, &p, FW_STATE_OK, t);
	feed(h, &p, FW_STATE_CRITICAL, ++t);
	assert_int_equal(feed(h, &p, FW_STATE_OK, ++t).type, FW_TR_FLAP_START);
	feed(h, &p, FW_STATE_CRITICAL, ++t);
	for (i = 0; i < 10; i++)
		assert_int_equal(feed(h, &p, FW_STATE_CRITICAL,
		    t += 60 * 1000).type, FW_TR_NONE);
	health_free(h);
}

static void
test_restore(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_condition c;
	struct fw_transition tr;

	memset(&c, 0, sizeof(c));
	c.key = "disk/S1";
	c.check = "c.x";
	c.state = c.announced = FW_STATE_CRITICAL;
	c.since_ms = T0;
	c.last_notify_ms = T0;
	c.n_changes = 1;
	c.changes[0] = T0;
	c.dirty = true;
	health_restore(h, &c);
	assert_false(health_get(h, "disk/S1", "c.x")->dirty);
	/* The restart does not re-raise what is already announced... */
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + MIN);
	assert_int_equal(tr.type, FW_TR_NONE);
	assert_true(tr.since_ms == T0);
	/* ...nor forget it: a good result clears it. */
	tr = feed(h, &p, FW_STATE_OK, T0 + 2 * MIN);
	assert_int_equal(tr.type, FW_TR_CHANGE);
	assert_int_equal(tr.previous, FW_STATE_CRITICAL);
	/* Re-notification continues from the persisted time. */
	health_restore(h, &c);
	tr = feed(h, &p, FW_STATE_CRITICAL, T0 + 4 * HOUR);
	assert_int_equal(tr.type, FW_TR_RENOTIFY);
	health_free(h);
}

static void
count_dirty(const struct fw_condition *c, void *arg)
{
	(*(int *)arg)++;
}

static void
test_dirty(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	int n = 0;

	p.raise_after = 2;
	feed(h, &p, FW_STATE_OK, T0);
	feed(h, &p, FW_STATE_CRITICAL, T0 + 1);
	/* A pending count alone is not persisted. */
	assert_int_equal(health_take_dirty(h, count_dirty, &n), 0);
	feed(h, &p, FW_STATE_CRITICAL, T0 + 2);
	assert_int_equal(health_take_dirty(h, count_dirty, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(health_take_dirty(h, count_dirty, &n), 0);
	health_free(h);
}

static void
test_disabled(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;

	p.enabled = false;
	tr = feed(h, &p, FW_STATE_CRITICAL, T0);
	assert_int_equal(tr.type, FW_TR_NONE);
	assert_int_equal(health_count(h), 0);
	health_free(h);
}

static void
test_clock_backwards(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	int i;

	feed(h, &p, FW_STATE_CRITICAL, T0 + 10 * HOUR);
	/* The wall clock stepped back a day: no storm of re-notifications. */
	for (i = 0; i < 10; i++)
		assert_int_equal(feed(h, &p, FW_STATE_CRITICAL,
		    T0 - 24 * HOUR + i).type, FW_TR_NONE);
	health_free(h);
}

static void
test_many_conditions(void **unused)
{
	struct fw_health *h = health_new();
	struct fw_check_params p = params();
	struct fw_transition tr;
	char key[32];
	int i;

	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "nic/%d", i);
		health_update(h, key, "net.link_down", &p,
		    i % 7 ? FW_STATE_OK : FW_STATE_CRITICAL, NULL, T0, &tr);
		assert_int_equal(tr.type, i % 7 ? FW_TR_NONE : FW_TR_CHANGE);
	}
	assert_int_equal(health_count(h), 100000);
	for (i = 0; i < 100000; i += 2) {
		snprintf(key, sizeof(key), "nic/%d", i);
		health_remove(h, key, "net.link_down");
	}
	assert_int_equal(health_count(h), 50000);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "nic/%d", i);
		if (i % 2 == 0) {
			assert_null(health_get(h, key, "net.link_down"));
		} else {
			assert_non_null(health_get(h, key, "net.link_down"));
			assert_int_equal(health_get(h, key,
			    "net.link_down")->state, i % 7 ?
			    FW_STATE_OK : FW_STATE_CRITICAL);
		}
	}
	/* Reinserting into tombstoned slots keeps lookups right. */
	for (i = 0; i < 100000; i += 2) {
		snprintf(key, sizeof(key), "nic/%d", i);
		health_update(h, key, "net.link_down", &p, FW_STATE_OK, NULL,
		    T0, &tr);
	}
	assert_int_equal(health_count(h), 100000);
	health_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_sight_ok_is_silent),
		cmocka_unit_test(test_raise_immediately),
		cmocka_unit_test(test_raise_after_three),
		cmocka_unit_test(test_clear_after),
		cmocka_unit_test(test_escalate_and_back),
		cmocka_unit_test(test_hysteresis_above),
		cmocka_unit_test(test_hysteresis_below),
		cmocka_unit_test(test_hysteresis_with_raise_after),
		cmocka_unit_test(test_classify_edges),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_flap_end_reports_what_changed),
		cmocka_unit_test(test_slow_changes_never_flap),
		cmocka_unit_test(test_renotify),
		cmocka_unit_test(test_no_renotify_while_flapping),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_many_conditions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
