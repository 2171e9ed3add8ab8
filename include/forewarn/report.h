/*
 * What a collector hands the core in one pass: entities with their labels
 * and relations, readings (metric samples) and check results.
 */
#ifndef FOREWARN_REPORT_H
#define FOREWARN_REPORT_H

#include <stdint.h>

#include "forewarn/model.h"
#include "forewarn/util.h"

struct fw_entity;	/* owned by the core's inventory; stable across passes */
struct fw_report;	/* one pass of one collector */
struct fw_check;	/* one result within a report */

/*
 * Find or create the entity (kind, id) and mark it seen in this pass.  id
 * is the stable identity (WWN, serial, array UUID, permanent MAC), never a
 * kernel name; name is what a person calls it now ("sda").  Never NULL.
 */
struct fw_entity *report_entity(struct fw_report *r, enum fw_kind kind,
		    const char *id, const char *name);
/* Set (replace) a label such as model, serial or kernel name. */
void	entity_label(struct fw_entity *e, const char *key, const char *fmt, ...)
	    FW_PRINTF(3, 4);
/* Declare "e <relation> (kind, id)", e.g. disk member_of array. */
void	entity_relate(struct fw_entity *e, const char *relation,
	    enum fw_kind kind, const char *id);
/* Withdraw "e <relation> (kind, id)" if it was declared. */
void	entity_unrelate(struct fw_entity *e, const char *relation,
	    enum fw_kind kind, const char *id);
const char *entity_id(const struct fw_entity *e);
const char *entity_name(const struct fw_entity *e);

/*
 * A metric sample in base units.  metric is a snake_case name without
 * prefix ("mem_available_bytes"); label_key/label_value may be NULL.
 */
void	report_reading(struct fw_report *r, struct fw_entity *e,
	    const char *metric, const char *unit, double value,
	    const char *label_key, const char *label_value);

/*
 * State evidence: the collector decides the state (SMART says FAILING,
 * array degraded).  The message is one human line naming the part.
 */
struct fw_check *report_check(struct fw_report *r, struct fw_entity *e,
		    const char *code, enum fw_state state,
		    const char *fmt, ...) FW_PRINTF(5, 6);
/*
 * A numeric result: the health engine compares value with the check's
 * thresholds (after configuration overrides) with hysteresis.
 */
struct fw_check *report_value(struct fw_report *r, struct fw_entity *e,
		    const char *code, double value,
		    const char *fmt, ...) FW_PRINTF(5, 6);

/* Structured details that travel with the event. */
void	check_detail_num(struct fw_check *c, const char *key, double value);
void	check_detail_str(struct fw_check *c, const char *key, const char *value);

#endif
