#!/bin/sh
# Command-line behaviour of the real binary: modes, formats, exit codes, config errors.
#   tests/cli/run.sh path/to/forewarnd
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures/host
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_rc WANT DESCRIPTION -- command...
expect_rc() {
	want=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass; else
		fail "$what: exit $rc, wanted $want"; cat "$tmp/out" "$tmp/err"; fi
}

expect_grep() {
	what=$1; pattern=$2; file=$3
	if grep -qE -- "$pattern" "$file"; then pass; else
		fail "$what: no /$pattern/ in $(basename "$file")"; cat "$file"; fi
}

# A fixture root whose meminfo says avail% and loadavg says load15.
make_root() {
	root=$tmp/root-$1
	rm -rf "$root"
	cp -r "$fixtures/ok" "$root"
	sed -i "s/^MemAvailable:.*/MemAvailable:    $2 kB/" "$root/proc/meminfo"
	echo "0.10 0.20 $3 1/100 4242" >"$root/proc/loadavg"
	echo "$root"
}

conf=$tmp/forewarn.conf
printf '[agent]\nhost = cli-test\nstate_dir = %s/state\n' "$tmp" >"$conf"

ok=$(make_root ok 4073720 0.70)
expect_rc 0 "--once on a healthy root" -- "$bin" -c "$conf" --root "$ok" --once
expect_grep "text report header" '^forewarn .* on cli-test at .*: OK' "$tmp/out"
expect_grep "text report names the host entity" 'OK +host fixture-host \[0f1e2d3c4b5a69788796a5b4c3d2e1f0\]' "$tmp/out"
expect_grep "text report labels" 'kernel=6.1.0-40-amd64' "$tmp/out"
expect_grep "text report check line" 'OK +host.memory +host fixture-host: 50.0% of memory available' "$tmp/out"
[ -e "$tmp/state/state.db" ] && fail "--once created a state file" || pass

expect_rc 0 "--once --format json" -- "$bin" -c "$conf" --root "$ok" --once --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]==1 and d["state"]=="ok"; e=[x for x in d["entities"] if x["kind"]=="host"][0]; assert e["id"]=="0f1e2d3c4b5a69788796a5b4c3d2e1f0"; r={x["metric"]:x["value"] for x in e["readings"]}; assert r["memory_total_bytes"]==8147440*1024, r; c={x["check"]:x for x in e["checks"]}; assert c["host.memory"]["value"]==50.0 or abs(c["host.memory"]["value"]-50.0)<0.1' "$tmp/out"; then pass; else fail "json report content"; cat "$tmp/out"; fi

warn=$(make_root warn 600000 0.70)
expect_rc 1 "--once with memory at 7% is a warning" -- "$bin" -c "$conf" --root "$warn" --once --format nagios
expect_grep "nagios status line" '^FOREWARN WARNING - host fixture-host: 7\.4% of memory available' "$tmp/out"
expect_grep "nagios perfdata with a lower bound" "'host.memory:fixture-host'=7\.[0-9]+%;10:;5:" "$tmp/out"

crit=$(make_root crit 100000 0.70)
expect_rc 2 "--once with memory at 1% is critical" -- "$bin" -c "$conf" --root "$crit" --once
expect_grep "critical line" 'CRITICAL +host.memory' "$tmp/out"

load=$(make_root load 4073720 9.00)
expect_rc 1 "load 9 on 4 CPUs is a warning" -- "$bin" -c "$conf" --root "$load" --once
expect_grep "load line" 'WARNING +host.load +host fixture-host: load 9.00 over 15 min on 4 CPUs' "$tmp/out"

# A per-check override moves the threshold.
printf '[agent]\nhost = cli-test\n[check:host.load]\nwarning = 1\ncritical = 2\n' >"$tmp/override.conf"
expect_rc 2 "override: per-CPU load 2.25 vs critical 2" -- "$bin" -c "$tmp/override.conf" --root "$load" --once
printf '[agent]\nhost = cli-test\n[check:host.load:fixture-*]\nwarning = 3\ncritical = 5\n' >"$tmp/entity.conf"
expect_rc 0 "per-entity override by name glob" -- "$bin" -c "$tmp/entity.conf" --root "$load" --once

broken=$(make_root broken 4073720 0.70)
rm "$broken/proc/meminfo"
expect_rc 3 "an unreadable /proc/meminfo is unknown" -- "$bin" -c "$conf" --root "$broken" --once
expect_grep "unknown names the file" 'UNKNOWN +host.unreadable +host fixture-host: cannot read /proc/meminfo' "$tmp/out"
echo "garbage" >"$broken/proc/meminfo"
expect_rc 3 "a malformed /proc/meminfo is unknown" -- "$bin" -c "$conf" --root "$broken" --once
expect_grep "malformed named" '/proc/meminfo is malformed' "$tmp/out"

# Configuration errors name file:line.
printf '[agent]\nhost = x\n\n[host]\nintervall = 5s\n' >"$tmp/typo.conf"
expect_rc 1 "--check-config rejects a typo" -- "$bin" --check-config -c "$tmp/typo.conf"
expect_grep "typo is file:line" 'typo.conf:5: .*intervall' "$tmp/err"
expect_rc 3 "--once with a bad config is unknown" -- "$bin" --once -c "$tmp/typo.conf" --root "$ok"
expect_rc 0 "--check-config accepts a good file" -- "$bin" --check-config -c "$conf"
expect_grep "normalised output has the host" '^host = cli-test' "$tmp/out"
expect_rc 0 "--check-config of an empty file" -- "$bin" --check-config -c /dev/null
[ -e /etc/forewarn/forewarn.conf ] || expect_rc 0 "--check-config of the embedded default" -- "$bin" --check-config

expect_rc 0 "--version" -- "$bin" --version
expect_grep "version text" '^forewarnd [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out"
expect_rc 0 "--help" -- "$bin" --help
expect_grep "help names --once" '^  --once ' "$tmp/out"
expect_rc 3 "unknown option" -- "$bin" --no-such-option
expect_rc 3 "bad --format" -- "$bin" --once --format xml
expect_rc 3 "--format without --once" -- "$bin" --format json

# Two daemons never share one state directory.
mkdir -p "$tmp/shared-state"
"$bin" -c "$conf" --root "$ok" --state-dir "$tmp/shared-state" >/dev/null 2>&1 &
first=$!
sleep 0.5
expect_rc 1 "a second daemon on the same state directory" -- "$bin" -c "$conf" --root "$ok" --state-dir "$tmp/shared-state"
expect_grep "the refusal says why" 'another forewarnd is running with the state directory' "$tmp/err"
kill -TERM $first; wait $first

# systemd's notify protocol (READY, WATCHDOG, RELOADING, STOPPING).
python3 "$here/notify.py" "$bin" "$ok" >"$tmp/notify.out" 2>&1
notify_line=$(tail -n 1 "$tmp/notify.out")
np=$(echo "$notify_line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
nf=$(echo "$notify_line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
passed=$((passed + ${np:-0}))
failed=$((failed + ${nf:-1}))
[ "${nf:-1}" -eq 0 ] || { echo "FAIL: notify protocol"; cat "$tmp/notify.out"; }

# Privilege separation: the drop to a temporary user, or none without one.
python3 "$here/privsep.py" "$bin" "$fixtures/ok" >"$tmp/privsep.out" 2>&1
ps_line=$(tail -n 1 "$tmp/privsep.out")
pp=$(echo "$ps_line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
pf=$(echo "$ps_line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
passed=$((passed + ${pp:-0}))
failed=$((failed + ${pf:-1}))
[ "${pf:-1}" -eq 0 ] || { echo "FAIL: privilege separation"; cat "$tmp/privsep.out"; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
