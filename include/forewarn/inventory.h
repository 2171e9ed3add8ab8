/*
 * The core's view of every entity collectors have reported: identity,
 * labels, relations, the last readings and the last check results.
 * Collectors see these types only as opaque pointers (report.h).
 */
#ifndef FOREWARN_INVENTORY_H
#define FOREWARN_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forewarn/model.h"
#include "forewarn/report.h"

struct fw_label {
	char	*key;
	char	*value;
};

struct fw_relation {
	char		*relation;	/* "member_of", "slave_of" */
	enum fw_kind	 kind;
	char		*id;
};

struct fw_reading {
	char	*metric;
	char	*unit;
	double	 value;
	char	*label_key;	/* may be NULL */
	char	*label_value;
};

struct fw_detail {
	char	*key;
	bool	 is_num;
	double	 num;
	char	*str;
};

struct fw_check {
	struct fw_entity		*entity;
	char				*code;
	const struct fw_check_def	*def;	/* NULL: unknown code (a bug) */
	enum fw_state			 state;	/* observed; for values, classified */
	bool				 has_value;
	double				 value;
	char				*message;
	struct fw_detail		*details;
	size_t				 n_details;
};

struct fw_entity {
	enum fw_kind		 kind;
	char			*id;
	char			*key;		/* "kind/id": health and store key */
	char			*name;
	const char		*collector;	/* who reported it */
	struct fw_label		*labels;
	size_t			 n_labels;
	struct fw_relation	*relations;
	size_t			 n_relations;
	struct fw_reading	*readings;
	size_t			 n_readings;
	struct fw_check		*checks;	/* last result per code */
	size_t			 n_checks;
	int64_t			 seen_ms;	/* wall time of the last report */
};

struct fw_inventory;

struct fw_inventory	*inventory_new(void);
void			 inventory_free(struct fw_inventory *inv);
struct fw_entity	*inventory_find(const struct fw_inventory *inv,
			    enum fw_kind kind, const char *id);
struct fw_entity	*inventory_get(struct fw_inventory *inv, enum fw_kind kind,
			    const char *id, const char *name);
/* Entities sorted by kind, then id.  The array is owned by inv. */
size_t			 inventory_list(struct fw_inventory *inv,
			    struct fw_entity ***ret);
const char		*entity_label_get(const struct fw_entity *e,
			    const char *key);
/* The worst state among the entity's last check results. */
enum fw_state		 entity_state(const struct fw_entity *e);

void			 check_clear(struct fw_check *c);
const struct fw_detail	*check_detail_get(const struct fw_check *c,
			    const char *key);

/*
 * A report under construction: the core opens one per collector pass and
 * commits the results it gathered.  Checks stay owned by the report until
 * report_take_checks hands them over.
 */
struct fw_report {
	struct fw_inventory		*inv;
	const char			*collector;
	const struct fw_check_def	*defs;		/* the collector's table */
	int64_t				 now_ms;
	struct fw_check			**checks;	/* stable pointers */
	size_t				 n_checks;
};

void	report_open(struct fw_report *r, struct fw_inventory *inv,
	    const char *collector, const struct fw_check_def *defs,
	    int64_t now_ms);
/* Free whatever was not taken. */
void	report_close(struct fw_report *r);
/* Record c as the entity's last result for its code (moves c's contents). */
void	entity_store_check(struct fw_entity *e, struct fw_check *c);
const struct fw_check_def *check_def_find(const struct fw_check_def *defs,
		    const char *code);

#endif
