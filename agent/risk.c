/* The risk stage: an array with no redundancy left and a sick remaining member is the cascade about to happen. */
#include <string.h>

#include "forewarn/inventory.h"
#include "forewarn/report.h"
#include "forewarn/risk.h"
#include "forewarn/util.h"

/* The worst disk warning of e, or NULL: what makes a member a risk. */
static const struct fw_check *
worst_disk_problem(const struct fw_entity *e)
{
	const struct fw_check *worst = NULL;
	size_t i;

	for (i = 0; i < e->n_checks; i++) {
		const struct fw_check *c = &e->checks[i];

		/* "Cannot read SMART" is a blind spot, not a sick disk. */
		if (c->state == FW_STATE_OK || c->state == FW_STATE_UNKNOWN ||
		    strcmp(c->code, "disk.unsupported") == 0)
			continue;
		if (worst == NULL || (c->state == FW_STATE_CRITICAL &&
		    worst->state != FW_STATE_CRITICAL))
			worst = c;
	}
	return worst;
}

static bool
is_member(const struct fw_entity *d, const struct fw_entity *array)
{
	size_t i;

	for (i = 0; i < d->n_relations; i++)
		if (d->relations[i].kind == FW_KIND_ARRAY &&
		    strcmp(d->relations[i].relation, "member_of") == 0 &&
		    strcmp(d->relations[i].id, array->id) == 0)
			return true;
	return false;
}

static void
evaluate_array(struct fw_entity **ents, size_t n, struct fw_entity *a,
    const struct fw_check *degraded, struct fw_report *r)
{
	const struct fw_detail *left;
	const struct fw_check *sick = NULL, *p;
	const struct fw_entity *who = NULL;
	struct fw_check *c;
	const char *serial, *level;
	size_t i;

	left = check_detail_get(degraded, "redundancy_left");
	level = entity_label_get(a, "level");
	if (left == NULL || !left->is_num) {
		/*
		 * No count of what it survives.  Judged critical, that is an
		 * array already down (offline, failed, gone): past the risk,
		 * and the risk must not read "recovered" as it dies.  Else a
		 * level that keeps no redundancy (RAID0, JBOD) or a state the
		 * collector cannot count: nothing to judge here.
		 */
		if (degraded->state == FW_STATE_CRITICAL)
			report_check(r, a, "raid.at_risk", FW_STATE_CRITICAL,
			    "%s (%s) is already down, past being at risk: %s",
			    a->name, level ? level : "array",
			    degraded->message);
		else
			report_check(r, a, "raid.at_risk", FW_STATE_OK, "%s "
			    "(%s): no redundancy count to judge (a level "
			    "without redundancy, or a state without a count)",
			    a->name, level ? level : "array");
		return;
	}
	if (left->num > 0) {
		report_check(r, a, "raid.at_risk", FW_STATE_OK, "%s still "
		    "survives a member failure", a->name);
		return;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->kind != FW_KIND_DISK || !is_member(ents[i], a) ||
		    (p = worst_disk_problem(ents[i])) == NULL)
			continue;
		if (sick == NULL || (p->state == FW_STATE_CRITICAL &&
		    sick->state != FW_STATE_CRITICAL)) {
			sick = p;
			who = ents[i];
		}
	}
	if (sick == NULL) {
		report_check(r, a, "raid.at_risk", FW_STATE_OK, "%s has no "
		    "redundancy left; its remaining members look healthy",
		    a->name);
		return;
	}
	serial = entity_label_get(who, "serial");
	c = report_check(r, a, "raid.at_risk", FW_STATE_CRITICAL, "%s (%s) has "
	    "no redundancy left and its remaining member %s (%s) shows %s: %s",
	    a->name, level ? level : "array", who->name, serial ? serial : who->id,
	    sick->code, sick->message);
	check_detail_str(c, "member", who->id);
	check_detail_str(c, "member_check", sick->code);
}

void
risk_evaluate(struct fw_inventory *inv, struct fw_report *r)
{
	const struct fw_check *degraded;
	struct fw_entity **ents;
	size_t i, j, n;

	n = inventory_list(inv, &ents);
	for (i = 0; i < n; i++) {
		if (ents[i]->kind != FW_KIND_ARRAY)
			continue;
		degraded = NULL;
		for (j = 0; j < ents[i]->n_checks; j++)
			/* md says it in raid.degraded, controllers in
			 * raid.vd_state: either carries redundancy_left. */
			if (strcmp(ents[i]->checks[j].code, "raid.degraded") ==
			    0 || strcmp(ents[i]->checks[j].code,
			    "raid.vd_state") == 0)
				degraded = &ents[i]->checks[j];
		if (degraded != NULL)
			evaluate_array(ents, n, ents[i], degraded, r);
	}
}
