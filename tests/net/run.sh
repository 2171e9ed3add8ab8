#!/bin/sh
# NIC tests on real rtnetlink: network namespaces and veth pairs made here,
# the daemon run inside them.  Needs root (CI runs as root).
#   tests/net/run.sh path/to/forewarnd [CASE...]
exec python3 "$(dirname "$0")/netns.py" "$@"
