/* Tests of storcli JSON decoding over captured outputs (tests/fixtures/hwraid, see SOURCES.md) and broken ones. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../collectors/hwraid_parse.h"

static char *
load(const char *rel, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "tests/fixtures/hwraid/storcli/%s", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct hw_report *
parse_set(const char *set)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	char rel[128], err[256];
	size_t len;
	char *text;

	snprintf(rel, sizeof(rel), "%s/show.json", set);
	text = load(rel, &len);
	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)), 0);
	free(text);
	snprintf(rel, sizeof(rel), "%s/drives.json", set);
	text = load(rel, &len);
	assert_int_equal(storcli_parse_drives(text, len, r, err, sizeof(err)),
	    0);
	free(text);
	return r;
}

static const struct hw_pd *
pd(const struct hw_ctrl *c, int eid, int slot)
{
	size_t i;

	for (i = 0; i < c->n_pds; i++)
		if (c->pds[i].eid == eid && c->pds[i].slot == slot)
			return &c->pds[i];
	fail_msg("no drive %d:%d", eid, slot);
	return NULL;
}

static void
test_healthy_capture(void **unused)
{
	struct hw_report *r = parse_set("praid-raid6");
	const struct hw_ctrl *c;
	const struct hw_pd *p;

	assert_int_equal(r->n_ctrls, 1);
	c = &r->ctrls[0];
	assert_true(c->ok);
	assert_int_equal(c->index, 0);
	assert_string_equal(c->model, "PRAID EP420i");
	assert_string_equal(c->serial, "0000000061913681");
	assert_string_equal(c->firmware, "4.680.00-8417");
	assert_string_equal(c->status, "Optimal");
	assert_true(c->has_mem);
	assert_int_equal(c->mem_uncorrectable, 0);
	assert_true(c->roc_temp_c == 52);
	assert_string_equal(c->cache_kind, "CacheVault");
	assert_string_equal(c->cache_state, "Optimal");
	assert_int_equal(c->n_vds, 1);
	assert_int_equal(c->vds[0].dg, 0);
	assert_int_equal(c->vds[0].vd, 0);
	assert_string_equal(c->vds[0].type, "RAID6");
	assert_string_equal(c->vds[0].state, "Optl");
	assert_string_equal(c->vds[0].cache, "RWBD");
	assert_int_equal(c->n_pds, 4);
	p = pd(c, 252, 5);
	assert_int_equal(p->dg, 0);
	assert_string_equal(p->state, "Onln");
	assert_string_equal(p->model, "Micron_5200_MTFDDAK960TDC");
	/* Details matched to the drive by enclosure and slot. */
	assert_true(p->detailed);
	assert_string_equal(p->serial, "20032656D5D1");
	assert_string_equal(p->wwn, "naa.500a07512656d5d1");
	assert_string_equal(p->firmware, "D1MU004");
	assert_int_equal(p->media_errors, 0);
	assert_int_equal(p->predictive, 0);
	assert_false(p->smart_alert);
	assert_true(p->temp_c == 21);
	free(r);
}

static void
test_derived_states(void **unused)
{
	struct hw_report *r = parse_set("raid6-at-risk");
	const struct hw_ctrl *c = &r->ctrls[0];
	const struct hw_pd *p;

	assert_string_equal(c->vds[0].state, "Dgrd");
	p = pd(c, 252, 4);
	assert_string_equal(p->state, "UBad");
	assert_int_equal(p->dg, -1);		/* "DG" : "-" */
	assert_string_equal(pd(c, 252, 5)->state, "Rbld");
	p = pd(c, 252, 0);
	assert_int_equal(p->media_errors, 12);
	assert_int_equal(p->predictive, 1);
	assert_true(p->smart_alert);
	free(r);

	r = parse_set("cv-failed");
	c = &r->ctrls[0];
	assert_string_equal(c->cache_state, "Failed");
	assert_string_equal(c->status, "Needs Attention");
	assert_string_equal(c->vds[0].cache, "RWTD");
	assert_true(c->roc_temp_c == 97);
	free(r);
}

static void
test_failed_command(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	char err[256];
	size_t len;
	char *text = load("failure/show.json", &len);

	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)), 0);
	assert_int_equal(r->n_ctrls, 1);
	assert_false(r->ctrls[0].ok);
	assert_int_equal(r->ctrls[0].index, 0);
	/* "Description": "None": the detailed status says why. */
	assert_string_equal(r->ctrls[0].failure, "Failure: Incomplete foreign "
	    "configuration");
	free(text);
	free(r);
}

static void
test_broken_outputs(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	char err[256];
	size_t len;
	char *text = load("truncated/show.json", &len);

	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "not JSON: line 176 column 8: premature end "
	    "of input near '\"Deny'");
	free(text);

#define BAD(json, msg) do {						\
	assert_int_equal(storcli_parse_show(json, strlen(json), r, err,	\
	    sizeof(err)), -EINVAL);					\
	assert_string_equal(err, msg);					\
} while (0)
	BAD("", "not JSON: line 1 column 0: '[' or '{' expected near end of "
	    "file");
	BAD("{\"Controllers\": 3}", "no \"Controllers\" array");
	BAD("{\"Controllers\": [7]}", "Controllers[0]: not an object");
	BAD("{\"Controllers\":[{\"Command Status\":{\"Status\":\"Success\"},"
	    "\"Response Data\":{\"VD LIST\":[{\"DG/VD\":\"0-1\"}]}}]}",
	    "Controllers[0].Response Data.VD LIST[0]: \"DG/VD\" is not N/N: "
	    "'0-1'");
	BAD("{\"Controllers\":[{\"Command Status\":{\"Status\":\"Success\"},"
	    "\"Response Data\":{\"VD LIST\":[{\"DG/VD\":\"0/0\"},{\"DG/VD\":"
	    "\"0/1\",\"State\":\"Optl\"}]}}]}",
	    "Controllers[0].Response Data.VD LIST[0]: no \"State\"");
	BAD("{\"Controllers\":[{\"Command Status\":{\"Status\":\"Success\"},"
	    "\"Response Data\":{\"PD LIST\":[{\"EID:Slt\":\"x\",\"State\":"
	    "\"Onln\"}]}}]}", "Controllers[0].Response Data.PD LIST[0]: "
	    "\"EID:Slt\" is not EID:SLOT: 'x'");
	BAD("{\"Controllers\":[{\"Command Status\":{\"Status\":\"Success\"},"
	    "\"Response Data\":{\"PD LIST\":{}}}]}",
	    "Controllers[0].Response Data.PD LIST: not an array");
	BAD("{\"Controllers\":[], \"Controllers\":[]}", "not JSON: line 1 "
	    "column 32: duplicate object key near '\"Controllers\"'");
#undef BAD

	/* A box with no controller is not an error: nothing to report. */
	text = "{\"Controllers\":[{\"Command Status\":{\"Controller\":0,"
	    "\"Status\":\"Failure\",\"Description\":\"No Controller found\"}}]}";
	assert_int_equal(storcli_parse_show(text, strlen(text), r, err,
	    sizeof(err)), 0);
	assert_int_equal(r->n_ctrls, 0);
	/* Drives without an enclosure (" :3") and a missing Status. */
	text = "{\"Controllers\":[{\"Command Status\":{\"Controller\":1,"
	    "\"Status\":\"Success\"},\"Response Data\":{\"PD LIST\":[{"
	    "\"EID:Slt\":\" :3\",\"State\":\"JBOD\",\"DG\":\"-\"}]}}]}";
	assert_int_equal(storcli_parse_show(text, strlen(text), r, err,
	    sizeof(err)), 0);
	assert_int_equal(r->ctrls[0].index, 1);
	assert_string_equal(r->ctrls[0].status, "");
	assert_int_equal(r->ctrls[0].pds[0].eid, -1);
	assert_int_equal(r->ctrls[0].pds[0].slot, 3);
	text = "{\"Controllers\":[{\"Command Status\":{\"Controller\":1,"
	    "\"Status\":\"Success\"},\"Response Data\":{\"Drive /c1/s3 - "
	    "Detailed Information\":{\"Drive /c1/s3 State\":{\"Media Error "
	    "Count\":\"5\",\"Drive Temperature\":\"N/A\"},\"Drive /c1/s3 Device"
	    " attributes\":{\"SN\":\"  S1\",\"WWN\":\"NA\"}}}}]}";
	assert_int_equal(storcli_parse_drives(text, strlen(text), r, err,
	    sizeof(err)), 0);
	assert_true(r->ctrls[0].pds[0].detailed);
	assert_int_equal(r->ctrls[0].pds[0].media_errors, 5);
	assert_true(isnan(r->ctrls[0].pds[0].temp_c));
	assert_string_equal(r->ctrls[0].pds[0].serial, "S1");
	assert_string_equal(r->ctrls[0].pds[0].wwn, "");
	free(r);
}

static void
test_redundancy_by_state(void **unused)
{
	assert_int_equal(storcli_vd_redundancy("RAID1", "Optl"), 1);
	assert_int_equal(storcli_vd_redundancy("RAID5", "Optl"), 1);
	assert_int_equal(storcli_vd_redundancy("RAID10", "Optl"), 1);
	assert_int_equal(storcli_vd_redundancy("RAID50", "Optl"), 1);
	assert_int_equal(storcli_vd_redundancy("RAID6", "Optl"), 2);
	assert_int_equal(storcli_vd_redundancy("RAID60", "Optl"), 2);
	assert_int_equal(storcli_vd_redundancy("RAID6", "Pdgd"), 1);
	assert_int_equal(storcli_vd_redundancy("RAID5", "Pdgd"), 0);
	assert_int_equal(storcli_vd_redundancy("RAID6", "Dgrd"), 0);
	assert_int_equal(storcli_vd_redundancy("RAID1", "Dgrd"), 0);
	assert_int_equal(storcli_vd_redundancy("RAID5", "Rec"), 0);
	assert_int_equal(storcli_vd_redundancy("RAID1", "OfLn"), -1);
	assert_int_equal(storcli_vd_redundancy("RAID0", "Optl"), -1);
	assert_int_equal(storcli_vd_redundancy("JBOD", "Optl"), -1);
}

/* A captured text output, by path under tests/fixtures/hwraid. */
static char *
load_text(const char *rel, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), "../%s", rel);
	return load(path, len);
}

static void
test_ssacli(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	struct hw_ctrl c;
	char err[256];
	size_t len;
	char *t;

	t = load_text("ssacli/cache-recharging/status", &len);
	assert_int_equal(ssacli_parse_status(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 1);
	assert_int_equal(r->ctrls[0].tool, HW_SSACLI);
	assert_string_equal(r->ctrls[0].model, "Smart Array P420i");
	assert_string_equal(r->ctrls[0].slot, "0");
	assert_string_equal(r->ctrls[0].status, "Optimal");
	assert_string_equal(r->ctrls[0].cache_status, "Temporarily Disabled");
	assert_string_equal(r->ctrls[0].cache_kind, "Battery/Capacitor");
	assert_string_equal(r->ctrls[0].cache_state, "Recharging");

	/* Two controllers, one in HBA mode; a prompt line before them. */
	t = load_text("ssacli/two-ctrl-ok/status", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_status(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 2);
	assert_string_equal(r->ctrls[0].model, "Smart Array P840");
	assert_string_equal(r->ctrls[1].slot, "0");
	t = load_text("ssacli/parts/status-slot-0b", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_status(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_string_equal(r->ctrls[0].slot, "0b");
	t = load_text("ssacli/parts/status-no-controllers", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_status(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 0);
	assert_int_equal(ssacli_parse_status("garbage\n", 8, r, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not ssacli's"));

	/* Logical drives: RAID 5 in Interim Recovery Mode is degraded. */
	memset(&c, 0, sizeof(c));
	t = load_text("ssacli/parts/ld-interim-recovery", &len);
	assert_int_equal(ssacli_parse_ld(t, len, &c, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(c.n_vds, 1);
	assert_string_equal(c.vds[0].type, "RAID5");
	assert_string_equal(c.vds[0].state, "Interim Recovery Mode");
	assert_string_equal(c.vds[0].norm, "Dgrd");
	assert_int_equal(c.vds[0].dg, 0);
	/* "RAID 6 (ADG)", and arrays marked (Failed). */
	t = load_text("ssacli/parts/ld-arrays-failed-raid6", &len);
	assert_int_equal(ssacli_parse_ld(t, len, &c, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(c.n_vds, 12);
	assert_string_equal(c.vds[0].type, "RAID6");
	assert_string_equal(c.vds[0].note, "array A (Failed)");
	assert_int_equal(c.vds[8].dg, 1);
	assert_string_equal(c.vds[8].type, "RAID5");
	assert_string_equal(c.vds[8].note, "array B (Failed)");
	/* A controller with none. */
	t = load_text("ssacli/two-ctrl-ok/ld-slot1", &len);
	assert_int_equal(ssacli_parse_ld(t, len, &c, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(c.n_vds, 0);
	assert_int_equal(ssacli_parse_ld("      logicaldrive x\n", 21, &c, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: logicaldrive line not 'logicaldrive"
	    " N (SIZE, RAID L, STATUS)'");

	/* Drives, by array. */
	t = load_text("ssacli/two-ctrl-ok/pd-slot0", &len);
	assert_int_equal(ssacli_parse_pd(t, len, &c, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(c.n_pds, 2);
	assert_string_equal(c.pds[1].slot_name, "1I:1:2");
	assert_string_equal(c.pds[1].state, "OK");
	assert_string_equal(c.pds[1].norm, "Onln");
	assert_string_equal(c.pds[1].intf, "SAS");
	assert_int_equal(c.pds[1].dg, 0);
	t = "   array A\n      physicaldrive 2I:1:5 (port 2I:box 1:bay 5, SAS,"
	    " 300 GB, Predictive Failure)\n      physicaldrive 2I:1:6 (port "
	    "2I:box 1:bay 6, SAS, 300 GB, Failed)\n   unassigned\n      "
	    "physicaldrive 2I:1:7 (port 2I:box 1:bay 7, SAS, 300 GB, OK, "
	    "spare)\n";
	assert_int_equal(ssacli_parse_pd(t, strlen(t), &c, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_pds, 3);
	assert_int_equal(c.pds[0].predictive, 1);
	assert_string_equal(c.pds[1].norm, "Failed");
	assert_string_equal(c.pds[2].norm, "GHS");
	assert_int_equal(c.pds[2].dg, -1);
	free(r);
}

static void
test_arcconf(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	const struct hw_ctrl *c;
	char err[256];
	size_t len, i, members;
	int found;
	char *t;

	/* RAID 10 degraded, one drive rebuilding; segments by place. */
	t = load_text("arcconf/raid10-rebuilding/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 1, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	assert_int_equal(found, 1);
	c = &r->ctrls[0];
	assert_int_equal(c->tool, HW_ARCCONF);
	assert_string_equal(c->model, "Adaptec 6405");
	assert_string_equal(c->status, "Optimal");
	assert_true(c->roc_temp_c == -4);
	assert_string_equal(c->cache_state, "not installed");
	assert_int_equal(c->n_vds, 1);
	assert_string_equal(c->vds[0].type, "RAID10");
	assert_string_equal(c->vds[0].state, "Degraded");
	assert_string_equal(c->vds[0].norm, "Dgrd");
	assert_int_equal(c->n_pds, 4);
	for (i = members = 0; i < 4; i++)
		members += (c->pds[i].vd_mask & 1) != 0;
	assert_int_equal(members, 4);
	assert_int_equal(c->pds[3].eid, 0);
	assert_int_equal(c->pds[3].slot, 3);
	assert_string_equal(c->pds[3].norm, "Rbld");

	/* A failed drive, a missing segment; battery failed; SMART. */
	t = load_text("arcconf/degraded-failed/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 2, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[1];
	assert_int_equal(c->index, 2);
	assert_string_equal(c->vds[0].norm, "Dgrd");
	assert_string_equal(c->pds[1].state, "Failed");
	assert_string_equal(c->pds[1].norm, "Failed");
	t = load_text("arcconf/battery-failed/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 3, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	assert_string_equal(r->ctrls[2].cache_kind, "Battery");
	assert_string_equal(r->ctrls[2].cache_state, "Failed");
	t = load_text("arcconf/smart-warning/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 4, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[3];
	assert_string_equal(c->cache_kind, "ZMM");
	assert_string_equal(c->cache_state, "Optimal");
	assert_string_equal(c->vds[0].type, "RAID6");
	for (i = members = 0; i < c->n_pds; i++)
		if (c->pds[i].predictive > 0)
			members++;
	assert_int_equal(members, 1);
	/* Three logical devices on 2 + 7 + 7 drives, two hot spares. */
	t = load_text("arcconf/three-ld-spares/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 5, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[4];
	assert_int_equal(c->n_vds, 3);
	for (i = members = 0; i < c->n_pds; i++)
		if (c->pds[i].vd_mask == 4)
			members++;
	assert_int_equal(members, 7);
	for (i = members = 0; i < c->n_pds; i++)
		if (c->pds[i].vd_mask == 1)
			members++;
	assert_int_equal(members, 2);
	for (i = members = 0; i < c->n_pds; i++)
		if (strcmp(c->pds[i].norm, "GHS") == 0)
			members++;
	assert_int_equal(members, 2);

	assert_int_equal(arcconf_parse_config("Invalid controller number.\n",
	    27, 2, r, &found, err, sizeof(err)), 0);
	assert_int_equal(r->n_ctrls, 5);
	assert_int_equal(arcconf_parse_config("nonsense\n", 9, 1, r, &found,
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: no \"Controller information\" "
	    "section: not arcconf's GETCONFIG output");
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_capture),
		cmocka_unit_test(test_derived_states),
		cmocka_unit_test(test_failed_command),
		cmocka_unit_test(test_broken_outputs),
		cmocka_unit_test(test_redundancy_by_state),
		cmocka_unit_test(test_ssacli),
		cmocka_unit_test(test_arcconf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
