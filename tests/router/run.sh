#!/bin/sh
# The snmp and snmptrap collectors end to end in the router lab (network
# namespaces with snmpd and FRR, made and removed here).  Needs root (CI
# runs as root).  Prints "N passed, N failed".
#   tests/router/run.sh path/to/forewarnd [SCENARIO...]
exec python3 "$(dirname "$0")/run.py" "$@"
