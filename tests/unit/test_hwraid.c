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

#include "../../collectors/hwraid_storcli.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_capture),
		cmocka_unit_test(test_derived_states),
		cmocka_unit_test(test_failed_command),
		cmocka_unit_test(test_broken_outputs),
		cmocka_unit_test(test_redundancy_by_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
