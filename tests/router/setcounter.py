#!/usr/bin/python3
"""Sets a Counter32 object by SNMP v2c SET (snmpset(1) cannot send the
Counter32 type): the router lab's error-counter injection into snmpd's
`override -rw OID counter 0` lines.  Uses Debian's python3-pysnmp4.

    setcounter.py HOST COMMUNITY OID VALUE
"""
import sys

from pysnmp.hlapi import (CommunityData, ContextData, Counter32,
                          ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, setCmd)


def main():
    host, community, oid, value = sys.argv[1:5]
    err_ind, err_stat, err_idx, _ = next(setCmd(
        SnmpEngine(), CommunityData(community, mpModel=1),
        UdpTransportTarget((host, 161), timeout=1, retries=2),
        ContextData(),
        ObjectType(ObjectIdentity(oid.lstrip(".")), Counter32(int(value)))))
    if err_ind or err_stat:
        why = err_ind or err_stat.prettyPrint()
        print("SET %s = Counter32 %s: %s" % (oid, value, why),
              file=sys.stderr)
        return 1
    return 0


sys.exit(main())
