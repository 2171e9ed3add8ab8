/* Tests of the SNMP collector's parse layer: varbinds as net-snmp decodes them, good and hostile, into rows; sysUpTime resets; sensor scaling. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../../collectors/snmp_parse.h"

static netsnmp_variable_list *vars;

static int
teardown_vars(void **unused)
{
	snmp_free_varbind(vars);
	vars = NULL;
	return 0;
}

/* A varbind of OID "base.col.index..." with a value of the given type. */
static netsnmp_variable_list *
vb(const char *dotted, u_char type, const void *val, size_t len)
{
	oid name[MAX_OID_LEN];
	size_t n = 0;
	const char *p = dotted;
	char *end;

	while (*p != '\0' && n < MAX_OID_LEN) {
		name[n++] = strtoul(p, &end, 10);
		p = *end == '.' ? end + 1 : end;
	}
	return snmp_varlist_add_variable(&vars, name, n, type, val, len);
}

static netsnmp_variable_list *
vb_int(const char *dotted, long v)
{
	return vb(dotted, ASN_INTEGER, &v, sizeof(v));
}

static netsnmp_variable_list *
vb_u32(const char *dotted, u_char type, unsigned long v)
{
	return vb(dotted, type, &v, sizeof(v));
}

static netsnmp_variable_list *
vb_str(const char *dotted, const char *s)
{
	return vb(dotted, ASN_OCTET_STR, s, strlen(s));
}

static netsnmp_variable_list *
vb_c64(const char *dotted, uint64_t v)
{
	struct counter64 c = { .high = (u_long)(v >> 32),
	    .low = (u_long)(v & 0xffffffffu) };

	return vb(dotted, ASN_COUNTER64, &c, sizeof(c));
}

/* The position of a column in its table's def. */
static size_t
col(enum snmp_table t, oid c)
{
	const struct snmp_table_def *td = snmp_table_def(t);
	size_t i;

	for (i = 0; i < td->n_cols; i++)
		if (td->cols[i] == c)
			return i;
	fail_msg("column %lu is not walked", (unsigned long)c);
	return 0;
}

static void
test_iftable(void **unused)
{
	struct snmp_data d;
	struct snmp_if *i;

	snmp_data_init(&d);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_int("1.3.6.1.2.1.2.2.1.8.3", 2)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 7),
	    vb_int("1.3.6.1.2.1.2.2.1.7.3", 1)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 9),
	    vb_u32("1.3.6.1.2.1.2.2.1.9.3", ASN_TIMETICKS, 4242)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 14),
	    vb_u32("1.3.6.1.2.1.2.2.1.14.3", ASN_COUNTER, 17)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IFX,
	    col(SNMP_T_IFX, 1), vb_str("1.3.6.1.2.1.31.1.1.1.1.3",
	    "Gi0/1\x01")), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IFX,
	    col(SNMP_T_IFX, 6), vb_c64("1.3.6.1.2.1.31.1.1.1.6.3",
	    0x123456789aULL)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IFX,
	    col(SNMP_T_IFX, 10), vb_c64("1.3.6.1.2.1.31.1.1.1.10.3", 5)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IFX,
	    col(SNMP_T_IFX, 15), vb_u32("1.3.6.1.2.1.31.1.1.1.15.3",
	    ASN_GAUGE, 10000)), 0);
	assert_int_equal(d.n_ifs, 1);
	assert_int_equal(d.errors, 0);
	i = snmp_data_if(&d, 3);
	assert_non_null(i);
	assert_int_equal(i->oper, SNMP_IF_DOWN);
	assert_int_equal(i->admin, SNMP_IF_UP);
	assert_int_equal(i->last_change, 4242);
	assert_int_equal(i->in_errors, 17);
	assert_string_equal(i->name, "Gi0/1");	/* the control byte is gone */
	assert_true(i->in_octets == 0x123456789aULL);
	assert_int_equal(i->high_speed, 10000);
	assert_true((i->have & (IF_NAME | IF_HC | IF_SPEED | IF_OPER)) ==
	    (IF_NAME | IF_HC | IF_SPEED | IF_OPER));
	assert_false(i->have & IF_ALIAS);	/* never sent: not there */
	assert_null(snmp_data_if(&d, 4));
	snmp_data_clear(&d);
}

static void
test_hostile(void **unused)
{
	struct snmp_data d;

	snmp_data_init(&d);
	/* ifOperStatus as a string: refused, named by its OID. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_str("1.3.6.1.2.1.2.2.1.8.3", "up")), -EBADMSG);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.first_error,
	    "1.3.6.1.2.1.2.2.1.8.3: OCTET STRING, not INTEGER");
	/* A Counter64 where a Counter32 belongs; the first error stays. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 14),
	    vb_c64("1.3.6.1.2.1.2.2.1.14.3", 1)), -EBADMSG);
	assert_int_equal(d.errors, 2);
	assert_string_equal(d.first_error,
	    "1.3.6.1.2.1.2.2.1.8.3: OCTET STRING, not INTEGER");
	/* An index of two sub-identifiers in a table indexed by one. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_int("1.3.6.1.2.1.2.2.1.8.3.1", 1)), -EBADMSG);
	/* ifIndex 0 does not exist. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_int("1.3.6.1.2.1.2.2.1.8.0", 1)), -EBADMSG);
	/* The next column, the next table, the end of the MIB: walk over. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_u32("1.3.6.1.2.1.2.2.1.9.1", ASN_TIMETICKS, 1)), 1);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_int("1.3.6.1.2.1.4.1.0", 1)), 1);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb("1.3.6.1.2.1.2.2.1.8.9", SNMP_ENDOFMIBVIEW, NULL, 0)), 1);
	/* A BGP index that is no IPv4 address. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_BGP, col(SNMP_T_BGP, 2),
	    vb_int("1.3.6.1.2.1.15.3.1.2.10.0.0.300", 6)), -EBADMSG);
	assert_int_equal(d.n_ifs, 0);
	assert_int_equal(d.n_peers, 0);
	snmp_data_clear(&d);
}

static void
test_rows_capped(void **unused)
{
	struct snmp_data d;
	char name[64];
	unsigned k;

	snmp_data_init(&d);
	for (k = 1; k <= SNMP_ROWS_MAX; k++) {
		snprintf(name, sizeof(name), "1.3.6.1.2.1.2.2.1.8.%u", k);
		assert_int_equal(snmp_parse_column(&d, SNMP_T_IF,
		    col(SNMP_T_IF, 8), vb_int(name, 1)), 0);
		snmp_free_varbind(vars);
		vars = NULL;
	}
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 8),
	    vb_int("1.3.6.1.2.1.2.2.1.8.99999", 1)), -ENOSPC);
	/* A row already known is still taken. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_IF, col(SNMP_T_IF, 7),
	    vb_int("1.3.6.1.2.1.2.2.1.7.4096", 2)), 0);
	assert_int_equal(d.n_ifs, SNMP_ROWS_MAX);
	snmp_data_clear(&d);
}

static void
test_advances(void **unused)
{
	oid prev[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 5 };
	oid same[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 5 };
	oid back[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 4 };
	oid next[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 6 };
	oid other[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 9, 1 };
	oid start[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 8 };
	size_t c = col(SNMP_T_IF, 8), n = OID_LENGTH(prev);

	assert_false(snmp_column_advances(SNMP_T_IF, c, same, n, prev, n));
	assert_false(snmp_column_advances(SNMP_T_IF, c, back, n, prev, n));
	assert_true(snmp_column_advances(SNMP_T_IF, c, next, n, prev, n));
	assert_false(snmp_column_advances(SNMP_T_IF, c, other, n, prev, n));
	assert_true(snmp_column_advances(SNMP_T_IF, c, back, n, start,
	    OID_LENGTH(start)));
}

static void
test_bgp(void **unused)
{
	struct snmp_data d;
	const u_char err[2] = { 4, 0 };

	snmp_data_init(&d);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_BGP, col(SNMP_T_BGP, 2),
	    vb_int("1.3.6.1.2.1.15.3.1.2.169.254.12.2", 1)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_BGP, col(SNMP_T_BGP, 3),
	    vb_int("1.3.6.1.2.1.15.3.1.3.169.254.12.2", 2)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_BGP,
	    col(SNMP_T_BGP, 14), vb("1.3.6.1.2.1.15.3.1.14.169.254.12.2",
	    ASN_OCTET_STR, err, 2)), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_BGP,
	    col(SNMP_T_BGP, 15), vb_u32("1.3.6.1.2.1.15.3.1.15.169.254.12.2",
	    ASN_COUNTER, 3)), 0);
	assert_int_equal(d.n_peers, 1);
	assert_string_equal(d.peers[0].addr_str, "169.254.12.2");
	assert_int_equal(d.peers[0].state, SNMP_BGP_IDLE);
	assert_int_equal(d.peers[0].admin, 2);
	assert_int_equal(d.peers[0].last_error[0], 4);	/* hold timer */
	assert_int_equal(d.peers[0].transitions, 3);
	snmp_data_clear(&d);
}

static void
test_sensors(void **unused)
{
	struct snmp_data d;

	snmp_data_init(&d);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_SENSOR,
	    col(SNMP_T_SENSOR, 1), vb_int("1.3.6.1.2.1.99.1.1.1.1.1004", 8)),
	    0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_SENSOR,
	    col(SNMP_T_SENSOR, 2), vb_int("1.3.6.1.2.1.99.1.1.1.2.1004", 9)),
	    0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_SENSOR,
	    col(SNMP_T_SENSOR, 3), vb_int("1.3.6.1.2.1.99.1.1.1.3.1004", 1)),
	    0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_SENSOR,
	    col(SNMP_T_SENSOR, 4), vb_int("1.3.6.1.2.1.99.1.1.1.4.1004", 425)),
	    0);
	/* Names only for sensors: the chassis' other entities are skipped. */
	assert_int_equal(snmp_parse_column(&d, SNMP_T_ENTNAME, 0,
	    vb_str("1.3.6.1.2.1.47.1.1.1.1.7.1", "Chassis")), 0);
	assert_int_equal(snmp_parse_column(&d, SNMP_T_ENTNAME, 0,
	    vb_str("1.3.6.1.2.1.47.1.1.1.1.7.1004", "Inlet Temp")), 0);
	assert_int_equal(d.n_sensors, 1);
	assert_string_equal(d.sensors[0].name, "Inlet Temp");
	assert_true(fabs(snmp_sensor_value(&d.sensors[0]) - 42.5) < 1e-9);
	d.sensors[0].scale = 8;		/* milli */
	d.sensors[0].precision = 0;
	d.sensors[0].value = 12000;
	assert_true(fabs(snmp_sensor_value(&d.sensors[0]) - 12.0) < 1e-9);
	d.sensors[0].scale = 99;
	assert_true(isnan(snmp_sensor_value(&d.sensors[0])));
	snmp_data_clear(&d);
}

static void
test_system(void **unused)
{
	struct snmp_data d;

	snmp_data_init(&d);
	assert_int_equal(snmp_parse_system(&d, vb_u32("1.3.6.1.2.1.1.3.0",
	    ASN_TIMETICKS, 360000)), 0);
	assert_int_equal(snmp_parse_system(&d, vb_str("1.3.6.1.2.1.1.5.0",
	    "  core1\n\tedge ")), 0);
	assert_int_equal(snmp_parse_system(&d, vb("1.3.6.1.2.1.1.1.0",
	    SNMP_NOSUCHOBJECT, NULL, 0)), -ENOENT);
	assert_int_equal(snmp_parse_system(&d, vb_int("1.3.6.1.2.1.1.3.0",
	    5)), -EBADMSG);
	assert_true(d.has_uptime);
	assert_int_equal(d.uptime, 360000);
	assert_string_equal(d.sys_name, "core1 edge");
	assert_string_equal(d.sys_descr, "");
	snmp_data_clear(&d);
}

static void
test_uptime_reset(void **unused)
{
	/* Went back: a restart. */
	assert_true(snmp_uptime_reset(100000, 500, 30000));
	/* Went on: none. */
	assert_false(snmp_uptime_reset(500, 3500, 30000));
	/* Past 2^32 ticks (497 days) and round: a wrap, not a restart. */
	assert_false(snmp_uptime_reset(0xffffff00u, 2700, 30000));
	/* Near the wrap, but far less than the time passed: a restart. */
	assert_true(snmp_uptime_reset(0xffffff00u, 2700, 1000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_iftable, teardown_vars),
		cmocka_unit_test_teardown(test_hostile, teardown_vars),
		cmocka_unit_test_teardown(test_rows_capped, teardown_vars),
		cmocka_unit_test(test_advances),
		cmocka_unit_test_teardown(test_bgp, teardown_vars),
		cmocka_unit_test_teardown(test_sensors, teardown_vars),
		cmocka_unit_test_teardown(test_system, teardown_vars),
		cmocka_unit_test(test_uptime_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
