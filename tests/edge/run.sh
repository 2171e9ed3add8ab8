#!/bin/sh
# A build with switches off, native or cross: its unit tests, forewarnd
# --once on a fixture root, --check-config naming each part the switches
# left out, none of their libraries linked, and the stripped size.
#   tests/edge/run.sh BUILD
# FW_RUN runs the build's programs ("qemu-aarch64" for an arm64 build;
# default: directly) and FW_STRIP is the strip that knows its architecture
# (default: strip).  The switches are read from BUILD/registry.c, which
# make writes with them.
build=${1:?usage: tests/edge/run.sh BUILD}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/forewarnd
run=${FW_RUN:-}
strip=${FW_STRIP:-strip}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The unit tests: cmocka prints "[       OK ] name" per pass.
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	$run "$t" >"$tmp/log" 2>&1
	rc=$?
	ok=$(grep -c '^\[       OK \]' "$tmp/log")
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' \
	    "$tmp/log" | tail -n 1)
	bad=${bad:-0}
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -ne 0 ]; then
		echo "FAIL $(basename "$t") (exit $rc)"
		cat "$tmp/log"
	else
		echo "ok   $(basename "$t"): $ok passed"
	fi
done

switches=$(sed -n 's|^/\* Switches: \(.*\) \*/$|\1|p' "$build/registry.c")
[ -n "$switches" ] && pass || fail "no switches line in $build/registry.c"
echo "switches: $switches"

# --once on the healthy fixture host.
conf=$tmp/forewarn.conf
printf '[agent]\nhost = edge-test\nstate_dir = %s/state\n\n' "$tmp" >"$conf"
printf '[sink:out]\ntype = stdout\n' >>"$conf"
$run "$bin" -c "$conf" --root "$here/../fixtures/host/ok" --once \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] &&
    grep -q '^forewarn .* on edge-test at .*: OK' "$tmp/out" &&
    grep -qE '^ +OK +host.memory +host fixture-host' "$tmp/out"; then
	pass
else
	fail "--once on tests/fixtures/host/ok: exit $rc"
	cat "$tmp/out" "$tmp/err"
fi
$run "$bin" -c "$conf" --root "$here/../fixtures/host/ok" --once \
    --format json >"$tmp/json" 2>"$tmp/err"
if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "ok", d["state"]
assert any(e["kind"] == "host" for e in d["entities"])' "$tmp/json"; then
	pass
else
	fail "--once --format json"
	cat "$tmp/json" "$tmp/err"
fi
if $run "$bin" --check-config -c "$conf" >"$tmp/out" 2>&1; then pass; else
	fail "--check-config of a configuration of built parts"
	cat "$tmp/out"
fi

# Each part left out: its section fails --check-config with file:line and
# the switch.  registry.c lists them as { "NAME", "WITH_X=0" }.
absent() {
	sed -n "/registry_absent_$1\[\]/,/NULL, NULL/p" "$build/registry.c" |
	    sed -n 's/^	{ "\([^"]*\)", "\([^"]*\)" },$/\1 \2/p'
}
check_absent() {
	# check_absent LINE WANT: the conf fails, and says WANT at its LINE
	if $run "$bin" --check-config -c "$tmp/absent.conf" >"$tmp/out" 2>&1; then
		fail "--check-config took $tmp/absent.conf:"
		cat "$tmp/absent.conf"
	elif grep -qF "$tmp/absent.conf:$1: $2" "$tmp/out"; then
		pass
	else
		fail "no '$tmp/absent.conf:$1: $2' in:"
		cat "$tmp/out"
	fi
}
absent sinks >"$tmp/sinks"
while read -r name why; do
	printf '[agent]\nhost = edge-test\n\n[sink:x]\ntype = %s\n' "$name" \
	    >"$tmp/absent.conf"
	check_absent 4 "[sink:x] sink type '$name' is not built in (built with $why)"
done <"$tmp/sinks"
absent collectors >"$tmp/collectors"
while read -r name why; do
	printf '[agent]\nhost = edge-test\n\n[%s]\n' "$name" >"$tmp/absent.conf"
	check_absent 4 \
	    "[$name] the $name collector is not built in (built with $why)"
done <"$tmp/collectors"
names() { awk '{ printf " %s", $1 }' "$1"; }
echo "left out: sinks:$(names "$tmp/sinks")," \
    "collectors:$(names "$tmp/collectors")"

# No library of a switch that is off is linked.
libs_of() {
	case $1 in
	WITH_DISKS) echo libatasmart libudev ;;
	WITH_NETLINK) echo libmnl ;;
	WITH_SENSORS) echo libsensors ;;
	WITH_SNMP) echo libnetsnmp ;;
	WITH_CURL) echo libcurl libcrypto libssl ;;
	WITH_MHD) echo libmicrohttpd ;;
	esac
}
readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/needed"
for s in $switches; do
	[ "${s#*=}" = 0 ] || continue
	for lib in $(libs_of "${s%=*}"); do
		if grep -q "^$lib\.so" "$tmp/needed"; then
			fail "${s}, yet $bin needs $(grep "^$lib\.so" "$tmp/needed")"
		else
			pass
		fi
	done
done
echo "needs: $(tr '\n' ' ' <"$tmp/needed")"

if "$strip" -o "$tmp/forewarnd" "$bin"; then
	pass
	echo "size: $bin $(wc -c <"$tmp/forewarnd") bytes stripped," \
	    "$(wc -c <"$bin") as built"
else
	fail "$strip $bin"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
