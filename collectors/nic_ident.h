/*
 * The identity of a NIC, decided in one place for every collector that
 * names one (netlink, kmsg): its permanent MAC, else its current MAC, else
 * its name.
 */
#ifndef FOREWARN_NIC_IDENT_H
#define FOREWARN_NIC_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A MAC as the kernel prints it ("52:54:00:12:34:56") that names a
 * device: not empty, not all zeros (veth and tun have no permanent one).
 */
static inline bool
nic_mac_usable(const char *mac)
{
	const char *p;
	bool nonzero = false;

	if (mac == NULL || mac[0] == '\0')
		return false;
	for (p = mac; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
		if (*p != '0')
			nonzero = true;
	}
	return nonzero;
}

/*
 * The id: the permanent MAC (it survives renames and a bond taking the
 * slave's address), else the current MAC (a veth keeps its random one
 * across renames), else "name:IFNAME".  0, or -1 when it does not fit.
 */
static inline int
nic_identity(char *buf, size_t size, const char *perm_mac, const char *mac,
    const char *ifname)
{
	int n;

	if (nic_mac_usable(perm_mac))
		n = snprintf(buf, size, "%s", perm_mac);
	else if (nic_mac_usable(mac))
		n = snprintf(buf, size, "%s", mac);
	else
		n = snprintf(buf, size, "name:%s", ifname);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

#endif
