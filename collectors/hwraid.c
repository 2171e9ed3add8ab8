/* The "hwraid" collector: MegaRAID and PERC controllers through storcli/perccli JSON, run by the probe helper; virtual drives feed the risk stage. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "forewarn/collector.h"
#include "forewarn/log.h"
#include "forewarn/probe.h"
#include "forewarn/util.h"
#include "hwraid_parse.h"

#define HW_KNOWN_MAX	64
#define DAY_MS		(24 * 3600 * 1000LL)
#define HW_CMDS_MAX	(4 * HW_CTRL_MAX + 8)

static const struct fw_check_def hw_checks[] = {
	{ "raid.controller", "the controller's own status, its memory errors, "
	    "or the controller gone or not answering", FW_CMP_NONE, NAN, NAN,
	    0, 1, 1, NULL },
	{ "raid.controller_temp", "the RAID-on-chip temperature",
	    FW_CMP_ABOVE, 95, 105, 3, 2, 2, "celsius" },
	{ "raid.bbu", "the battery or CacheVault protecting the write cache: "
	    "failed, missing or learning (write-back off)", FW_CMP_NONE, NAN,
	    NAN, 0, 1, 1, NULL },
	{ "raid.vd_state", "a virtual drive degraded, partially degraded, "
	    "offline or recovering, with the redundancy left", FW_CMP_NONE, NAN,
	    NAN, 0, 1, 1, NULL },
	{ "raid.rebuild", "a drive of the virtual drive is being rebuilt",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.pd_state", "a physical drive failed, offline, unconfigured "
	    "bad, missing or rebuilding", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "raid.pd_predictive_failure", "the drive's predictive failure count "
	    "or SMART alert as the controller sees it", FW_CMP_NONE, NAN, NAN,
	    0, 1, 1, NULL },
	{ "raid.pd_media_errors", "media errors the controller counted on a "
	    "drive: any makes it suspect, new ones within a day are named",
	    FW_CMP_NONE, NAN, NAN, 0, 1, 1, "count" },
	/* Evaluated by the core's risk stage (agent/risk.c) from relations. */
	{ "raid.at_risk", "no redundancy left and a remaining member shows a "
	    "disk warning: one more failure is an outage; or already down "
	    "(offline)", FW_CMP_NONE, NAN,
	    NAN, 0, 1, 1, NULL },
	{ .code = NULL }
};

static const struct fw_conf_key hw_keys[] = {
	{ "storcli", FW_CONF_STRING, "auto", 0, 0, NULL,
	    "storcli/storcli64/perccli(64)/storcli2/perccli2 to run: auto (the "
	    "usual install paths), off, or an absolute path" },
	{ "ssacli", FW_CONF_STRING, "auto", 0, 0, NULL,
	    "ssacli/hpssacli/hpacucli to run: auto, off, or an absolute path" },
	{ "arcconf", FW_CONF_STRING, "auto", 0, 0, NULL,
	    "arcconf to run: auto, off, or an absolute path" },
	{ "timeout", FW_CONF_DURATION, "60s", 1000, 600000, NULL,
	    "how long one run of the tool may take before it is killed" },
	{ .name = NULL }
};

/* Where the vendors' packages put the tool, first found wins. */
static const char *const storcli_paths[] = {
	"/opt/MegaRAID/storcli/storcli64", "/opt/MegaRAID/storcli/storcli",
	"/opt/MegaRAID/perccli/perccli64", "/opt/MegaRAID/perccli/perccli",
	"/opt/MegaRAID/storcli2/storcli2", "/opt/MegaRAID/perccli2/perccli2",
	"/opt/lsi/storcli/storcli", "/opt/dell/perccli/perccli64",
	"/usr/local/sbin/storcli64", "/usr/local/sbin/storcli",
	"/usr/local/sbin/perccli64", "/usr/local/sbin/perccli",
	"/usr/sbin/storcli64", "/usr/sbin/storcli", "/usr/sbin/perccli64",
	"/usr/sbin/perccli", "/usr/local/bin/storcli64",
	"/usr/local/bin/storcli", "/usr/bin/storcli64", "/usr/bin/storcli",
	"/usr/bin/perccli64", "/usr/bin/perccli", NULL
};
static const char *const ssacli_paths[] = {
	"/usr/sbin/ssacli", "/opt/smartstorageadmin/ssacli/bin/ssacli",
	"/usr/local/sbin/ssacli", "/usr/bin/ssacli", "/usr/sbin/hpssacli",
	"/usr/sbin/hpacucli", NULL
};
static const char *const arcconf_paths[] = {
	"/usr/sbin/arcconf", "/usr/Arcconf/arcconf", "/usr/StorMan/arcconf",
	"/usr/local/sbin/arcconf", "/usr/bin/arcconf", NULL
};

/* Each tool: its config key, the identity prefix of what it finds. */
static const struct hw_tooldef {
	const char		*key;
	const char		*prefix;
	const char *const	*paths;
} tooldefs[HW_TOOLS] = {
	[HW_STORCLI] = { "storcli", "megaraid", storcli_paths },
	[HW_SSACLI] = { "ssacli", "smartarray", ssacli_paths },
	[HW_ARCCONF] = { "arcconf", "adaptec", arcconf_paths },
};

/* One command of a pass: whose, what it is, for which controller. */
enum hw_cmd_kind {
	ST_SHOW, ST_DRIVES, ST_REBUILD,		/* storcli */
	SS_CONFIG, SS_STATUS, SS_LD, SS_PD,	/* ssacli */
	AC_CONFIG,				/* arcconf */
};

struct hw_cmd {
	enum hw_tool		tool;
	enum hw_cmd_kind	kind;
	size_t			ctrl;		/* in rep, for SS_LD, SS_PD */
	int			number;		/* AC_CONFIG: controller */
	char			args[64];
};

/* A controller or virtual drive seen before: to say when it is gone. */
struct hw_known {
	enum hw_tool	tool;
	enum fw_kind	kind;
	char		id[128];
	char		name[64];
	bool		present;
};

struct hw_state {
	struct fw_ctx		*ctx;
	char			 tool[HW_TOOLS][PATH_MAX];	/* "": none */
	bool			 failed[HW_TOOLS];	/* this pass */
	uint32_t		 timeout_ms;
	bool			 busy;
	/* The commands of one pass, run one after another. */
	struct hw_cmd		 cmds[HW_CMDS_MAX];
	size_t			 n_cmds, next_cmd;
	struct hw_report	*rep;
	char			 problem[512];	/* the first of this pass */
	struct hw_known		 known[HW_KNOWN_MAX];
	size_t			 n_known;
	/* Rebuild progress by drive: "/c0/e252/s1" → percent. */
	struct {
		char	drive[32];
		double	percent;
		char	eta[64];
	}			 rebuild[HW_PD_MAX];
	size_t			 n_rebuild;
	char			 none[128];	/* storcli: "No Controller found" */
};

/* ---- names and identities ---- */

/* What a person calls the controller: storcli c0, ssacli slot0, ctrl1. */
static void
ctrl_name(const struct hw_ctrl *c, char *buf, size_t size)
{
	if (c->tool == HW_SSACLI)
		fw_snprintf(buf, size, "slot%s", c->slot);
	else if (c->tool == HW_ARCCONF)
		fw_snprintf(buf, size, "ctrl%d", c->index);
	else
		fw_snprintf(buf, size, "c%d", c->index);
}

/*
 * By serial; a controller that failed its command, or a tool that tells
 * none (ssacli's status), goes by the name it was known under.
 */
static void
ctrl_id(const struct hw_state *s, const struct hw_ctrl *c, const char *name,
    char *buf, size_t size)
{
	const char *prefix = tooldefs[c->tool].prefix;
	size_t i;

	/* A masked serial two controllers share is no identity. */
	for (i = 0; i < s->rep->n_ctrls && c->serial[0] != '\0'; i++)
		if (&s->rep->ctrls[i] != c && s->rep->ctrls[i].tool == c->tool &&
		    strcmp(s->rep->ctrls[i].serial, c->serial) == 0)
			break;
	if (c->serial[0] != '\0' && i == s->rep->n_ctrls) {
		fw_snprintf(buf, size, "%s:%s", prefix, c->serial);
		return;
	}
	for (i = 0; i < s->n_known; i++)
		if (s->known[i].tool == c->tool &&
		    s->known[i].kind == FW_KIND_CONTROLLER &&
		    strcmp(s->known[i].name, name) == 0) {
			fw_snprintf(buf, size, "%s", s->known[i].id);
			return;
		}
	fw_snprintf(buf, size, "%s:%s", prefix, name);
}

static struct hw_known *
known_mark(struct hw_state *s, enum hw_tool tool, enum fw_kind kind,
    const char *id, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_known; i++)
		if (s->known[i].kind == kind && strcmp(s->known[i].id, id) == 0)
			break;
	if (i == s->n_known) {
		if (s->n_known == HW_KNOWN_MAX)
			return NULL;
		s->n_known++;
		s->known[i].kind = kind;
		fw_strlcpy(s->known[i].id, id, sizeof(s->known[i].id));
	}
	s->known[i].tool = tool;
	fw_strlcpy(s->known[i].name, name, sizeof(s->known[i].name));
	s->known[i].present = true;
	return &s->known[i];
}

static bool
serial_shared(const struct hw_ctrl *c, const struct hw_pd *p)
{
	size_t i;

	for (i = 0; i < c->n_pds; i++)
		if (&c->pds[i] != p && strcmp(c->pds[i].serial, p->serial) == 0)
			return true;
	return false;
}

/*
 * The disk identity: as the disks collector would make it.  A serial two
 * drives share (masked, or a bridge that reports a constant) is no
 * identity: the slot stands in.
 */
static void
pd_id(const struct hw_ctrl *c, const struct hw_pd *p, const char *cid,
    const char *name, char *buf, size_t size)
{
	const char *slash = strchr(name, '/');
	size_t i;

	if (p->wwn[0] != '\0') {
		fw_snprintf(buf, size, "%s", p->wwn);
		return;
	}
	if (p->serial[0] != '\0' && !serial_shared(c, p))
		fw_snprintf(buf, size, "%s_%s", p->model[0] ? p->model :
		    "disk", p->serial);
	else
		fw_snprintf(buf, size, "%s/%s", cid, slash ? slash + 1 : name);
	for (i = 0; buf[i] != '\0'; i++)
		if (isspace((unsigned char)buf[i]))
			buf[i] = '_';
}

static void
pd_name(const struct hw_ctrl *c, const struct hw_pd *p, char *buf,
    size_t size)
{
	char cn[32];

	ctrl_name(c, cn, sizeof(cn));
	if (p->slot_name[0] != '\0')
		fw_snprintf(buf, size, "%s/%s", cn, p->slot_name);
	else if (p->eid >= 0)
		fw_snprintf(buf, size, "%s/e%d/s%d", cn, p->eid, p->slot);
	else
		fw_snprintf(buf, size, "%s/s%d", cn, p->slot);
}

/* ---- what the tools said: checks ---- */

static void
check_controller(struct hw_state *s, struct fw_report *out,
    struct fw_entity *e, const struct hw_ctrl *c, const char *name)
{
	enum fw_state st = FW_STATE_OK;
	struct fw_check *k;
	const char *st_l = c->status;

	if (!c->ok) {
		report_check(out, e, "raid.controller", FW_STATE_UNKNOWN, "%s: "
		    "%s did not answer for it: %s", name, s->tool[c->tool],
		    c->failure);
		return;
	}
	if (st_l[0] == '\0') {
		report_check(out, e, "raid.controller", FW_STATE_UNKNOWN, "%s "
		    "(%s): %s gave no Controller Status", name, c->model,
		    s->tool[c->tool]);
		return;
	}
	/* An HBA (mpt3sas) says "OK" where a MegaRAID says "Optimal". */
	if (strcasecmp(st_l, "Optimal") == 0 || strcasecmp(st_l, "OK") == 0)
		st = FW_STATE_OK;
	else if (strcasecmp(st_l, "Needs Attention") == 0)
		st = FW_STATE_WARNING;
	else
		st = FW_STATE_CRITICAL;
	if (c->mem_uncorrectable > 0)
		st = FW_STATE_CRITICAL;
	k = report_check(out, e, "raid.controller", st, c->mem_uncorrectable ?
	    "%s (%s): %s, %llu uncorrectable cache memory errors" : "%s (%s): "
	    "%s", name, c->model, c->status,
	    (unsigned long long)c->mem_uncorrectable);
	check_detail_str(k, "status", c->status);
	if (c->has_mem) {
		check_detail_num(k, "memory_uncorrectable_errors",
		    (double)c->mem_uncorrectable);
		check_detail_num(k, "memory_correctable_errors",
		    (double)c->mem_correctable);
	}
	if (isfinite(c->roc_temp_c)) {
		report_value(out, e, "raid.controller_temp", c->roc_temp_c,
		    "%s: RAID-on-chip at %.0f °C", name, c->roc_temp_c);
		report_reading(out, e, "roc_temperature", "celsius",
		    c->roc_temp_c, NULL, NULL);
	}
}

/* A unit's own state word: ok, learning/charging, or bad. */
static enum fw_state
cache_unit_judge(const char *st)
{
	if (strcasecmp(st, "Optimal") == 0 || strcasecmp(st, "Ready") == 0 ||
	    strcasecmp(st, "OK") == 0)
		return FW_STATE_OK;
	if (strncasecmp(st, "Learn", 5) == 0 || strncasecmp(st, "Charg", 5) ==
	    0 || strncasecmp(st, "Recharg", 7) == 0)
		return FW_STATE_WARNING;
	return FW_STATE_CRITICAL;
}

static void
check_bbu(struct fw_report *out, struct fw_entity *e, const struct hw_ctrl *c,
    const char *name)
{
	enum fw_state st = FW_STATE_OK, cst = FW_STATE_OK;
	bool unit = c->cache_kind[0] != '\0' &&
	    strcasestr(c->cache_state, "not installed") == NULL &&
	    strcasestr(c->cache_state, "not present") == NULL;
	struct fw_check *k;
	size_t i, wt = 0;

	/* ssacli says the cache's own state apart from the battery's. */
	if (c->cache_status[0] != '\0' && strcasecmp(c->cache_status, "OK") !=
	    0 && strcasecmp(c->cache_status, "Not Configured") != 0)
		cst = strcasestr(c->cache_status, "Temporarily") != NULL ?
		    FW_STATE_WARNING : FW_STATE_CRITICAL;
	if (!unit && cst == FW_STATE_OK)
		return;		/* no unit, nothing wrong: nothing to say */
	for (i = 0; i < c->n_vds; i++)
		if (strstr(c->vds[i].cache, "WT") != NULL)
			wt++;
	if (unit)
		st = cache_unit_judge(c->cache_state);
	if (cst > st)
		st = cst;
	k = report_check(out, e, "raid.bbu", st, "%s: %s %s%s%s%s", name,
	    unit ? c->cache_kind : "cache", unit ? c->cache_state : "",
	    c->cache_status[0] ? "; cache " : "", c->cache_status,
	    st != FW_STATE_OK && wt > 0 ? "; write-back cache off on "
	    "virtual drives" : "");
	check_detail_str(k, "unit", c->cache_kind);
	check_detail_str(k, "state", c->cache_state);
	if (c->cache_status[0] != '\0')
		check_detail_str(k, "cache_status", c->cache_status);
	check_detail_num(k, "write_through_vds", (double)wt);
}

/* Is drive p part of virtual drive vds[i]: same group, or said so? */
static bool
pd_in_vd(const struct hw_ctrl *c, const struct hw_pd *p, size_t i)
{
	if (i < 64 && (p->vd_mask & (1ULL << i)))
		return true;
	return p->dg >= 0 && c->vds[i].dg == p->dg;
}

static enum fw_state
pd_state_judge(const char *st)
{
	static const char *const fine[] = { "Onln", "UGood", "JBOD", "GHS",
	    "DHS", "Conf" };
	static const char *const busy[] = { "Rbld", "Cpybck", "CpyBck" };
	static const char *const bad[] = { "Offln", "Failed", "UBad", "Msng",
	    "Missing", "Frgn", "UBUnsp" };
	size_t i;

	/* "-": the controller keeps no state for it (an IR-mode HBA). */
	if (strcmp(st, "-") == 0)
		return FW_STATE_UNKNOWN;
	for (i = 0; i < FW_ARRAY_SIZE(fine); i++)
		if (strcmp(st, fine[i]) == 0)
			return FW_STATE_OK;
	for (i = 0; i < FW_ARRAY_SIZE(busy); i++)
		if (strcmp(st, busy[i]) == 0)
			return FW_STATE_WARNING;
	for (i = 0; i < FW_ARRAY_SIZE(bad); i++)
		if (strcmp(st, bad[i]) == 0)
			return FW_STATE_CRITICAL;
	return FW_STATE_WARNING;	/* a state we do not know: look */
}

static const char *
rebuild_of(struct hw_state *s, const char *name, double *pct)
{
	char drive[40];
	size_t i;

	fw_snprintf(drive, sizeof(drive), "/%s", name);
	for (i = 0; i < s->n_rebuild; i++)
		if (strcmp(s->rebuild[i].drive, drive) == 0) {
			*pct = s->rebuild[i].percent;
			return s->rebuild[i].eta;
		}
	return NULL;
}

static void
report_pd(struct hw_state *s, struct fw_report *out, const struct hw_ctrl *c,
    const char *cid, const struct hw_pd *p, char who[96])
{
	char id[160], name[48], vid[160];
	enum fw_state st = pd_state_judge(p->norm);
	struct fw_entity *d;
	struct fw_check *k;
	double rise, prev;
	int64_t prev_ms;
	bool first;
	size_t i;

	pd_name(c, p, name, sizeof(name));
	pd_id(c, p, cid, name, id, sizeof(id));
	fw_snprintf(who, 96, "%s (%s)", name, p->serial[0] != '\0' &&
	    !serial_shared(c, p) ? p->serial : id);
	d = report_entity(out, FW_KIND_DISK, id, name);
	if (p->model[0] != '\0')
		entity_label(d, "model", "%s", p->model);
	if (p->serial[0] != '\0')
		entity_label(d, "serial", "%s", p->serial);
	if (p->firmware[0] != '\0')
		entity_label(d, "firmware", "%s", p->firmware);
	entity_label(d, "controller", "%s", cid);
	entity_label(d, "slot", "%s", name);
	if (p->intf[0] != '\0')
		entity_label(d, "bus", "%s", p->intf);
	/* Members that carry data are member_of their virtual drives. */
	for (i = 0; i < c->n_vds; i++) {
		bool serving = strcmp(p->norm, "Onln") == 0;

		fw_snprintf(vid, sizeof(vid), "%s/%s%d", cid, c->tool ==
		    HW_STORCLI ? "vd" : "ld", c->vds[i].vd);
		if (!pd_in_vd(c, p, i)) {
			entity_unrelate(d, "member_of", FW_KIND_ARRAY, vid);
			entity_unrelate(d, "inactive_member_of", FW_KIND_ARRAY,
			    vid);
			continue;
		}
		entity_unrelate(d, serving ? "inactive_member_of" :
		    "member_of", FW_KIND_ARRAY, vid);
		entity_relate(d, serving ? "member_of" : "inactive_member_of",
		    FW_KIND_ARRAY, vid);
	}
	k = report_check(out, d, "raid.pd_state", st, "%s on %s: %s", who,
	    cid, p->state);
	check_detail_str(k, "state", p->state);
	if (isfinite(p->temp_c))
		report_reading(out, d, "temperature", "celsius", p->temp_c,
		    NULL, NULL);
	/* Counts the controller does not keep ("N/A") are not judged. */
	if (!p->detailed)
		goto counters;
	k = report_check(out, d, "raid.pd_predictive_failure",
	    p->predictive > 0 || p->smart_alert ? FW_STATE_CRITICAL :
	    FW_STATE_OK, p->predictive > 0 || p->smart_alert ? "%s: the "
	    "controller predicts failure (predictive failure count %llu%s): "
	    "replace it" : "%s: no predictive failure", who,
	    (unsigned long long)p->predictive, p->smart_alert ?
	    ", SMART alert" : "");
	check_detail_num(k, "predictive_failure_count", (double)p->predictive);
	check_detail_str(k, "smart_alert", p->smart_alert ? "yes" : "no");
	report_reading(out, d, "predictive_failures", "",
	    (double)p->predictive, NULL, NULL);
counters:
	if (!p->counters)
		return;
	/*
	 * A drive with media errors is suspect however old they are (the
	 * count only grows while the controller keeps the drive): any is a
	 * warning, first sight included, as smartd and the storcli checks
	 * do; the rise within a day says whether it is still happening.
	 */
	first = ctx_baseline_peek(s->ctx, d, "hw_media_errors", &prev,
	    &prev_ms) < 0;
	rise = ctx_rise(s->ctx, d, "hw_media_errors", (double)p->media_errors,
	    DAY_MS);
	if (rise > 0)
		k = report_check(out, d, "raid.pd_media_errors",
		    FW_STATE_WARNING, "%s: %.0f new media errors today (%llu "
		    "in all)", who, rise, (unsigned long long)p->media_errors);
	else if (p->media_errors > 0)
		k = report_check(out, d, "raid.pd_media_errors",
		    FW_STATE_WARNING, first ? "%s: %llu media errors counted "
		    "by the controller (first seen now; new ones are counted "
		    "from here)" : "%s: %llu media errors counted by the "
		    "controller, none new today", who,
		    (unsigned long long)p->media_errors);
	else
		k = report_check(out, d, "raid.pd_media_errors", FW_STATE_OK,
		    "%s: no new media errors today (%llu in all)", who,
		    (unsigned long long)p->media_errors);
	check_detail_num(k, "rise_24h", rise);
	check_detail_num(k, "media_errors", (double)p->media_errors);
	report_reading(out, d, "media_errors", "", (double)p->media_errors,
	    NULL, NULL);
	report_reading(out, d, "other_errors", "", (double)p->other_errors,
	    NULL, NULL);
}

static void
report_vd(struct hw_state *s, struct fw_report *out, const struct hw_ctrl *c,
    const char *cid, const char *cname, size_t vi, char who[][96])
{
	const struct hw_vd *v = &c->vds[vi];
	char id[160], name[48], level[16], rb[256] = "", pname[48];
	int left = storcli_vd_redundancy(v->type, v->norm);
	const char *sub = c->tool == HW_STORCLI ? "v" : "ld";
	enum fw_state st;
	struct fw_entity *e;
	struct fw_check *k;
	const char *eta;
	double pct = NAN, p;
	size_t i, off = 0, rebuilding = 0;

	fw_snprintf(id, sizeof(id), "%s/%sd%d", cid, c->tool == HW_STORCLI ?
	    "v" : "l", v->vd);
	fw_snprintf(name, sizeof(name), "%s/%s%d", cname, sub, v->vd);
	known_mark(s, c->tool, FW_KIND_ARRAY, id, name);
	e = report_entity(out, FW_KIND_ARRAY, id, name);
	fw_strlcpy(level, v->type, sizeof(level));
	for (i = 0; level[i] != '\0'; i++)
		level[i] = (char)tolower((unsigned char)level[i]);
	entity_label(e, "level", "%s", level);
	entity_label(e, "controller", "%s", cid);
	if (v->dg >= 0)
		entity_label(e, "drive_group", "%d", v->dg);
	if (v->name[0] != '\0')
		entity_label(e, "vd_name", "%s", v->name);
	entity_relate(e, "part_of", FW_KIND_CONTROLLER, cid);
	for (i = 0; i < c->n_pds; i++) {
		if (!pd_in_vd(c, &c->pds[i], vi) ||
		    (strcmp(c->pds[i].norm, "Rbld") != 0 &&
		    strcmp(c->pds[i].norm, "Cpybck") != 0))
			continue;
		rebuilding++;
		pd_name(c, &c->pds[i], pname, sizeof(pname));
		eta = rebuild_of(s, pname, &p);
		if (eta != NULL)
			pct = p;
		if (off < sizeof(rb))
			off += (size_t)snprintf(rb + off, sizeof(rb) - off,
			    "%s%s", off ? ", " : "", who[i]);
		if (eta != NULL && eta[0] != '\0' && off < sizeof(rb))
			off += (size_t)snprintf(rb + off, sizeof(rb) - off,
			    " at %.0f%%, %s left", p, eta);
		else if (eta != NULL && off < sizeof(rb))
			off += (size_t)snprintf(rb + off, sizeof(rb) - off,
			    " at %.0f%%", p);
	}
	if (strcmp(v->norm, "Optl") == 0)
		st = FW_STATE_OK;
	else if (strcmp(v->norm, "Dgrd") == 0 || strcmp(v->norm, "OfLn") == 0)
		st = rebuilding > 0 && left == 0 ? FW_STATE_WARNING :
		    FW_STATE_CRITICAL;
	else
		st = FW_STATE_WARNING;	/* Pdgd, Rec, and what we do not know */
	if (strcmp(v->norm, "OfLn") == 0 || v->note[0] != '\0')
		st = FW_STATE_CRITICAL;
	/* storcli's "Rec": a reconstruction (level migration, expansion)
	 * or recovery runs; the data is whole, the count conservative. */
	if (left >= 0)
		k = report_check(out, e, "raid.vd_state", st, "%s (%s) on %s: "
		    "%s%s, %d more drive failure%s survivable%s%s", name,
		    v->type, cid, v->state, strcmp(v->state, "Rec") == 0 ?
		    " (reconstruction or recovery running, data intact)" : "",
		    left, left == 1 ? "" : "s", v->note[0] ? "; " : "",
		    v->note);
	else
		k = report_check(out, e, "raid.vd_state", st, "%s (%s) on %s: "
		    "%s%s%s%s", name, v->type, cid, v->state,
		    strcmp(v->norm, "OfLn") != 0 ? "" : strcasecmp(v->state,
		    "Offline") == 0 ? ": its data is unavailable" : ", "
		    "offline: its data is unavailable", v->note[0] ? "; " : "",
		    v->note);
	check_detail_str(k, "state", v->state);
	if (v->cache[0] != '\0')
		check_detail_str(k, "cache", v->cache);
	/* What the risk stage reads (agent/risk.c), as for md arrays. */
	if (left >= 0)
		check_detail_num(k, "redundancy_left", left);
	k = report_check(out, e, "raid.rebuild", rebuilding > 0 ?
	    FW_STATE_WARNING : FW_STATE_OK, rebuilding > 0 ? "%s: rebuilding "
	    "%s" : "%s: no rebuild running%s", name, rb);
	if (isfinite(pct))
		check_detail_num(k, "percent", pct);
}

static void
report_ctrl(struct hw_state *s, struct fw_report *out, const struct hw_ctrl *c)
{
	char cid[128], name[32], who[HW_PD_MAX][96];
	struct fw_entity *e;
	size_t i, len;

	ctrl_name(c, name, sizeof(name));
	ctrl_id(s, c, name, cid, sizeof(cid));
	known_mark(s, c->tool, FW_KIND_CONTROLLER, cid, name);
	e = report_entity(out, FW_KIND_CONTROLLER, cid, name);
	if (c->model[0] != '\0')
		entity_label(e, "model", "%s", c->model);
	if (c->serial[0] != '\0')
		entity_label(e, "serial", "%s", c->serial);
	if (c->firmware[0] != '\0')
		entity_label(e, "firmware", "%s", c->firmware);
	entity_label(e, "tool", "%s", s->tool[c->tool]);
	check_controller(s, out, e, c, name);
	if (!c->ok) {
		/* Its virtual drives are not gone, only unread. */
		len = strlen(cid);
		for (i = 0; i < s->n_known; i++)
			if (s->known[i].kind == FW_KIND_ARRAY &&
			    strncmp(s->known[i].id, cid, len) == 0 &&
			    s->known[i].id[len] == '/')
				s->known[i].present = true;
		return;
	}
	check_bbu(out, e, c, name);
	for (i = 0; i < c->n_pds; i++)
		report_pd(s, out, c, cid, &c->pds[i], who[i]);
	for (i = 0; i < c->n_vds; i++)
		report_vd(s, out, c, cid, name, i, who);
}

/*
 * Everything of this pass.  What was known but is not listed: gone, when
 * its tool answered; unknown (a controller) or unread (a virtual drive)
 * when the tool could not be read.
 */
static void
report_all(struct hw_state *s)
{
	struct fw_report *out = ctx_report_open(s->ctx);
	struct fw_entity *e;
	size_t i;

	for (i = 0; i < s->n_known; i++)
		s->known[i].present = false;
	for (i = 0; i < s->rep->n_ctrls; i++)
		report_ctrl(s, out, &s->rep->ctrls[i]);
	for (i = 0; i < s->n_known; i++) {
		struct hw_known *k = &s->known[i];

		if (k->present)
			continue;
		if (s->failed[k->tool] && k->kind == FW_KIND_CONTROLLER) {
			e = report_entity(out, k->kind, k->id, k->name);
			report_check(out, e, "raid.controller",
			    FW_STATE_UNKNOWN, "%s: cannot read it: %s",
			    k->name, s->problem);
		} else if (!s->failed[k->tool]) {
			e = report_entity(out, k->kind, k->id, k->name);
			report_check(out, e, k->kind == FW_KIND_CONTROLLER ?
			    "raid.controller" : "raid.vd_state",
			    FW_STATE_CRITICAL, "%s is no longer listed by %s",
			    k->name, s->tool[k->tool]);
		}
	}
	ctx_report_commit(s->ctx, out);
}

/* ---- running the tools ---- */

static void	run_next(struct hw_state *s);

static void
pass_end(struct hw_state *s)
{
	bool failed = false;
	size_t i;

	s->busy = false;
	for (i = 0; i < HW_TOOLS; i++)
		failed |= s->failed[i];
	log_debug("hwraid: pass %s", failed ? "failed" : "done");
	report_all(s);
	if (s->problem[0] != '\0')
		ctx_fail(s->ctx, -EIO, "%s", s->problem);
	else
		ctx_fail(s->ctx, 0, NULL);
	log_debug("hwraid: %zu controller(s) read", s->rep->n_ctrls);
}

/* Say what went wrong with one run, keeping the first of the pass. */
static void
problem(struct hw_state *s, const struct hw_cmd *cmd,
    const struct fw_exec_result *r, const char *what)
{
	char err[128];

	if (s->problem[0] != '\0')
		return;
	fw_sanitize(err, sizeof(err), r->err, strlen(r->err));
	for (char *q = err; *q != '\0'; q++)
		if (*q == '\n')
			*q = ' ';
	fw_snprintf(s->problem, sizeof(s->problem), "%s %s: %s%s%s",
	    s->tool[cmd->tool], cmd->args, what, err[0] ? "; stderr: " : "",
	    err);
}

static void
queue(struct hw_state *s, enum hw_tool tool, enum hw_cmd_kind kind,
    size_t ctrl, int number, const char *fmt, ...)
{
	struct hw_cmd *c;
	va_list ap;

	if (s->n_cmds == HW_CMDS_MAX)
		return;
	c = &s->cmds[s->n_cmds++];
	c->tool = tool;
	c->kind = kind;
	c->ctrl = ctrl;
	c->number = number;
	va_start(ap, fmt);
	vsnprintf(c->args, sizeof(c->args), fmt, ap);
	va_end(ap);
}

static void	parse_rebuild(struct hw_state *s, const char *json, size_t len);

/* A command's output is in: read it, and queue what it leads to. */
static int
digest(struct hw_state *s, const struct hw_cmd *cmd,
    const struct fw_exec_result *r, char *err, size_t esize)
{
	struct hw_report *rep = s->rep;
	size_t i, j, first = rep->n_ctrls;
	bool rbld = false;
	int rc = 0, found = 0;

	switch (cmd->kind) {
	case ST_SHOW:
		rc = storcli_parse_show(r->out, r->out_len, rep, err, esize);
		if (rc < 0)
			break;
		/* The details of each controller's drives. */
		for (i = first; i < rep->n_ctrls; i++) {
			const struct hw_ctrl *c = &rep->ctrls[i];
			bool enc = false, bare = false;

			for (j = 0; j < c->n_pds; j++) {
				if (c->pds[j].eid >= 0)
					enc = true;
				else
					bare = true;
				if (strcmp(c->pds[j].norm, "Rbld") == 0)
					rbld = true;
			}
			/* An HBA's details came with its drives. */
			if (c->pd_details)
				enc = bare = false;
			if (enc)
				queue(s, HW_STORCLI, ST_DRIVES, i, 0,
				    "/c%d/eall/sall show all J", c->index);
			if (bare)
				queue(s, HW_STORCLI, ST_DRIVES, i, 0,
				    "/c%d/sall show all J", c->index);
		}
		/* Said once, not every pass: nothing to watch is no error. */
		if (strcmp(rep->none, s->none) != 0 && rep->none[0] != '\0')
			log_info("hwraid: %s /call show all J says \"%s\": no "
			    "MegaRAID or PERC controller to watch",
			    s->tool[HW_STORCLI], rep->none);
		fw_strlcpy(s->none, rep->none, sizeof(s->none));
		s->n_rebuild = 0;
		if (rbld)
			queue(s, HW_STORCLI, ST_REBUILD, 0, 0,
			    "/call/eall/sall show rebuild J");
		break;
	case ST_DRIVES:
		rc = storcli_parse_drives(r->out, r->out_len, rep, err, esize);
		break;
	case ST_REBUILD:
		parse_rebuild(s, r->out, r->out_len);
		break;
	case SS_CONFIG:
		rc = ssacli_parse_config(r->out, r->out_len, rep, err, esize);
		/*
		 * One run says it all.  A tool that does not give it (an
		 * older hpacucli) is asked the short way: status, then each
		 * controller's logical and physical drives.
		 */
		if (rc < 0 || (r->exit_code != 0 && rep->n_ctrls == first)) {
			log_debug("hwraid: %s ctrl all show config detail: "
			    "%s; asking ctrl all show status", s->tool[cmd->tool],
			    rc < 0 ? err : "no answer");
			rep->n_ctrls = first;
			queue(s, HW_SSACLI, SS_STATUS, 0, 0,
			    "ctrl all show status");
			rc = 0;
		}
		break;
	case SS_STATUS:
		rc = ssacli_parse_status(r->out, r->out_len, rep, err, esize);
		if (rc < 0)
			break;
		for (i = first; i < rep->n_ctrls; i++) {
			queue(s, HW_SSACLI, SS_LD, i, 0, "ctrl slot=%s ld all "
			    "show", rep->ctrls[i].slot);
			queue(s, HW_SSACLI, SS_PD, i, 0, "ctrl slot=%s pd all "
			    "show", rep->ctrls[i].slot);
		}
		break;
	case SS_LD:
		rc = ssacli_parse_ld(r->out, r->out_len, &rep->ctrls[cmd->ctrl],
		    err, esize);
		break;
	case SS_PD:
		rc = ssacli_parse_pd(r->out, r->out_len, &rep->ctrls[cmd->ctrl],
		    err, esize);
		break;
	case AC_CONFIG:
		rc = arcconf_parse_config(r->out, r->out_len, cmd->number, rep,
		    &found, err, esize);
		if (rc == 0 && cmd->number == 1)
			for (i = 2; i <= (size_t)found && i <= HW_CTRL_MAX; i++)
				queue(s, HW_ARCCONF, AC_CONFIG, 0, (int)i,
				    "GETCONFIG %zu AL", i);
		break;
	}
	return rc;
}

static void
on_ran(const struct fw_exec_result *r, void *arg)
{
	struct hw_state *s = arg;
	const struct hw_cmd *cmd = &s->cmds[s->next_cmd - 1];
	bool first = cmd->kind == ST_SHOW || cmd->kind == SS_CONFIG ||
	    cmd->kind == SS_STATUS ||
	    (cmd->kind == AC_CONFIG && cmd->number == 1);
	char what[320], perr[256];

	perr[0] = '\0';
	if (r->status < 0) {
		fw_snprintf(what, sizeof(what), "%s", r->status == -ETIMEDOUT ?
		    "killed at its deadline" : strerror(-r->status));
		problem(s, cmd, r, what);
		if (first)
			s->failed[cmd->tool] = true;
		if (r->status == -ECANCELED) {
			pass_end(s);
			return;
		}
	} else if (r->truncated) {
		problem(s, cmd, r, "output longer than 16 MiB, cut");
		if (first)
			s->failed[cmd->tool] = true;
	} else if (digest(s, cmd, r, perr, sizeof(perr)) < 0) {
		/* storcli exits non-zero when a controller fails a command
		 * and still says why in its JSON: the JSON was read first. */
		if (r->exit_code > 0)
			fw_snprintf(what, sizeof(what), "exit %d, %s",
			    r->exit_code, perr);
		else if (r->signal > 0)
			fw_snprintf(what, sizeof(what), "killed by signal %d, "
			    "%s", r->signal, perr);
		else
			fw_snprintf(what, sizeof(what), "%s", perr);
		problem(s, cmd, r, what);
		if (first)
			s->failed[cmd->tool] = true;
	}
	if (s->next_cmd < s->n_cmds)
		run_next(s);
	else
		pass_end(s);
}

static void
run_next(struct hw_state *s)
{
	const struct hw_cmd *cmd = &s->cmds[s->next_cmd++];
	char args[64], *save = NULL, *w;
	const char *argv[12];
	size_t n = 0;
	int rc;

	fw_strlcpy(args, cmd->args, sizeof(args));
	argv[n++] = s->tool[cmd->tool];
	for (w = strtok_r(args, " ", &save); w != NULL && n < 11;
	    w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	rc = probe_exec(ctx_tools(s->ctx), argv, s->timeout_ms, on_ran, s);
	if (rc < 0) {
		fw_snprintf(s->problem, sizeof(s->problem), "%s: cannot run: "
		    "%s", s->tool[cmd->tool], strerror(-rc));
		s->failed[cmd->tool] = true;
		pass_end(s);
	}
}

/* "show rebuild J": progress of each drive being rebuilt. */
static void
parse_rebuild(struct hw_state *s, const char *json, size_t len)
{
	json_t *root, *ctrls, *c, *rd, *d;
	size_t i, j;

	root = json_loadb(json, len, 0, NULL);
	ctrls = json_object_get(root, "Controllers");
	json_array_foreach(ctrls, i, c) {
		rd = json_object_get(c, "Response Data");
		json_array_foreach(rd, j, d) {
			json_t *id = json_object_get(d, "Drive-ID");
			json_t *pg = json_object_get(d, "Progress%");
			json_t *eta = json_object_get(d, "Estimated Time Left");

			if (!json_is_string(id) || !json_is_number(pg) ||
			    s->n_rebuild == HW_PD_MAX)
				continue;
			fw_sanitize(s->rebuild[s->n_rebuild].drive,
			    sizeof(s->rebuild[0].drive), json_string_value(id),
			    strlen(json_string_value(id)));
			s->rebuild[s->n_rebuild].percent =
			    json_number_value(pg);
			s->rebuild[s->n_rebuild].eta[0] = '\0';
			if (json_is_string(eta))
				fw_sanitize(s->rebuild[s->n_rebuild].eta,
				    sizeof(s->rebuild[0].eta),
				    json_string_value(eta),
				    strlen(json_string_value(eta)));
			s->n_rebuild++;
		}
	}
	json_decref(root);
}

/* ---- the collector ---- */

static int
hw_init(const struct fw_conf_section *cs, struct fw_ctx *ctx, void **ret)
{
	struct hw_state *s = xcalloc(1, sizeof(*s));
	const char *const *p;
	const char *want;
	size_t t, found = 0;

	s->ctx = ctx;
	s->timeout_ms = (uint32_t)conf_get_duration_ms(cs, hw_keys,
	    "timeout");
	*ret = s;
	for (t = 0; t < HW_TOOLS; t++) {
		want = conf_get_str(cs, hw_keys, tooldefs[t].key);
		if (strcmp(want, "off") == 0)
			continue;
		if (strcmp(want, "auto") != 0) {
			if (want[0] != '/')
				return -EINVAL;
			fw_strlcpy(s->tool[t], want, sizeof(s->tool[t]));
		} else {
			for (p = tooldefs[t].paths; *p != NULL; p++)
				if (access(*p, X_OK) == 0) {
					fw_strlcpy(s->tool[t], *p,
					    sizeof(s->tool[t]));
					break;
				}
		}
		if (s->tool[t][0] != '\0') {
			log_info("hwraid: using %s", s->tool[t]);
			found++;
		}
	}
	if (found == 0)
		log_info("hwraid: no storcli, perccli, ssacli or arcconf "
		    "installed; idle");
	else
		s->rep = xcalloc(1, sizeof(*s->rep));
	return 0;
}

static int
hw_poll(void *state, struct fw_report *out)
{
	struct hw_state *s = state;

	if (s->rep == NULL || s->busy)
		return 0;
	s->busy = true;
	s->problem[0] = '\0';
	memset(s->failed, 0, sizeof(s->failed));
	s->rep->n_ctrls = 0;
	s->rep->none[0] = '\0';
	s->n_cmds = 0;
	s->next_cmd = 0;
	if (s->tool[HW_STORCLI][0] != '\0')
		queue(s, HW_STORCLI, ST_SHOW, 0, 0, "/call show all J");
	if (s->tool[HW_SSACLI][0] != '\0')
		queue(s, HW_SSACLI, SS_CONFIG, 0, 0, "ctrl all show config "
		    "detail");
	if (s->tool[HW_ARCCONF][0] != '\0')
		queue(s, HW_ARCCONF, AC_CONFIG, 0, 1, "GETCONFIG 1 AL");
	run_next(s);
	return 0;
}

static void
hw_teardown(void *state)
{
	struct hw_state *s = state;

	if (s == NULL)
		return;
	probe_cancel(ctx_tools(s->ctx), s);
	free(s->rep);
	free(s);
}

const struct fw_collector hwraid_collector = {
	.name = "hwraid",
	.interval_ms = 5 * 60 * 1000,
	.keys = hw_keys,
	.checks = hw_checks,
	.init = hw_init,
	.poll = hw_poll,
	.teardown = hw_teardown,
};
