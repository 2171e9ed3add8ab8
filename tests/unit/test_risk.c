/* Tests of the risk stage over synthetic topologies: md levels and controller virtual drives, members healthy, sick, failed or shared. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../collectors/hwraid_parse.h"
#include "../../collectors/mdraid_parse.h"
#include "forewarn/inventory.h"
#include "forewarn/report.h"
#include "forewarn/risk.h"

static const struct fw_check_def defs[] = {
	{ "raid.degraded", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.vd_state", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.at_risk", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.pd_media_errors", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.smart.pending", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.io_errors", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.unsupported", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "disk.nvme.critical_warning", "", FW_CMP_NONE, NAN, NAN, 0, 1, 1,
	    NULL },
	{ .code = NULL }
};

struct topo {
	struct fw_inventory	*inv;
	struct fw_report	 r;
};

static void
topo_open(struct topo *t)
{
	t->inv = inventory_new();
	report_open(&t->r, t->inv, "test", defs, 1000);
}

/* What the core does after health: results land on their entities. */
static void
topo_commit(struct topo *t)
{
	size_t i;

	for (i = 0; i < t->r.n_checks; i++)
		entity_store_check(t->r.checks[i]->entity, t->r.checks[i]);
	report_close(&t->r);
	report_open(&t->r, t->inv, "risk", defs, 2000);
}

static void
topo_close(struct topo *t)
{
	report_close(&t->r);
	inventory_free(t->inv);
}

/* An array (md by default) whose redundancy check says left. */
static struct fw_entity *
array(struct topo *t, const char *id, const char *level, const char *code,
    int left)
{
	struct fw_entity *a = report_entity(&t->r, FW_KIND_ARRAY, id, id);
	struct fw_check *c;

	entity_label(a, "level", "%s", level);
	c = report_check(&t->r, a, code, left > 0 ? FW_STATE_OK :
	    FW_STATE_CRITICAL, "%s", id);
	check_detail_num(c, "redundancy_left", left);
	return a;
}

/* A disk related to arrays, with one check in a state. */
static struct fw_entity *
disk(struct topo *t, const char *id, const char *serial, const char *rel,
    const char *array_id, const char *code, enum fw_state st)
{
	struct fw_entity *d = report_entity(&t->r, FW_KIND_DISK, id, id);

	if (serial != NULL)
		entity_label(d, "serial", "%s", serial);
	if (array_id != NULL)
		entity_relate(d, rel, FW_KIND_ARRAY, array_id);
	if (code != NULL)
		report_check(&t->r, d, code, st, "%s: %s", id, code);
	return d;
}

/* Run the stage; the at_risk result of array id, or NULL. */
static const struct fw_check *
at_risk(struct topo *t, const char *id)
{
	size_t i;

	risk_evaluate(t->inv, &t->r);
	for (i = 0; i < t->r.n_checks; i++)
		if (strcmp(t->r.checks[i]->code, "raid.at_risk") == 0 &&
		    strcmp(entity_id(t->r.checks[i]->entity), id) == 0)
			return t->r.checks[i];
	return NULL;
}

static void
test_raid1_last_member_sick(void **unused)
{
	struct topo t;
	const struct fw_check *c;

	topo_open(&t);
	array(&t, "md0", "raid1", "raid.degraded",
	    md_redundancy_left("raid1", 2, 1));
	disk(&t, "wwn-a", "WD-XYZ", "member_of", "md0", "disk.smart.pending",
	    FW_STATE_WARNING);
	/* The failed member is sick too, but it carries no data now. */
	disk(&t, "wwn-b", "WD-OLD", "inactive_member_of", "md0",
	    "disk.io_errors", FW_STATE_CRITICAL);
	topo_commit(&t);
	c = at_risk(&t, "md0");
	assert_non_null(c);
	assert_int_equal(c->state, FW_STATE_CRITICAL);
	assert_string_equal(c->message, "md0 (raid1) has no redundancy left "
	    "and its remaining member wwn-a (WD-XYZ) shows disk.smart.pending: "
	    "wwn-a: disk.smart.pending");
	assert_string_equal(check_detail_get(c, "member")->str, "wwn-a");
	topo_close(&t);
}

static void
test_raid1_healthy_or_redundant(void **unused)
{
	struct topo t;
	const struct fw_check *c;

	/* Degraded, but the remaining member is fine: no risk alert. */
	topo_open(&t);
	array(&t, "md0", "raid1", "raid.degraded", 0);
	disk(&t, "a", NULL, "member_of", "md0", "disk.io_errors",
	    FW_STATE_OK);
	topo_commit(&t);
	c = at_risk(&t, "md0");
	assert_int_equal(c->state, FW_STATE_OK);
	assert_non_null(strstr(c->message, "remaining members look healthy"));
	topo_close(&t);

	/* A three-way mirror with one gone still survives one more. */
	topo_open(&t);
	array(&t, "md1", "raid1", "raid.degraded",
	    md_redundancy_left("raid1", 3, 1));
	disk(&t, "a", NULL, "member_of", "md1", "disk.smart.pending",
	    FW_STATE_CRITICAL);
	topo_commit(&t);
	assert_int_equal(at_risk(&t, "md1")->state, FW_STATE_OK);
	topo_close(&t);
}

static void
test_every_md_level(void **unused)
{
	static const struct {
		const char	*level;
		int		 disks, degraded;
		enum fw_state	 want;
	} cases[] = {
		{ "raid1", 2, 0, FW_STATE_OK },
		{ "raid1", 2, 1, FW_STATE_CRITICAL },
		{ "raid1", 4, 2, FW_STATE_OK },
		{ "raid1", 4, 3, FW_STATE_CRITICAL },
		{ "raid4", 4, 1, FW_STATE_CRITICAL },
		{ "raid5", 4, 0, FW_STATE_OK },
		{ "raid5", 4, 1, FW_STATE_CRITICAL },
		{ "raid6", 6, 1, FW_STATE_OK },
		{ "raid6", 6, 2, FW_STATE_CRITICAL },
		{ "raid10", 4, 0, FW_STATE_OK },
		{ "raid10", 4, 1, FW_STATE_CRITICAL },
	};
	struct topo t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		topo_open(&t);
		array(&t, "md0", cases[i].level, "raid.degraded",
		    md_redundancy_left(cases[i].level, cases[i].disks,
		    cases[i].degraded));
		disk(&t, "a", "S1", "member_of", "md0",
		    "disk.nvme.critical_warning", FW_STATE_CRITICAL);
		topo_commit(&t);
		assert_int_equal(at_risk(&t, "md0")->state, cases[i].want);
		topo_close(&t);
	}
	/* No redundancy to lose: no degraded check, no risk result. */
	assert_int_equal(md_redundancy_left("raid0", 2, 0), -1);
	assert_int_equal(md_redundancy_left("linear", 2, 0), -1);
}

static void
test_controller_virtual_drives(void **unused)
{
	static const struct {
		const char	*type, *state;
		enum fw_state	 want;
	} cases[] = {
		{ "RAID1", "Optl", FW_STATE_OK },
		{ "RAID1", "Dgrd", FW_STATE_CRITICAL },
		{ "RAID5", "Dgrd", FW_STATE_CRITICAL },
		{ "RAID6", "Pdgd", FW_STATE_OK },
		{ "RAID6", "Dgrd", FW_STATE_CRITICAL },
		{ "RAID10", "Dgrd", FW_STATE_CRITICAL },
		{ "RAID60", "Pdgd", FW_STATE_OK },
		{ "RAID50", "Rec", FW_STATE_CRITICAL },
	};
	const struct fw_check *c;
	struct topo t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		topo_open(&t);
		array(&t, "megaraid:SV1/vd0", "raid1", "raid.vd_state",
		    storcli_vd_redundancy(cases[i].type, cases[i].state));
		disk(&t, "naa.5000c500a1b2c3d4", "Z1X2", "member_of",
		    "megaraid:SV1/vd0", "raid.pd_media_errors",
		    FW_STATE_WARNING);
		topo_commit(&t);
		c = at_risk(&t, "megaraid:SV1/vd0");
		assert_non_null(c);
		assert_int_equal(c->state, cases[i].want);
		if (cases[i].want == FW_STATE_CRITICAL)
			assert_non_null(strstr(c->message, "(Z1X2) shows "
			    "raid.pd_media_errors"));
		topo_close(&t);
	}
	assert_int_equal(storcli_vd_redundancy("RAID0", "Optl"), -1);
	assert_int_equal(storcli_vd_redundancy("RAID1", "OfLn"), -1);
	assert_int_equal(storcli_vd_redundancy("RAID6", "Optl"), 2);
}

/* An array with no count of what it survives (a vd_state without one). */
static struct fw_entity *
uncounted(struct topo *t, const char *id, const char *level,
    enum fw_state st, const char *message)
{
	struct fw_entity *a = report_entity(&t->r, FW_KIND_ARRAY, id, id);

	entity_label(a, "level", "%s", level);
	report_check(&t->r, a, "raid.vd_state", st, "%s", message);
	return a;
}

static void
test_lost_or_uncounted(void **unused)
{
	const struct fw_check *c;
	struct topo t;

	/* Offline: already lost, never "still survives", never "ok". */
	assert_int_equal(storcli_vd_redundancy("RAID6", "OfLn"), -1);
	topo_open(&t);
	uncounted(&t, "megaraid:SV1/vd0", "raid6", FW_STATE_CRITICAL,
	    "c0/v0 (RAID6) on megaraid:SV1: OfLn, offline: its data is "
	    "unavailable");
	disk(&t, "naa.1", "S1", "member_of", "megaraid:SV1/vd0",
	    "raid.pd_media_errors", FW_STATE_OK);
	disk(&t, "naa.2", "S2", "inactive_member_of", "megaraid:SV1/vd0",
	    "raid.pd_media_errors", FW_STATE_OK);
	topo_commit(&t);
	c = at_risk(&t, "megaraid:SV1/vd0");
	assert_non_null(c);
	assert_int_equal(c->state, FW_STATE_CRITICAL);
	assert_string_equal(c->message, "megaraid:SV1/vd0 (raid6) is already "
	    "down, past being at risk: c0/v0 (RAID6) on megaraid:SV1: OfLn, "
	    "offline: its data is unavailable");
	assert_null(strstr(c->message, "survives"));
	topo_close(&t);

	/* A RAID0 keeps no redundancy: nothing to judge, and no claim. */
	topo_open(&t);
	uncounted(&t, "megaraid:SV1/vd1", "raid0", FW_STATE_OK, "c0/v1 "
	    "(RAID0) on megaraid:SV1: Optl");
	disk(&t, "naa.3", "S3", "member_of", "megaraid:SV1/vd1",
	    "raid.pd_media_errors", FW_STATE_WARNING);
	topo_commit(&t);
	c = at_risk(&t, "megaraid:SV1/vd1");
	assert_int_equal(c->state, FW_STATE_OK);
	assert_null(strstr(c->message, "survives"));
	assert_non_null(strstr(c->message, "no redundancy count to judge"));
	topo_close(&t);
}

static void
test_member_choice(void **unused)
{
	const struct fw_check *c;
	struct topo t;

	topo_open(&t);
	array(&t, "md5", "raid5", "raid.degraded", 0);
	array(&t, "md9", "raid1", "raid.degraded", 1);
	/* A blind spot is not a sick disk. */
	disk(&t, "a", "SA", "member_of", "md5", "disk.unsupported",
	    FW_STATE_WARNING);
	/* A warning, then a critical: the critical one is named. */
	disk(&t, "b", "SB", "member_of", "md5", "disk.io_errors",
	    FW_STATE_WARNING);
	disk(&t, "c", "SC", "member_of", "md5", "disk.smart.pending",
	    FW_STATE_CRITICAL);
	/* Sick, but a member of another array only. */
	disk(&t, "d", "SD", "member_of", "md9", "disk.smart.pending",
	    FW_STATE_CRITICAL);
	topo_commit(&t);
	c = at_risk(&t, "md5");
	assert_int_equal(c->state, FW_STATE_CRITICAL);
	assert_non_null(strstr(c->message, "member c (SC) shows "
	    "disk.smart.pending"));
	assert_int_equal(at_risk(&t, "md9")->state, FW_STATE_OK);
	topo_close(&t);

	/* Only a blind spot left: no alert. */
	topo_open(&t);
	array(&t, "md5", "raid5", "raid.degraded", 0);
	disk(&t, "a", "SA", "member_of", "md5", "disk.unsupported",
	    FW_STATE_WARNING);
	disk(&t, "e", "SE", "member_of", "md5", "disk.io_errors",
	    FW_STATE_UNKNOWN);
	topo_commit(&t);
	assert_int_equal(at_risk(&t, "md5")->state, FW_STATE_OK);
	topo_close(&t);

	/* No serial: the identity stands in. */
	topo_open(&t);
	array(&t, "md5", "raid5", "raid.degraded", 0);
	disk(&t, "naa.1", NULL, "member_of", "md5", "disk.io_errors",
	    FW_STATE_WARNING);
	topo_commit(&t);
	assert_non_null(strstr(at_risk(&t, "md5")->message,
	    "member naa.1 (naa.1) shows"));
	topo_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raid1_last_member_sick),
		cmocka_unit_test(test_raid1_healthy_or_redundant),
		cmocka_unit_test(test_every_md_level),
		cmocka_unit_test(test_controller_virtual_drives),
		cmocka_unit_test(test_lost_or_uncounted),
		cmocka_unit_test(test_member_choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
