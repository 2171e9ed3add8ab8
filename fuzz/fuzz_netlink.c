/* libFuzzer target: rtnetlink link messages, ethtool replies and module EEPROM pages on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../collectors/netlink_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536] __attribute__((aligned(8)));
	struct nl_ethtool e;
	struct sff_diag d;
	struct nl_link l;
	unsigned lane;
	uint16_t id;
	double dbm;
	size_t half;

	/* Netlink messages arrive 4-byte aligned in the receive buffer. */
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	nl_link_parse(buf, size, &l);
	if (nl_ethtool_parse(buf, size, 21, &e) == 0 && e.eeprom != NULL)
		sff_type_of(e.eeprom_len > 0 ? e.eeprom[0] : 0);
	nl_genl_family_parse(buf, size, "ethtool", &id);

	/* EEPROM pages: the first half as the lower page, the rest upper. */
	half = size / 2;
	if (sff8472_parse(buf, half, buf + half, size - half, &d) == 0)
		sff_judge_rx(&d, &lane, &dbm);
	if (sff8636_parse(buf, half, buf + half, size - half, &d) == 0)
		sff_judge_rx(&d, &lane, &dbm);
	if (cmis_parse(buf, half, buf + half, size / 4, buf + size / 4,
	    size - size / 4, &d) == 0)
		sff_judge_rx(&d, &lane, &dbm);
	return 0;
}
