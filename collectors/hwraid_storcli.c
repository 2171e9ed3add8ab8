/* storcli/perccli JSON (storcli 007 and storcli2/perccli2 008 layouts): controllers, virtual drives, drives, cache protection; every complaint names the place in the output. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "forewarn/util.h"
#include "hwraid_parse.h"

/* Where we are in the document, for the error message. */
struct where {
	char	*err;
	size_t	 size;
	char	 path[256];
};

static int
fail(struct where *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->err != NULL && w->size > 0)
		snprintf(w->err, w->size, "%s%s%s", w->path, w->path[0] ? ": " :
		    "", msg);
	return -EINVAL;
}

/* Copy a string member, printable and trimmed; absent or not a string: "". */
static void
str_of(json_t *o, const char *key, char *dst, size_t size)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	dst[0] = '\0';
	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	while (*s == ' ')
		s++;
	fw_sanitize(dst, size, s, strlen(s));
	n = strlen(dst);
	while (n > 0 && dst[n - 1] == ' ')
		dst[--n] = '\0';
}

/* A counter that storcli writes as a number or, in some versions, a string. */
static bool
num_of(json_t *o, const char *key, double *ret)
{
	json_t *v = json_object_get(o, key);
	char *end;
	double d;

	if (json_is_integer(v) || json_is_real(v)) {
		*ret = json_number_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	d = strtod(json_string_value(v), &end);
	if (end == json_string_value(v))
		return false;
	*ret = d;
	return true;
}

static uint64_t
count_of(json_t *o, const char *key)
{
	double d;

	return num_of(o, key, &d) && d > 0 && d < 1e18 ? (uint64_t)d : 0;
}

/*
 * A count the controller keeps: false for "N/A", which an HBA in IT mode
 * says of the error counts it does not keep (unknown, not 0).
 */
static bool
count_known(json_t *o, const char *key, uint64_t *ret)
{
	double d;

	if (!num_of(o, key, &d))
		return false;
	*ret = d > 0 && d < 1e18 ? (uint64_t)d : 0;
	return true;
}

/* " 30C (86.00 F)", "28C", 50: degrees Celsius, or NAN. */
static double
temp_of(json_t *o, const char *key)
{
	double d;

	if (!num_of(o, key, &d) || d <= -60 || d >= 250)
		return NAN;
	return d;
}

/* "252:1", " :3" (no enclosure), "0:1"; false when neither. */
static bool
eid_slot(const char *s, int *eid, int *slot)
{
	char *end;
	long e = -1, sl;

	while (*s == ' ')
		s++;
	if (*s != ':') {
		e = strtol(s, &end, 10);
		if (end == s || e < 0 || e > 65535)
			return false;
		s = end;
		while (*s == ' ')
			s++;
	}
	if (*s != ':')
		return false;
	s++;
	sl = strtol(s, &end, 10);
	if (end == s || sl < 0 || sl > 65535)
		return false;
	*eid = (int)e;
	*slot = (int)sl;
	return true;
}

static json_t *
parse(const char *json, size_t len, struct where *w, json_t **ret_ctrls)
{
	json_error_t je;
	json_t *root, *ctrls;

	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		fail(w, "not JSON: line %d column %d: %s", je.line, je.column,
		    je.text);
		return NULL;
	}
	ctrls = json_object_get(root, "Controllers");
	if (!json_is_array(ctrls)) {
		fail(w, "no \"Controllers\" array");
		json_decref(root);
		return NULL;
	}
	*ret_ctrls = ctrls;
	return root;
}

/* Command Status of one controller: true when it answered. */
static bool
command_ok(json_t *c, int *index, char *failure, size_t size)
{
	json_t *cs = json_object_get(c, "Command Status");
	char status[32], desc[128];
	double d;

	*index = -1;
	failure[0] = '\0';
	if (!json_is_object(cs)) {
		fw_strlcpy(failure, "no Command Status", size);
		return false;
	}
	if (num_of(cs, "Controller", &d) && d >= 0 && d < 1000)
		*index = (int)d;
	str_of(cs, "Status", status, sizeof(status));
	if (strcmp(status, "Success") == 0)
		return true;
	str_of(cs, "Description", desc, sizeof(desc));
	if (desc[0] == '\0' || strcmp(desc, "None") == 0) {
		desc[0] = '\0';
		json_t *ds = json_object_get(cs, "Detailed Status");

		if (json_is_array(ds) && json_array_size(ds) > 0)
			str_of(json_array_get(ds, 0), "ErrMsg", desc,
			    sizeof(desc));
	}
	fw_snprintf(failure, size, "%s%s%s", status[0] ? status : "no status",
	    desc[0] ? ": " : "", desc);
	return false;
}

/*
 * storcli2 and perccli2 say a drive's role (State: Conf, UConf, JBOD, GHS,
 * DHS, with suffixes such as Shld, Dgrd, Sntz, Unsp) apart from its
 * condition (Status: Online, Good, Rebuild, Replace, Offline, Failed,
 * Missing, Bad, Unusable); storcli 007 has one word for both.  A bad
 * condition wins over any role.
 */
static const char *
storcli2_pd_norm(const char *state, const char *status)
{
	static const struct { const char *status, *norm; } cond[] = {
		{ "Failed", "Failed" }, { "Offline", "Offln" },
		{ "Missing", "Msng" }, { "Bad", "UBad" }, { "Unusable", "UBad" },
		{ "Rebuild", "Rbld" }, { "Replace", "Cpybck" },
	};
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(cond); i++)
		if (strcmp(status, cond[i].status) == 0)
			return cond[i].norm;
	if (strcmp(status, "Online") != 0 && strcmp(status, "Good") != 0)
		return "?";
	if (strncmp(state, "GHS", 3) == 0)
		return "GHS";
	if (strncmp(state, "DHS", 3) == 0)
		return "DHS";
	if (strncmp(state, "JBOD", 4) == 0 || strcmp(state, "Shld") == 0)
		return "JBOD";
	if (strcmp(state, "UConfUnsp") == 0)
		return "UGUnsp";
	if (strncmp(state, "UConf", 5) == 0)
		return "UGood";
	if (strncmp(state, "Conf", 4) == 0)
		return "Onln";
	return "?";
}

static int
parse_vds(struct where *w, json_t *list, struct hw_ctrl *c)
{
	size_t i, base = strlen(w->path);
	json_t *v;
	char dgvd[32], *slash, *end;
	long dg, vd;

	json_array_foreach(list, i, v) {
		snprintf(w->path + base, sizeof(w->path) - base, "[%zu]", i);
		if (!json_is_object(v))
			return fail(w, "not an object");
		if (c->n_vds == HW_VD_MAX)
			return 0;
		struct hw_vd *d = &c->vds[c->n_vds];

		memset(d, 0, sizeof(*d));
		str_of(v, "DG/VD", dgvd, sizeof(dgvd));
		slash = strchr(dgvd, '/');
		if (slash == NULL)
			return fail(w, "\"DG/VD\" is not N/N: '%s'", dgvd);
		*slash = '\0';
		dg = strtol(dgvd, &end, 10);
		if (end == dgvd || *end != '\0' || dg < 0 || dg > 65535)
			return fail(w, "\"DG/VD\": bad drive group '%s'", dgvd);
		vd = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || vd < 0 || vd > 65535)
			return fail(w, "\"DG/VD\": bad VD '%s'", slash + 1);
		d->dg = (int)dg;
		d->vd = (int)vd;
		str_of(v, "TYPE", d->type, sizeof(d->type));
		str_of(v, "State", d->state, sizeof(d->state));
		if (d->state[0] == '\0')
			return fail(w, "no \"State\"");
		fw_strlcpy(d->norm, d->state, sizeof(d->norm));
		str_of(v, "Cache", d->cache, sizeof(d->cache));
		if (d->cache[0] == '\0')	/* storcli2: "NR,WB" */
			str_of(v, "CurrentCache", d->cache, sizeof(d->cache));
		str_of(v, "Name", d->name, sizeof(d->name));
		c->n_vds++;
	}
	w->path[base] = '\0';
	return 0;
}

static int
parse_pds(struct where *w, json_t *list, struct hw_ctrl *c)
{
	size_t i, base = strlen(w->path);
	char es[32], dg[16], status[16], both[32], *end;
	json_t *v;
	double d;

	json_array_foreach(list, i, v) {
		snprintf(w->path + base, sizeof(w->path) - base, "[%zu]", i);
		if (!json_is_object(v))
			return fail(w, "not an object");
		if (c->n_pds == HW_PD_MAX)
			return 0;
		struct hw_pd *p = &c->pds[c->n_pds];

		memset(p, 0, sizeof(*p));
		p->temp_c = NAN;
		str_of(v, "EID:Slt", es, sizeof(es));
		if (!eid_slot(es, &p->eid, &p->slot))
			return fail(w, "\"EID:Slt\" is not EID:SLOT: '%s'", es);
		p->did = num_of(v, "DID", &d) || num_of(v, "PID", &d) ? (int)d :
		    -1;
		/* "DG" is a number, or "-" when the drive is in none. */
		p->dg = -1;
		if (num_of(v, "DG", &d) && d >= 0 && d < 65536)
			p->dg = (int)d;
		str_of(v, "DG", dg, sizeof(dg));
		if (dg[0] != '\0' && strcmp(dg, "-") != 0) {
			long n = strtol(dg, &end, 10);

			if (end != dg && *end == '\0' && n >= 0 && n < 65536)
				p->dg = (int)n;
		}
		str_of(v, "State", p->state, sizeof(p->state));
		if (p->state[0] == '\0')
			return fail(w, "no \"State\"");
		str_of(v, "Status", status, sizeof(status));
		if (status[0] != '\0') {
			fw_strlcpy(p->norm, storcli2_pd_norm(p->state, status),
			    sizeof(p->norm));
			fw_snprintf(both, sizeof(both), "%s, %s", p->state,
			    status);
			fw_strlcpy(p->state, both, sizeof(p->state));
		} else
			fw_strlcpy(p->norm, p->state, sizeof(p->norm));
		str_of(v, "Intf", p->intf, sizeof(p->intf));
		str_of(v, "Med", p->med, sizeof(p->med));
		str_of(v, "Model", p->model, sizeof(p->model));
		c->n_pds++;
	}
	w->path[base] = '\0';
	return 0;
}

/* Cachevault_Info / BBU_Info / storcli2 Energy Pack Info: the first unit. */
static void
parse_cache(json_t *rd, struct hw_ctrl *c)
{
	static const struct { const char *key, *kind, *state; } units[] = {
		{ "Cachevault_Info", "CacheVault", "State" },
		{ "BBU_Info", "BBU", "State" },
		{ "Energy Pack Info", "Energy Pack", "Status" },
	};
	size_t i;
	json_t *l;

	for (i = 0; i < FW_ARRAY_SIZE(units); i++) {
		l = json_object_get(rd, units[i].key);
		if (!json_is_array(l) || json_array_size(l) == 0)
			continue;
		fw_strlcpy(c->cache_kind, units[i].kind, sizeof(c->cache_kind));
		str_of(json_array_get(l, 0), units[i].state, c->cache_state,
		    sizeof(c->cache_state));
		return;
	}
}

static struct hw_ctrl *
ctrl_by_index(struct hw_report *r, int index)
{
	size_t i;

	for (i = 0; i < r->n_ctrls; i++)
		if (r->ctrls[i].tool == HW_STORCLI && r->ctrls[i].index == index)
			return &r->ctrls[i];
	return NULL;
}

static struct hw_pd *
pd_at(struct hw_ctrl *c, int eid, int slot)
{
	size_t i;

	for (i = 0; i < c->n_pds; i++)
		if (c->pds[i].eid == eid && c->pds[i].slot == slot)
			return &c->pds[i];
	return NULL;
}

/* "Drive /c0/e252/s1" or "Drive /c0/s1": the drive it names. */
static struct hw_pd *
pd_by_name(struct hw_ctrl *c, const char *key, size_t *ret_len)
{
	int ctl, eid = -1, slot, n = 0;

	if (sscanf(key, "Drive /c%d/e%d/s%d%n", &ctl, &eid, &slot, &n) != 3) {
		eid = -1;
		n = 0;
		if (sscanf(key, "Drive /c%d/s%d%n", &ctl, &slot, &n) != 2)
			return NULL;
	}
	if (ctl != c->index)
		return NULL;
	*ret_len = (size_t)n;
	return pd_at(c, eid, slot);
}

/* A WWN of 16 or more hex digits, in the disks collector's form naa.<hex>. */
static void
wwn_set(struct hw_pd *p, const char *wwn)
{
	size_t i;

	for (i = 0; wwn[i] != '\0'; i++)
		if (!((wwn[i] >= '0' && wwn[i] <= '9') || (wwn[i] >= 'a' &&
		    wwn[i] <= 'f') || (wwn[i] >= 'A' && wwn[i] <= 'F')))
			break;
	if (i < 16 || wwn[i] != '\0')
		return;
	fw_snprintf(p->wwn, sizeof(p->wwn), "naa.%s", wwn);
	for (i = 4; p->wwn[i] != '\0'; i++)
		if (p->wwn[i] >= 'A' && p->wwn[i] <= 'F')
			p->wwn[i] = (char)(p->wwn[i] - 'A' + 'a');
}

static void
drive_details(json_t *det, const char *prefix, struct hw_pd *p)
{
	char key[128], wwn[32];
	json_t *st, *attr;

	fw_snprintf(key, sizeof(key), "%s State", prefix);
	st = json_object_get(det, key);
	fw_snprintf(key, sizeof(key), "%s Device attributes", prefix);
	attr = json_object_get(det, key);
	if (!json_is_object(st) && !json_is_object(attr))
		return;
	p->counters = count_known(st, "Media Error Count", &p->media_errors);
	count_known(st, "Other Error Count", &p->other_errors);
	p->detailed = count_known(st, "Predictive Failure Count",
	    &p->predictive);
	str_of(st, "S.M.A.R.T alert flagged by drive", key, sizeof(key));
	p->smart_alert = strcmp(key, "Yes") == 0;
	if (strcmp(key, "Yes") == 0 || strcmp(key, "No") == 0)
		p->detailed = true;
	p->temp_c = temp_of(st, "Drive Temperature");
	str_of(attr, "SN", p->serial, sizeof(p->serial));
	str_of(attr, "Firmware Revision", p->firmware, sizeof(p->firmware));
	str_of(attr, "WWN", wwn, sizeof(wwn));
	wwn_set(p, wwn);
}

/* Each "Drive /c0/e252/s1 - Detailed Information" of rd, to its drive. */
static void
details_of(json_t *rd, struct hw_ctrl *hc)
{
	char prefix[128];
	struct hw_pd *p;
	const char *key;
	json_t *v;
	size_t n;

	json_object_foreach(rd, key, v) {
		if (strstr(key, " - Detailed Information") == NULL ||
		    (p = pd_by_name(hc, key, &n)) == NULL || !json_is_object(v))
			continue;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)n, key);
		drive_details(v, prefix, p);
	}
}

/* storcli2's "Drives List": "Drive Information" and its details. */
static void
drives_list(json_t *list, struct hw_ctrl *hc)
{
	char es[32], wwn[32];
	json_t *d, *det, *lu;
	struct hw_pd *p;
	int eid, slot;
	size_t i;

	json_array_foreach(list, i, d) {
		str_of(json_object_get(d, "Drive Information"), "EID:Slt", es,
		    sizeof(es));
		det = json_object_get(d, "Drive Detailed Information");
		if (!eid_slot(es, &eid, &slot) || !json_is_object(det) ||
		    (p = pd_at(hc, eid, slot)) == NULL)
			continue;
		/* The error counts are the logical unit's (SAS LU, NVMe NS). */
		lu = json_object_get(det, "LU/NS Properties");
		p->counters = count_known(lu, "Media Error Count",
		    &p->media_errors);
		count_known(lu, "Other Error Count", &p->other_errors);
		p->detailed = count_known(lu, "Predictive Failure Count",
		    &p->predictive);
		p->temp_c = temp_of(det, "Temperature(C)");
		str_of(det, "Serial Number", p->serial, sizeof(p->serial));
		str_of(det, "Firmware Revision Level", p->firmware,
		    sizeof(p->firmware));
		str_of(det, "WWN", wwn, sizeof(wwn));
		wwn_set(p, wwn);
	}
}

/*
 * Model, serial, firmware, status and temperature.  storcli2 names the
 * model "Product Name" and the temperature "Chip temperature(C)"; a plain
 * "show" has the first three at the top of Response Data.
 */
static void
ctrl_basics(json_t *rd, struct hw_ctrl *hc)
{
	json_t *o = json_object_get(rd, "Basics");

	str_of(o, "Model", hc->model, sizeof(hc->model));
	if (hc->model[0] == '\0')
		str_of(o, "Product Name", hc->model, sizeof(hc->model));
	if (hc->model[0] == '\0')
		str_of(rd, "Product Name", hc->model, sizeof(hc->model));
	str_of(o, "Serial Number", hc->serial, sizeof(hc->serial));
	if (hc->serial[0] == '\0')
		str_of(rd, "Serial Number", hc->serial, sizeof(hc->serial));
	str_of(json_object_get(rd, "Version"), "Firmware Version",
	    hc->firmware, sizeof(hc->firmware));
	if (hc->firmware[0] == '\0')
		str_of(rd, "FW Version", hc->firmware, sizeof(hc->firmware));
	o = json_object_get(rd, "Status");
	/* Absent from some versions' output: judged unknown. */
	str_of(o, "Controller Status", hc->status, sizeof(hc->status));
	if (json_object_get(o, "Memory Uncorrectable Errors") != NULL) {
		hc->has_mem = true;
		hc->mem_uncorrectable = count_of(o,
		    "Memory Uncorrectable Errors");
		hc->mem_correctable = count_of(o, "Memory Correctable Errors");
	}
	o = json_object_get(rd, "HwCfg");
	hc->roc_temp_c = temp_of(o, "ROC temperature(Degree Celsius)");
	if (isnan(hc->roc_temp_c))
		hc->roc_temp_c = temp_of(o, "ROC temperature(Degree Celcius)");
	if (isnan(hc->roc_temp_c))
		hc->roc_temp_c = temp_of(o, "Chip temperature(C)");
}

/* A list member of rd: absent is fine, anything but an array is not. */
static int
list_of(struct where *w, json_t *rd, const char *key, size_t i,
    int (*parse_list)(struct where *, json_t *, struct hw_ctrl *),
    struct hw_ctrl *hc)
{
	json_t *l = json_object_get(rd, key);

	if (l == NULL)
		return 0;
	snprintf(w->path, sizeof(w->path), "Controllers[%zu].Response Data.%s",
	    i, key);
	if (!json_is_array(l))
		return fail(w, "not an array");
	return parse_list(w, l, hc);
}

/*
 * An HBA (mpt3sas) lists its drives under "Physical Device Information",
 * each "Drive /c0/e23/s0" a one-row list, with its details beside it.
 */
static int
hba_drives(struct where *w, json_t *rd, size_t i, struct hw_ctrl *hc)
{
	json_t *pdi = json_object_get(rd, "Physical Device Information");
	const char *key;
	json_t *v;
	int rc;

	if (pdi == NULL)
		return 0;
	snprintf(w->path, sizeof(w->path), "Controllers[%zu].Response Data."
	    "Physical Device Information", i);
	if (!json_is_object(pdi))
		return fail(w, "not an object");
	json_object_foreach(pdi, key, v) {
		if (strncmp(key, "Drive /", 7) != 0 || strstr(key, " - ") !=
		    NULL)
			continue;
		snprintf(w->path, sizeof(w->path), "Controllers[%zu].Response "
		    "Data.Physical Device Information.%s", i, key);
		if (!json_is_array(v))
			return fail(w, "not an array");
		if ((rc = parse_pds(w, v, hc)) < 0)
			return rc;
	}
	details_of(pdi, hc);
	hc->pd_details = true;
	return 0;
}

/* One entry of Controllers[]: 0, 1 when it is not a controller, or -EINVAL. */
static int
parse_ctrl(struct where *w, json_t *c, size_t i, struct hw_report *out,
    struct hw_ctrl *hc)
{
	json_t *rd;
	int rc;

	memset(hc, 0, offsetof(struct hw_ctrl, vds));
	hc->n_vds = hc->n_pds = 0;
	hc->tool = HW_STORCLI;
	hc->roc_temp_c = NAN;
	hc->ok = command_ok(c, &hc->index, hc->failure, sizeof(hc->failure));
	if (hc->index < 0)
		hc->index = (int)i;
	rd = json_object_get(c, "Response Data");
	if (!hc->ok || !json_is_object(rd)) {
		if (hc->ok) {
			hc->ok = false;
			fw_strlcpy(hc->failure, "no Response Data",
			    sizeof(hc->failure));
		}
		/* "No Controller found" on a box without one. */
		if (strstr(hc->failure, "No Controller") != NULL) {
			fw_strlcpy(out->none, hc->failure, sizeof(out->none));
			return 1;
		}
		return 0;
	}
	ctrl_basics(rd, hc);
	parse_cache(rd, hc);
	if ((rc = list_of(w, rd, "VD LIST", i, parse_vds, hc)) < 0 ||
	    (rc = list_of(w, rd, "PD LIST", i, parse_pds, hc)) < 0 ||
	    (rc = hba_drives(w, rd, i, hc)) < 0)
		return rc;
	return 0;
}

int
storcli_parse_show(const char *json, size_t len, struct hw_report *out,
    char *err, size_t err_size)
{
	struct where w = { err, err_size, "" };
	json_t *root, *ctrls, *c;
	size_t i;
	int rc = 0;

	if ((root = parse(json, len, &w, &ctrls)) == NULL)
		return -EINVAL;
	json_array_foreach(ctrls, i, c) {
		if (out->n_ctrls == HW_CTRL_MAX)
			break;
		snprintf(w.path, sizeof(w.path), "Controllers[%zu]", i);
		if (!json_is_object(c)) {
			rc = fail(&w, "not an object");
			break;
		}
		rc = parse_ctrl(&w, c, i, out, &out->ctrls[out->n_ctrls]);
		if (rc < 0)
			break;
		if (rc == 0)
			out->n_ctrls++;
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int
storcli_parse_drives(const char *json, size_t len, struct hw_report *out,
    char *err, size_t err_size)
{
	struct where w = { err, err_size, "" };
	json_t *root, *ctrls, *c, *rd, *l;
	struct hw_ctrl *hc;
	char failure[128];
	size_t i;
	int index;

	if ((root = parse(json, len, &w, &ctrls)) == NULL)
		return -EINVAL;
	json_array_foreach(ctrls, i, c) {
		snprintf(w.path, sizeof(w.path), "Controllers[%zu]", i);
		if (!json_is_object(c)) {
			json_decref(root);
			return fail(&w, "not an object");
		}
		if (!command_ok(c, &index, failure, sizeof(failure)))
			continue;	/* the summary already said */
		if ((hc = ctrl_by_index(out, index)) == NULL)
			continue;
		rd = json_object_get(c, "Response Data");
		if (json_is_array(l = json_object_get(rd, "Drives List")))
			drives_list(l, hc);
		else
			details_of(rd, hc);
	}
	json_decref(root);
	return 0;
}

int
storcli_vd_redundancy(const char *type, const char *state)
{
	int full;

	if (strcmp(type, "RAID1") == 0 || strcmp(type, "RAID10") == 0 ||
	    strcmp(type, "RAID5") == 0 || strcmp(type, "RAID50") == 0 ||
	    strcmp(type, "RAID1E") == 0)
		full = 1;
	else if (strcmp(type, "RAID6") == 0 || strcmp(type, "RAID60") == 0 ||
	    strcmp(type, "RAID1ADM") == 0 || strcmp(type, "RAID10ADM") == 0)
		full = 2;
	else
		return -1;
	if (strcmp(state, "Optl") == 0)
		return full;
	if (strcmp(state, "Pdgd") == 0)
		return full - 1 > 0 ? full - 1 : 0;
	if (strcmp(state, "Dgrd") == 0 || strcmp(state, "Rec") == 0)
		return 0;
	return -1;	/* OfLn, or a state this does not know */
}
