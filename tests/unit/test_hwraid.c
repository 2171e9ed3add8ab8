/* Tests of storcli, ssacli and arcconf decoding over captured outputs (tests/fixtures/hwraid, see SOURCES.md) and broken ones. */
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
	/* A media count but no predictive one: only the count is known. */
	assert_true(r->ctrls[0].pds[0].counters);
	assert_false(r->ctrls[0].pds[0].detailed);
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

/* An mpt3sas HBA: "OK", no virtual drive, its drives with details inline. */
static void
test_hba_counts_not_kept(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	const struct hw_ctrl *c;
	const struct hw_pd *p;
	char err[256];
	size_t len;
	char *text = load("hba9500-jbod/show.json", &len);

	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(r->n_ctrls, 1);
	c = &r->ctrls[0];
	assert_string_equal(c->model, "HBA 9500-8i");
	assert_string_equal(c->status, "OK");
	assert_true(c->roc_temp_c == 44);
	assert_string_equal(c->cache_kind, "");
	assert_int_equal(c->n_vds, 0);
	assert_int_equal(c->n_pds, 29);
	assert_true(c->pd_details);
	p = pd(c, 30, 5);
	assert_string_equal(p->state, "JBOD");
	assert_string_equal(p->firmware, "PQGNW540");
	/* "N/A": unknown, neither 0 nor a failure to parse. */
	assert_false(p->detailed);
	assert_false(p->counters);
	assert_false(p->smart_alert);

	text = "{\"Controllers\":[{\"Command Status\":{\"Controller\":0,"
	    "\"Status\":\"Success\"},\"Response Data\":{\"PD LIST\":[{"
	    "\"EID:Slt\":\"8:1\",\"State\":\"Onln\"}]}}]}";
	r->n_ctrls = 0;
	assert_int_equal(storcli_parse_show(text, strlen(text), r, err,
	    sizeof(err)), 0);
	assert_false(r->ctrls[0].pd_details);
	text = "{\"Controllers\":[{\"Command Status\":{\"Controller\":0,"
	    "\"Status\":\"Success\"},\"Response Data\":{\"Drive /c0/e8/s1 - "
	    "Detailed Information\":{\"Drive /c0/e8/s1 State\":{\"Media Error "
	    "Count\":\"N/A\",\"Predictive Failure Count\":2,\"S.M.A.R.T alert "
	    "flagged by drive\":\"N/A\"}}}}]}";
	assert_int_equal(storcli_parse_drives(text, strlen(text), r, err,
	    sizeof(err)), 0);
	assert_true(r->ctrls[0].pds[0].detailed);
	assert_int_equal(r->ctrls[0].pds[0].predictive, 2);
	assert_false(r->ctrls[0].pds[0].counters);
	text = "{\"Controllers\":[{\"Command Status\":{\"Status\":\"Success\"},"
	    "\"Response Data\":{\"Physical Device Information\":{\"Drive /c0/"
	    "e8/s1\":{}}}}]}";
	r->n_ctrls = 0;
	assert_int_equal(storcli_parse_show(text, strlen(text), r, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "Controllers[0].Response Data.Physical Device "
	    "Information.Drive /c0/e8/s1: not an array");
	free(r);
}

/* storcli2 / perccli2: State and Status apart, Energy Pack, Drives List. */
static void
test_storcli2_layout(void **unused)
{
	struct hw_report *r = parse_set("perccli2-h965i");
	const struct hw_ctrl *c = &r->ctrls[0];
	const struct hw_pd *p;
	char err[256];
	size_t i;
	const char *text;

	assert_int_equal(r->n_ctrls, 1);
	assert_int_equal(c->index, 0);		/* "Controller": "0" */
	assert_string_equal(c->model, "PERC H965i Front");
	assert_string_equal(c->serial, "42xxxxx");
	assert_string_equal(c->firmware, "8.4.0.200-00018-00028");
	assert_string_equal(c->status, "Optimal");
	assert_true(c->roc_temp_c == 60);	/* "Chip temperature(C)" */
	assert_string_equal(c->cache_kind, "Energy Pack");
	assert_string_equal(c->cache_state, "Optimal");
	assert_int_equal(c->n_vds, 1);
	assert_int_equal(c->vds[0].vd, 1);
	assert_string_equal(c->vds[0].type, "RAID6");
	assert_string_equal(c->vds[0].cache, "NR,WB");	/* CurrentCache */
	assert_int_equal(c->n_pds, 16);
	p = pd(c, 292, 0);
	assert_string_equal(p->state, "Conf, Online");
	assert_string_equal(p->norm, "Onln");
	assert_int_equal(p->did, 275);			/* "PID" */
	/* Details from "Drives List", counts from "LU/NS Properties". */
	assert_true(p->detailed);
	assert_true(p->counters);
	assert_int_equal(p->media_errors, 0);
	assert_true(p->temp_c == 29);
	assert_string_equal(p->serial, "xxx");
	assert_string_equal(p->firmware, "D4DK003");
	assert_string_equal(p->wwn, "");
	p = pd(c, 292, 8);
	assert_string_equal(p->norm, "GHS");
	assert_int_equal(p->dg, -1);
	assert_false(p->detailed);	/* the capture has two drives' details */
	free(r);

	/* Each condition in storcli's word; a bad one wins over the role. */
	static const char *const pairs[][3] = {
		{ "Conf", "Rebuild", "Rbld" }, { "Conf", "Failed", "Failed" },
		{ "Conf", "Offline", "Offln" }, { "JBOD", "Missing", "Msng" },
		{ "UConf", "Good", "UGood" }, { "UConf", "Bad", "UBad" },
		{ "UConf", "Unusable", "UBad" }, { "JBOD", "Online", "JBOD" },
		{ "DHSShld", "Online", "DHS" }, { "ConfDgrd", "Online", "Onln" },
		{ "Conf", "Replace", "Cpybck" }, { "Conf", "Sleepy", "?" },
	};
	r = calloc(1, sizeof(*r));
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char json[512];

		snprintf(json, sizeof(json), "{\"Controllers\":[{\"Command "
		    "Status\":{\"Status\":\"Success\"},\"Response Data\":{\"PD "
		    "LIST\":[{\"EID:Slt\":\"1:2\",\"State\":\"%s\",\"Status\":"
		    "\"%s\"}]}}]}", pairs[i][0], pairs[i][1]);
		r->n_ctrls = 0;
		text = json;
		assert_int_equal(storcli_parse_show(text, strlen(text), r, err,
		    sizeof(err)), 0);
		assert_string_equal(r->ctrls[0].pds[0].norm, pairs[i][2]);
	}
	free(r);
}

/* A hot RAID-on-chip, CacheVault, perccli's BBU; "No Controller found". */
static void
test_storcli_more_captures(void **unused)
{
	struct hw_report *r = parse_set("9270cv-roc-hot");
	const struct hw_ctrl *c = &r->ctrls[0];
	char err[256];
	size_t len;
	char *text;

	assert_true(c->roc_temp_c == 110);
	assert_string_equal(c->cache_kind, "CacheVault");
	assert_int_equal(c->n_pds, 8);
	assert_true(pd(c, 252, 0)->temp_c == 61);
	assert_string_equal(pd(c, 252, 0)->wwn, "naa.5000cca22cd8ec84");
	free(r);
	r = parse_set("perccli-h755");
	c = &r->ctrls[0];
	assert_string_equal(c->model, "PERC H755 Front");
	assert_string_equal(c->cache_kind, "BBU");
	assert_int_equal(c->vds[0].vd, 239);
	assert_string_equal(pd(c, 252, 7)->state, "UGood");
	assert_true(pd(c, 252, 7)->detailed);
	free(r);

	r = calloc(1, sizeof(*r));
	text = load("perccli-no-controller/show.json", &len);
	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(r->n_ctrls, 0);
	assert_string_equal(r->none, "Failure: No Controller found");

	/*
	 * "/call show J" (not "show all"): names at the top of Response Data,
	 * no Status; an IR HBA's drives in state "-".  A parser input only:
	 * the collector runs "show all", and these three controllers were
	 * put together from more than one host.
	 */
	text = load("parts/three-ctrl-call-show.json", &len);
	assert_int_equal(storcli_parse_show(text, len, r, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(r->n_ctrls, 3);
	assert_string_equal(r->ctrls[0].model, "AVAGO 3108 MegaRAID");
	assert_string_equal(r->ctrls[0].serial, "FW-BAMQTHEAARBWA");
	assert_string_equal(r->ctrls[0].firmware, "4.680.00-8290");
	assert_string_equal(r->ctrls[0].status, "");
	assert_int_equal(r->ctrls[1].n_vds, 2);
	assert_int_equal(r->ctrls[1].vds[1].vd, 234);
	c = &r->ctrls[2];
	assert_int_equal(c->index, 2);
	assert_string_equal(c->model, "LSI3008-IR");
	assert_int_equal(c->n_vds, 0);
	assert_int_equal(c->n_pds, 3);
	assert_int_equal(c->pds[0].eid, -1);
	assert_string_equal(c->pds[0].state, "-");
	assert_string_equal(c->pds[2].state, "UGood");
	free(r);
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

/* "ctrl all show config detail": everything of each controller in one. */
static void
test_ssacli_config_detail(void **unused)
{
	struct hw_report *r = calloc(1, sizeof(*r));
	const struct hw_ctrl *c;
	char err[256];
	size_t len, i, n;
	char *t;

	t = load_text("ssacli/p400i-battery-failed/config-detail", &len);
	assert_int_equal(ssacli_parse_config(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 1);
	c = &r->ctrls[0];
	assert_string_equal(c->model, "Smart Array P400i");
	assert_string_equal(c->status, "Optimal");
	assert_string_equal(c->firmware, "7.24-0");
	assert_string_equal(c->cache_status, "Temporarily Disabled");
	assert_string_equal(c->cache_state, "Failed (Replace Batteries)");
	assert_int_equal(c->n_vds, 1);
	assert_string_equal(c->vds[0].type, "RAID1");	/* Fault Tolerance */
	assert_string_equal(c->vds[0].norm, "Optl");
	/* Detail blocks only: the "(port ...)" listing lines are skipped. */
	assert_int_equal(c->n_pds, 4);
	for (i = n = 0; i < c->n_pds; i++)
		n += c->pds[i].dg == 0;
	assert_int_equal(n, 2);
	assert_string_equal(c->pds[0].slot_name, "1I:1:3");
	assert_string_equal(c->pds[0].model, "ATA     INTEL SSDSA2BZ10");
	assert_string_equal(c->pds[0].firmware, "6PB10362");
	assert_true(c->pds[0].temp_c == 23);
	assert_int_equal(c->pds[2].dg, -1);		/* Unassigned */
	assert_string_equal(c->pds[2].norm, "Onln");

	t = load_text("ssacli/p212-p410i/config-detail", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_config(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 2);
	assert_string_equal(r->ctrls[0].slot, "5");
	assert_string_equal(r->ctrls[1].model, "Smart Array P410i");
	assert_int_equal(r->ctrls[1].n_vds, 2);
	assert_string_equal(r->ctrls[1].vds[1].type, "RAID10");
	t = load_text("ssacli/p408i-a-gen10/config-detail", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_config(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_true(r->ctrls[0].roc_temp_c == 52);
	assert_string_equal(r->ctrls[0].vds[0].type, "RAID6");

	t = "Smart Array P1 in Slot 1\n   Controller Status: OK\n\n   Array: A"
	    "\n      Array Type: Data\n\n      Logical Drive: 1\n         "
	    "Fault Tolerance: 5\n";
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_config(t, strlen(t), r, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 8: a logical drive without \"Status\"");
	assert_int_equal(ssacli_parse_config("nonsense\n", 9, r, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not ssacli's \"ctrl all show config "
	    "detail\""));
	t = load_text("ssacli/parts/status-no-controllers", &len);
	r->n_ctrls = 0;
	assert_int_equal(ssacli_parse_config(t, len, r, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(r->n_ctrls, 0);
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

	/*
	 * A location number past any slot is no location (an unbounded parse
	 * overflowed on it): the drive keeps the slot of its place in the list.
	 */
	{
		struct hw_report *r2 = calloc(1, sizeof(*r2));
		const char *at, *what = "Enclosure 0, Slot 3";
		char *u;
		size_t off;

		t = load_text("arcconf/raid10-rebuilding/getconfig-1", &len);
		at = strstr(t, what);
		assert_non_null(at);
		off = (size_t)(at - t);
		u = malloc(len + 32);
		memcpy(u, t, off);
		len = off + (size_t)snprintf(u + off, len + 32 - off,
		    "Enclosure 0, Slot 99999999999%s", at + strlen(what));
		free(t);
		assert_int_equal(arcconf_parse_config(u, len, 1, r2, &found,
		    err, sizeof(err)), 0);
		free(u);
		assert_int_equal(r2->ctrls[0].n_pds, 4);
		/* An unbounded parse made it -1; its place in the list says 3. */
		assert_int_equal(r2->ctrls[0].pds[3].slot, 3);
		free(r2);
	}

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

	/* The old IBM arcconf: "Logical drive", segments by channel,device. */
	t = load_text("arcconf/8k-l-offline/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 6, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[5];
	assert_int_equal(c->n_vds, 1);
	assert_string_equal(c->vds[0].name, "ARRAY01");
	assert_string_equal(c->vds[0].state, "Offline");
	assert_string_equal(c->vds[0].norm, "OfLn");
	assert_string_equal(c->vds[0].type, "RAID0");	/* Spanned_volume */
	assert_string_equal(c->pds[5].norm, "Failed");	/* Defunct */
	assert_int_equal(c->pds[5].predictive, 1);	/* PFA: Yes */
	assert_int_equal(c->pds[5].chan, 0);
	assert_int_equal(c->pds[5].dev, 5);
	for (i = members = 0; i < c->n_pds; i++)
		members += c->pds[i].vd_mask == 1;
	assert_int_equal(members, 6);	/* "Inconsistent (0,5)" too */
	assert_string_equal(c->cache_state, "Not Installed");
	/* A key with a colon: "Reported Channel,Device(T:L) : 0,2(2:0)". */
	t = load_text("arcconf/6805e-degraded/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 7, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[6];
	assert_string_equal(c->vds[1].norm, "Dgrd");
	assert_string_equal(c->pds[2].norm, "Failed");
	assert_int_equal(c->pds[2].chan, 0);
	assert_int_equal(c->pds[2].dev, 2);
	assert_int_equal(c->pds[2].vd_mask, 2);
	assert_true(c->roc_temp_c == 61);
	/* arcconf 3.x: membership by "Array", slots "Direct Attached". */
	t = load_text("arcconf/smartraid-3154/getconfig-1", &len);
	assert_int_equal(arcconf_parse_config(t, len, 8, r, &found, err,
	    sizeof(err)), 0);
	free(t);
	c = &r->ctrls[7];
	assert_int_equal(c->n_vds, 2);
	assert_int_equal(c->vds[1].dg, 1);
	assert_string_equal(c->vds[1].type, "RAID6");
	assert_int_equal(c->n_pds, 14);
	for (i = members = 0; i < c->n_pds; i++)
		members += c->pds[i].dg == 1 && c->pds[i].eid == -1;
	assert_int_equal(members, 12);
	assert_int_equal(c->pds[13].slot, 15);
	assert_string_equal(c->pds[13].serial, "2BH4UWEN");
	assert_string_equal(c->cache_kind, "Backup Unit");
	assert_string_equal(c->cache_state, "Ok");
	assert_string_equal(c->cache_status, "Ok");
	r->n_ctrls = 5;

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
		cmocka_unit_test(test_hba_counts_not_kept),
		cmocka_unit_test(test_storcli2_layout),
		cmocka_unit_test(test_storcli_more_captures),
		cmocka_unit_test(test_ssacli),
		cmocka_unit_test(test_ssacli_config_detail),
		cmocka_unit_test(test_arcconf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
