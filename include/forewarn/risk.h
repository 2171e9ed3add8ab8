/*
 * The risk stage: topology-aware escalation from the entities' relations.
 * An array with no redundancy left whose remaining members show a disk
 * warning is one failure away from an outage: raid.at_risk.
 */
#ifndef FOREWARN_RISK_H
#define FOREWARN_RISK_H

#include "forewarn/inventory.h"

/*
 * Add a raid.at_risk result for every array with a raid.degraded result to
 * r (a report of its own, defs with raid.at_risk).  Pure: reads inv only.
 */
void	risk_evaluate(struct fw_inventory *inv, struct fw_report *r);

#endif
