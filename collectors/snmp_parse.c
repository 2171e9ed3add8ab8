/* Varbinds of a router's answers into the rows of the SNMP collector's checks (snmp_parse.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "forewarn/util.h"
#include "snmp_parse.h"

const oid snmp_oid_sysuptime[9] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
const oid snmp_oid_sysname[9] = { 1, 3, 6, 1, 2, 1, 1, 5, 0 };
const oid snmp_oid_sysdescr[9] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };

/* Only the columns the checks read: walking more costs the router. */
static const oid if_entry[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1 };
static const oid if_cols[] = { 2, 3, 7, 8, 9, 13, 14, 20 };
static const oid ifx_entry[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1 };
static const oid ifx_cols[] = { 1, 6, 7, 10, 11, 15, 18, 19 };
static const oid bgp_entry[] = { 1, 3, 6, 1, 2, 1, 15, 3, 1 };
static const oid bgp_cols[] = { 2, 3, 9, 14, 15, 16 };
static const oid sens_entry[] = { 1, 3, 6, 1, 2, 1, 99, 1, 1, 1 };
static const oid sens_cols[] = { 1, 2, 3, 4, 5 };
static const oid entname_entry[] = { 1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1 };
static const oid entname_cols[] = { 7 };

#define DEF(n, e, c, i) { n, e, OID_LENGTH(e), c, OID_LENGTH(c), i }
static const struct snmp_table_def defs[SNMP_T_COUNT] = {
	[SNMP_T_IF] = DEF("ifTable", if_entry, if_cols, 1),
	[SNMP_T_IFX] = DEF("ifXTable", ifx_entry, ifx_cols, 1),
	[SNMP_T_BGP] = DEF("bgpPeerTable", bgp_entry, bgp_cols, 4),
	[SNMP_T_SENSOR] = DEF("entPhySensorTable", sens_entry, sens_cols, 1),
	[SNMP_T_ENTNAME] = DEF("entPhysicalTable", entname_entry,
	    entname_cols, 1),
};
#undef DEF

const struct snmp_table_def *
snmp_table_def(enum snmp_table t)
{
	return t < SNMP_T_COUNT ? &defs[t] : NULL;
}

void
snmp_data_init(struct snmp_data *d)
{
	memset(d, 0, sizeof(*d));
}

void
snmp_data_clear(struct snmp_data *d)
{
	free(d->ifs);
	free(d->peers);
	free(d->sensors);
	snmp_data_init(d);
}

static const char *
type_name(u_char type)
{
	switch (type) {
	case ASN_INTEGER:	return "INTEGER";
	case ASN_OCTET_STR:	return "OCTET STRING";
	case ASN_NULL:		return "NULL";
	case ASN_OBJECT_ID:	return "OBJECT IDENTIFIER";
	case ASN_IPADDRESS:	return "IpAddress";
	case ASN_COUNTER:	return "Counter32";
	case ASN_GAUGE:		return "Gauge32";
	case ASN_TIMETICKS:	return "TimeTicks";
	case ASN_OPAQUE:	return "Opaque";
	case ASN_COUNTER64:	return "Counter64";
	case SNMP_NOSUCHOBJECT:	return "noSuchObject";
	case SNMP_NOSUCHINSTANCE: return "noSuchInstance";
	case SNMP_ENDOFMIBVIEW:	return "endOfMibView";
	default:		return "an unknown type";
	}
}

/* Count a refused varbind; keep the first message, naming its OID. */
static int
refuse(struct snmp_data *d, const netsnmp_variable_list *vb, const char *why,
    u_char want)
{
	char name[96];
	size_t i, n = 0;

	if (d->errors++ > 0)
		return -EBADMSG;
	name[0] = '\0';
	for (i = 0; i < vb->name_length && n + 12 < sizeof(name); i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "%s%lu",
		    i ? "." : "", (unsigned long)vb->name[i]);
	if (i < vb->name_length)
		fw_strlcpy(name + n, "...", sizeof(name) - n);
	if (want != 0)
		snprintf(d->first_error, sizeof(d->first_error),
		    "%s: %s, not %s", name, type_name(vb->type),
		    type_name(want));
	else
		snprintf(d->first_error, sizeof(d->first_error), "%s: %s",
		    name, why);
	return -EBADMSG;
}

static int
want_type(struct snmp_data *d, const netsnmp_variable_list *vb, u_char type)
{
	if (vb->type != type || vb->val.integer == NULL)
		return refuse(d, vb, NULL, type);
	if ((type == ASN_INTEGER || type == ASN_COUNTER || type == ASN_GAUGE ||
	    type == ASN_TIMETICKS) && vb->val_len < sizeof(long))
		return refuse(d, vb, "short value", 0);
	if (type == ASN_COUNTER64 && vb->val_len < sizeof(struct counter64))
		return refuse(d, vb, "short value", 0);
	return 0;
}

static uint32_t
u32(const netsnmp_variable_list *vb)
{
	return (uint32_t)(unsigned long)*vb->val.integer;
}

static uint64_t
u64(const netsnmp_variable_list *vb)
{
	return ((uint64_t)vb->val.counter64->high << 32) |
	    (uint32_t)vb->val.counter64->low;
}

static void
copy_str(char *dst, size_t size, const netsnmp_variable_list *vb)
{
	fw_sanitize(dst, size, (const char *)vb->val.string, vb->val_len);
}

int
snmp_parse_system(struct snmp_data *d, const netsnmp_variable_list *vb)
{
	if (vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE ||
	    vb->type == SNMP_ENDOFMIBVIEW)
		return -ENOENT;
	if (snmp_oid_compare(vb->name, vb->name_length, snmp_oid_sysuptime,
	    OID_LENGTH(snmp_oid_sysuptime)) == 0) {
		if (want_type(d, vb, ASN_TIMETICKS) < 0)
			return -EBADMSG;
		d->uptime = u32(vb);
		d->has_uptime = true;
	} else if (snmp_oid_compare(vb->name, vb->name_length,
	    snmp_oid_sysname, OID_LENGTH(snmp_oid_sysname)) == 0) {
		if (want_type(d, vb, ASN_OCTET_STR) < 0)
			return -EBADMSG;
		copy_str(d->sys_name, sizeof(d->sys_name), vb);
	} else if (snmp_oid_compare(vb->name, vb->name_length,
	    snmp_oid_sysdescr, OID_LENGTH(snmp_oid_sysdescr)) == 0) {
		if (want_type(d, vb, ASN_OCTET_STR) < 0)
			return -EBADMSG;
		copy_str(d->sys_descr, sizeof(d->sys_descr), vb);
	} else {
		return refuse(d, vb, "not asked for", 0);
	}
	return 0;
}

/* Whether name is entry.col.<index of exactly index_len sub-ids>. */
static int
under_column(const struct snmp_table_def *td, size_t col, const oid *name,
    size_t name_len)
{
	if (name_len <= td->entry_len + 1 ||
	    memcmp(name, td->entry, td->entry_len * sizeof(oid)) != 0 ||
	    name[td->entry_len] != td->cols[col])
		return 1;
	return name_len == td->entry_len + 1 + td->index_len ? 0 : -EBADMSG;
}

bool
snmp_column_advances(enum snmp_table t, size_t col, const oid *name,
    size_t name_len, const oid *prev, size_t prev_len)
{
	const struct snmp_table_def *td = snmp_table_def(t);

	if (td == NULL || col >= td->n_cols || name_len <= td->entry_len + 1 ||
	    memcmp(name, td->entry, td->entry_len * sizeof(oid)) != 0 ||
	    name[td->entry_len] != td->cols[col])
		return false;
	return snmp_oid_compare(name, name_len, prev, prev_len) > 0;
}

/*
 * Rows come in index order column after column: look from the last row
 * found on, so a table of n rows costs n, not n squared.
 */
static void *
row_find(void *rows, size_t n, size_t size, size_t *hint,
    bool (*match)(const void *, const void *), const void *key)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		j = (*hint + i) % n;
		if (match((const char *)rows + j * size, key)) {
			*hint = j;
			return (char *)rows + j * size;
		}
	}
	return NULL;
}

static bool
if_match(const void *row, const void *key)
{
	return ((const struct snmp_if *)row)->index == *(const uint32_t *)key;
}

struct snmp_if *
snmp_data_if(struct snmp_data *d, uint32_t index)
{
	size_t hint = 0;

	return row_find(d->ifs, d->n_ifs, sizeof(*d->ifs), &hint, if_match,
	    &index);
}

static struct snmp_if *
if_row(struct snmp_data *d, uint32_t index)
{
	struct snmp_if *r;

	if ((r = row_find(d->ifs, d->n_ifs, sizeof(*r), &d->if_hint, if_match,
	    &index)) != NULL)
		return r;
	if (d->n_ifs >= SNMP_ROWS_MAX)
		return NULL;
	d->ifs = xreallocarray(d->ifs, d->n_ifs + 1, sizeof(*d->ifs));
	r = &d->ifs[d->n_ifs];
	d->if_hint = d->n_ifs++;
	memset(r, 0, sizeof(*r));
	r->index = index;
	return r;
}

static int
parse_if(struct snmp_data *d, oid col, uint32_t index,
    const netsnmp_variable_list *vb)
{
	struct snmp_if *r;
	u_char want;

	want = col == 2 ? ASN_OCTET_STR : col == 9 ? ASN_TIMETICKS :
	    col == 13 || col == 14 || col == 20 ? ASN_COUNTER : ASN_INTEGER;
	if (want_type(d, vb, want) < 0)
		return -EBADMSG;
	if ((r = if_row(d, index)) == NULL)
		return -ENOSPC;
	switch (col) {
	case 2:
		copy_str(r->descr, sizeof(r->descr), vb);
		r->have |= IF_DESCR;
		break;
	case 3:
		r->type = (int)*vb->val.integer;
		r->have |= IF_TYPE;
		break;
	case 7:
		r->admin = (int)*vb->val.integer;
		r->have |= IF_ADMIN;
		break;
	case 8:
		r->oper = (int)*vb->val.integer;
		r->have |= IF_OPER;
		break;
	case 9:
		r->last_change = u32(vb);
		r->have |= IF_LASTCHANGE;
		break;
	case 13:
		r->in_discards = u32(vb);
		r->have |= IF_DISCARDS;
		break;
	case 14:
		r->in_errors = u32(vb);
		r->have |= IF_ERRORS;
		break;
	case 20:
		r->out_errors = u32(vb);
		r->have |= IF_OUTERRORS;
		break;
	}
	return 0;
}

static int
parse_ifx(struct snmp_data *d, oid col, uint32_t index,
    const netsnmp_variable_list *vb)
{
	struct snmp_if *r;
	u_char want;

	want = col == 1 || col == 18 ? ASN_OCTET_STR : col == 15 ? ASN_GAUGE :
	    col == 19 ? ASN_TIMETICKS : ASN_COUNTER64;
	if (want_type(d, vb, want) < 0)
		return -EBADMSG;
	if ((r = if_row(d, index)) == NULL)
		return -ENOSPC;
	switch (col) {
	case 1:
		copy_str(r->name, sizeof(r->name), vb);
		if (r->name[0] != '\0')
			r->have |= IF_NAME;
		break;
	case 6:
		r->in_octets = u64(vb);
		r->have |= IF_INOCT;
		break;
	case 10:
		r->out_octets = u64(vb);
		r->have |= IF_OUTOCT;
		break;
	case 7:
		r->in_pkts = u64(vb);
		r->have |= IF_HCPKTS;
		break;
	case 11:
		r->out_pkts = u64(vb);
		break;
	case 15:
		r->high_speed = u32(vb);
		r->have |= IF_SPEED;
		break;
	case 18:
		copy_str(r->alias, sizeof(r->alias), vb);
		r->have |= IF_ALIAS;
		break;
	case 19:
		r->discontinuity = u32(vb);
		r->have |= IF_DISC;
		break;
	}
	if ((r->have & (IF_INOCT | IF_OUTOCT)) == (IF_INOCT | IF_OUTOCT))
		r->have |= IF_HC;
	return 0;
}

static bool
peer_match(const void *row, const void *key)
{
	return memcmp(((const struct snmp_bgp_peer *)row)->addr, key, 4) == 0;
}

static int
parse_bgp(struct snmp_data *d, oid col, const oid *index,
    const netsnmp_variable_list *vb)
{
	struct snmp_bgp_peer *r;
	uint8_t addr[4];
	u_char want;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (index[i] > 255)
			return refuse(d, vb, "index is no IPv4 address", 0);
		addr[i] = (uint8_t)index[i];
	}
	want = col == 14 ? ASN_OCTET_STR : col == 15 ? ASN_COUNTER :
	    col == 16 ? ASN_GAUGE : ASN_INTEGER;
	if (want_type(d, vb, want) < 0)
		return -EBADMSG;
	if ((r = row_find(d->peers, d->n_peers, sizeof(*r), &d->peer_hint,
	    peer_match, addr)) == NULL) {
		if (d->n_peers >= SNMP_ROWS_MAX)
			return -ENOSPC;
		d->peers = xreallocarray(d->peers, d->n_peers + 1,
		    sizeof(*d->peers));
		r = &d->peers[d->n_peers];
		d->peer_hint = d->n_peers++;
		memset(r, 0, sizeof(*r));
		memcpy(r->addr, addr, 4);
		snprintf(r->addr_str, sizeof(r->addr_str), "%u.%u.%u.%u",
		    addr[0], addr[1], addr[2], addr[3]);
	}
	switch (col) {
	case 2:
		r->state = (int)*vb->val.integer;
		r->have |= BGP_STATE;
		break;
	case 3:
		r->admin = (int)*vb->val.integer;
		r->have |= BGP_ADMIN;
		break;
	case 9:
		r->remote_as = u32(vb);
		r->have |= BGP_AS;
		break;
	case 14:
		if (vb->val_len >= 2) {
			memcpy(r->last_error, vb->val.string, 2);
			r->have |= BGP_LASTERR;
		}
		break;
	case 15:
		r->transitions = u32(vb);
		r->have |= BGP_TRANS;
		break;
	case 16:
		r->established_time = u32(vb);
		r->have |= BGP_ESTTIME;
		break;
	}
	return 0;
}

static bool
sens_match(const void *row, const void *key)
{
	return ((const struct snmp_sensor *)row)->index ==
	    *(const uint32_t *)key;
}

static int
parse_sensor(struct snmp_data *d, oid col, uint32_t index,
    const netsnmp_variable_list *vb)
{
	struct snmp_sensor *r;

	if (want_type(d, vb, ASN_INTEGER) < 0)
		return -EBADMSG;
	if ((r = row_find(d->sensors, d->n_sensors, sizeof(*r), &d->sens_hint,
	    sens_match, &index)) == NULL) {
		if (d->n_sensors >= SNMP_ROWS_MAX)
			return -ENOSPC;
		d->sensors = xreallocarray(d->sensors, d->n_sensors + 1,
		    sizeof(*d->sensors));
		r = &d->sensors[d->n_sensors];
		d->sens_hint = d->n_sensors++;
		memset(r, 0, sizeof(*r));
		r->index = index;
	}
	switch (col) {
	case 1:
		r->type = (int)*vb->val.integer;
		r->have |= SENS_TYPE;
		break;
	case 2:
		r->scale = (int)*vb->val.integer;
		r->have |= SENS_SCALE;
		break;
	case 3:
		r->precision = (int)*vb->val.integer;
		r->have |= SENS_PRECISION;
		break;
	case 4:
		r->value = (int32_t)*vb->val.integer;
		r->have |= SENS_VALUE;
		break;
	case 5:
		r->oper = (int)*vb->val.integer;
		r->have |= SENS_OPER;
		break;
	}
	return 0;
}

/* entPhysicalName: kept only for the sensors already found. */
static int
parse_entname(struct snmp_data *d, uint32_t index,
    const netsnmp_variable_list *vb)
{
	struct snmp_sensor *r;

	if (want_type(d, vb, ASN_OCTET_STR) < 0)
		return -EBADMSG;
	if ((r = row_find(d->sensors, d->n_sensors, sizeof(*r), &d->sens_hint,
	    sens_match, &index)) == NULL)
		return 0;
	copy_str(r->name, sizeof(r->name), vb);
	if (r->name[0] != '\0')
		r->have |= SENS_NAME;
	return 0;
}

int
snmp_parse_column(struct snmp_data *d, enum snmp_table t, size_t col,
    const netsnmp_variable_list *vb)
{
	const struct snmp_table_def *td = snmp_table_def(t);
	const oid *index;
	oid c;
	int rc;

	if (td == NULL || col >= td->n_cols)
		return -EINVAL;
	if (vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT ||
	    vb->type == SNMP_NOSUCHINSTANCE)
		return 1;
	if ((rc = under_column(td, col, vb->name, vb->name_length)) != 0)
		return rc > 0 ? 1 : refuse(d, vb, "index of the wrong length",
		    0);
	c = td->cols[col];
	index = vb->name + td->entry_len + 1;
	if (td->index_len == 1 && (index[0] == 0 || index[0] > 0x7fffffff))
		return refuse(d, vb, "index out of range", 0);
	switch (t) {
	case SNMP_T_IF:
		return parse_if(d, c, (uint32_t)index[0], vb);
	case SNMP_T_IFX:
		return parse_ifx(d, c, (uint32_t)index[0], vb);
	case SNMP_T_BGP:
		return parse_bgp(d, c, index, vb);
	case SNMP_T_SENSOR:
		return parse_sensor(d, c, (uint32_t)index[0], vb);
	case SNMP_T_ENTNAME:
		return parse_entname(d, (uint32_t)index[0], vb);
	default:
		return -EINVAL;
	}
}

double
snmp_sensor_value(const struct snmp_sensor *s)
{
	int scale = s->have & SENS_SCALE ? s->scale : 9;	/* units */
	int prec = s->have & SENS_PRECISION ? s->precision : 0;

	/* scale: yocto(1) .. units(9) .. yotta(17), steps of 10^3. */
	if (scale < 1 || scale > 17 || prec < -8 || prec > 9)
		return NAN;
	return (double)s->value * pow(10.0, 3.0 * (scale - 9) - prec);
}

bool
snmp_uptime_reset(uint32_t prev, uint32_t now, int64_t elapsed_ms)
{
	uint64_t expect;

	if (now >= prev)
		return false;
	/* A wrap: prev plus the time passed is past 2^32 ticks. */
	expect = (uint64_t)prev + (uint64_t)(elapsed_ms > 0 ? elapsed_ms : 0) /
	    10;
	if (expect >= ((uint64_t)1 << 32) &&
	    expect - ((uint64_t)1 << 32) + 6000 >= now)
		return false;
	return true;
}
