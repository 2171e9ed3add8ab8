/*
 * libFuzzer target: a router's answer as net-snmp decodes it (a PDU body),
 * then every varbind through the SNMP collector's parse layer as a walk
 * would hand it over.  The first byte picks the table (or the system GET).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../collectors/snmp_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u_char buf[65536];
	const struct snmp_table_def *td;
	struct snmp_data d;
	netsnmp_pdu *pdu;
	netsnmp_variable_list *vb;
	oid prev[MAX_OID_LEN];
	size_t len, pos = 0, prev_len = 0, k;
	unsigned which;

	if (size < 2 || size - 1 > sizeof(buf))
		return 0;
	which = data[0] % (SNMP_T_COUNT + 1);
	len = size - 1;
	memcpy(buf, data + 1, len);
	pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);
	if (snmp_pdu_parse(pdu, buf, &len) != 0) {
		snmp_free_pdu(pdu);
		return 0;
	}
	snmp_data_init(&d);
	td = snmp_table_def((enum snmp_table)which);
	for (vb = pdu->variables; vb != NULL; vb = vb->next_variable, pos++) {
		if (td == NULL) {
			snmp_parse_system(&d, vb);
			continue;
		}
		k = pos % td->n_cols;
		if (prev_len > 0)
			snmp_column_advances((enum snmp_table)which, k,
			    vb->name, vb->name_length, prev, prev_len);
		snmp_parse_column(&d, (enum snmp_table)which, k, vb);
		if (vb->name_length <= MAX_OID_LEN) {
			memcpy(prev, vb->name, vb->name_length * sizeof(oid));
			prev_len = vb->name_length;
		}
	}
	for (k = 0; k < d.n_sensors; k++)
		(void)snmp_sensor_value(&d.sensors[k]);
	if (d.has_uptime)
		(void)snmp_uptime_reset(d.uptime, (uint32_t)size, (int64_t)size);
	snmp_data_clear(&d);
	snmp_free_pdu(pdu);
	return 0;
}
