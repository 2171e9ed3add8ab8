/* Tests of the inventory and the collector-facing report API. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "forewarn/inventory.h"
#include "forewarn/report.h"

static const struct fw_check_def defs[] = {
	{ "t.state", "a state check", FW_CMP_NONE, NAN, NAN, 0, 1, 1, NULL },
	{ "t.value", "a numeric check", FW_CMP_ABOVE, 80, 90, 5, 1, 1, "percent" },
	{ .code = NULL }
};

static void
test_entity_identity(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_report r;
	struct fw_entity *a, *b, *c;

	report_open(&r, inv, "test", defs, 1000);
	a = report_entity(&r, FW_KIND_DISK, "WD-123", "sda");
	b = report_entity(&r, FW_KIND_DISK, "WD-123", "sdb");
	c = report_entity(&r, FW_KIND_NIC, "WD-123", "eth0");
	/* Same kind and id is the same entity; a rename only renames it. */
	assert_ptr_equal(a, b);
	assert_string_equal(entity_name(a), "sdb");
	assert_ptr_not_equal(a, c);
	assert_string_equal(a->key, "disk/WD-123");
	assert_string_equal(entity_id(c), "WD-123");
	assert_int_equal(a->seen_ms, 1000);
	assert_string_equal(a->collector, "test");
	assert_ptr_equal(inventory_find(inv, FW_KIND_DISK, "WD-123"), a);
	assert_null(inventory_find(inv, FW_KIND_DISK, "WD-999"));
	report_close(&r);
	inventory_free(inv);
}

static void
test_entity_id_sanitised(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_report r;
	struct fw_entity *e;

	report_open(&r, inv, "test", defs, 0);
	e = report_entity(&r, FW_KIND_DISK, "  WD\x01-1\n\xff 23  ", "sda");
	assert_string_equal(entity_id(e), "WD -1 23");
	e = report_entity(&r, FW_KIND_DISK, "\x02\x03", "sdz");
	assert_string_equal(entity_id(e), "unnamed");
	report_close(&r);
	inventory_free(inv);
}

static void
test_labels_relations_readings(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_report r;
	struct fw_entity *e;

	report_open(&r, inv, "test", defs, 0);
	e = report_entity(&r, FW_KIND_DISK, "S1", "sda");
	entity_label(e, "model", "%s", "WDC\tWD40  EFRX");
	entity_label(e, "serial", "%d", 42);
	entity_label(e, "model", "%s", "WD40EFRX");
	assert_int_equal(e->n_labels, 2);
	assert_string_equal(entity_label_get(e, "model"), "WD40EFRX");
	assert_string_equal(entity_label_get(e, "serial"), "42");
	assert_null(entity_label_get(e, "wwn"));

	entity_relate(e, "member_of", FW_KIND_ARRAY, "uuid-1");
	entity_relate(e, "member_of", FW_KIND_ARRAY, "uuid-1");
	entity_relate(e, "member_of", FW_KIND_ARRAY, "uuid-2");
	assert_int_equal(e->n_relations, 2);

	report_reading(&r, e, "temp_celsius", "celsius", 40, NULL, NULL);
	report_reading(&r, e, "attr_raw", "", 1, "id", "5");
	report_reading(&r, e, "attr_raw", "", 2, "id", "197");
	report_reading(&r, e, "temp_celsius", "celsius", 41, NULL, NULL);
	report_reading(&r, e, "attr_raw", "", 3, "id", "5");
	assert_int_equal(e->n_readings, 3);
	assert_true(e->readings[0].value == 41);
	assert_true(e->readings[1].value == 3);
	assert_true(e->readings[2].value == 2);
	report_close(&r);
	inventory_free(inv);
}

static void
test_check_pointers_stable(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_check *first, *c;
	struct fw_report r;
	struct fw_entity *e;
	int i;

	report_open(&r, inv, "test", defs, 0);
	e = report_entity(&r, FW_KIND_HOST, "h", "h");
	first = report_check(&r, e, "t.state", FW_STATE_WARNING, "msg %d", 1);
	/* Adding many more must not move the first (collectors keep it). */
	for (i = 0; i < 100; i++)
		report_value(&r, e, "t.value", i, "value %d", i);
	check_detail_num(first, "count", 7);
	check_detail_str(first, "why", "because");
	check_detail_num(first, "count", 8);
	assert_int_equal(first->n_details, 2);
	assert_true(check_detail_get(first, "count")->num == 8);
	assert_string_equal(check_detail_get(first, "why")->str, "because");
	assert_int_equal(r.n_checks, 101);
	assert_ptr_equal(r.checks[0], first);
	assert_ptr_equal(first->def, &defs[0]);
	c = r.checks[100];
	assert_true(c->has_value);
	assert_true(c->value == 99);
	assert_ptr_equal(c->def, &defs[1]);
	assert_string_equal(c->message, "value 99");
	report_close(&r);
	inventory_free(inv);
}

static void
test_undeclared_and_nan(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_report r;
	struct fw_entity *e;
	struct fw_check *c;

	report_open(&r, inv, "test", defs, 0);
	e = report_entity(&r, FW_KIND_HOST, "h", "h");
	c = report_check(&r, e, "t.nope", FW_STATE_OK, "x");
	assert_null(c->def);
	c = report_value(&r, e, "t.value", NAN, "no value");
	assert_int_equal(c->state, FW_STATE_UNKNOWN);
	report_close(&r);
	inventory_free(inv);
}

static void
test_store_check_replaces(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_report r;
	struct fw_entity *e;
	size_t i;

	report_open(&r, inv, "test", defs, 0);
	e = report_entity(&r, FW_KIND_HOST, "h", "h");
	report_check(&r, e, "t.state", FW_STATE_WARNING, "one");
	report_check(&r, e, "t.state", FW_STATE_CRITICAL, "two");
	report_value(&r, e, "t.value", 10, "three");
	for (i = 0; i < r.n_checks; i++)
		entity_store_check(e, r.checks[i]);
	assert_int_equal(e->n_checks, 2);
	assert_string_equal(e->checks[0].message, "two");
	assert_int_equal(entity_state(e), FW_STATE_CRITICAL);
	report_close(&r);
	inventory_free(inv);
}

static void
test_list_sorted_and_grows(void **unused)
{
	struct fw_inventory *inv = inventory_new();
	struct fw_entity **list;
	struct fw_report r;
	char id[32];
	size_t i, n;

	report_open(&r, inv, "test", defs, 0);
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "id-%04zu", 999 - i);
		report_entity(&r, i % 2 ? FW_KIND_NIC : FW_KIND_DISK, id, NULL);
	}
	n = inventory_list(inv, &list);
	assert_int_equal(n, 1000);
	for (i = 1; i < n; i++) {
		assert_true(list[i - 1]->kind <= list[i]->kind);
		if (list[i - 1]->kind == list[i]->kind)
			assert_true(strcmp(list[i - 1]->id, list[i]->id) < 0);
	}
	assert_int_equal(list[0]->kind, FW_KIND_DISK);
	assert_string_equal(list[0]->id, "id-0001");
	/* No name given: the id stands in. */
	assert_string_equal(list[0]->name, "id-0001");
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "id-%04zu", 999 - i);
		assert_non_null(inventory_find(inv,
		    i % 2 ? FW_KIND_NIC : FW_KIND_DISK, id));
	}
	report_close(&r);
	inventory_free(inv);
}

static void
test_state_names(void **unused)
{
	enum fw_state s;
	enum fw_kind k;

	assert_string_equal(state_name(FW_STATE_CRITICAL), "critical");
	assert_int_equal(state_from_name("unknown", &s), 0);
	assert_int_equal(s, FW_STATE_UNKNOWN);
	assert_true(state_from_name("bad", &s) < 0);
	assert_int_equal(kind_from_name("router_link", &k), 0);
	assert_int_equal(k, FW_KIND_ROUTER_LINK);
	assert_string_equal(state_severity(FW_STATE_OK), "info");
	assert_string_equal(state_severity(FW_STATE_UNKNOWN), "warning");
	assert_int_equal(state_worst(FW_STATE_UNKNOWN, FW_STATE_WARNING),
	    FW_STATE_WARNING);
	assert_int_equal(state_worst(FW_STATE_OK, FW_STATE_UNKNOWN),
	    FW_STATE_UNKNOWN);
	assert_int_equal(state_worst(FW_STATE_CRITICAL, FW_STATE_WARNING),
	    FW_STATE_CRITICAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entity_identity),
		cmocka_unit_test(test_entity_id_sanitised),
		cmocka_unit_test(test_labels_relations_readings),
		cmocka_unit_test(test_check_pointers_stable),
		cmocka_unit_test(test_undeclared_and_nan),
		cmocka_unit_test(test_store_check_replaces),
		cmocka_unit_test(test_list_sorted_and_grows),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
