#!/bin/sh
# The SNMP collector against snmpsim on loopback (no root, no namespaces).
#   tests/snmp/run.sh path/to/forewarnd
exec python3 "$(dirname "$0")/run.py" "$@"
