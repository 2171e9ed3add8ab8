#!/bin/sh
# Scenario tests: run the real daemon on a fixture root, change the fixtures
# step by step, and diff the events it emits against a golden file.
#   tests/scenario/run.sh path/to/forewarnd [NAME...]
# FW_SCENARIO_UPDATE=1 rewrites the golden files (make scenario-update).
bin=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

# ---- the vocabulary scenario scripts use ----

# start: launch the daemon and wait for its first poll of every collector.
start() {
	n=$(count_log "collector 'host' polled")
	"$bin" -c "$work/forewarn.conf" --root "$root" --state-dir "$work/state" \
	    -vv >>"$work/events.jsonl" 2>>"$work/daemon.log" &
	pid=$!
	wait_log "collector 'host' polled" "$n"
}

count_log() { grep -c -- "$1" "$work/daemon.log" 2>/dev/null || true; }

# wait_log PATTERN N: wait until PATTERN occurs more than N times.
wait_log() {
	i=0
	while [ "$(count_log "$1")" -le "$2" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "timed out waiting for '$1'"; tail -n 20 "$work/daemon.log"
			return 1
		fi
		sleep 0.05
	done
}

# scan: ask for a full scan (SIGUSR1) and wait for it to finish.
scan() {
	n=$(count_log "scan [0-9]* done")
	kill -USR1 "$pid"
	wait_log "scan [0-9]* done" "$n"
}

# reload FILE: install FILE as the config and send SIGHUP.
reload_done="forewarnd: configuration \\(rejected\\|reloaded\\)"
reload() {
	cp "$1" "$work/forewarn.conf"
	n=$(count_log "$reload_done")
	kill -HUP "$pid"
	wait_log "$reload_done" "$n"
}

kill9() { kill -9 "$pid"; wait "$pid" 2>/dev/null || true; }

stop() {
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "daemon exited $rc after SIGTERM"; return 1; }
}

alive() { kill -0 "$pid" 2>/dev/null || { echo "daemon died"; return 1; }; }

expect_log() { grep -q -- "$1" "$work/daemon.log" || { echo "no '$1' in the log"; return 1; }; }

# meminfo KB: set MemAvailable in the fixture root.
meminfo() { sed -i "s/^MemAvailable:.*/MemAvailable:    $1 kB/" "$root/proc/meminfo"; }

# The stable part of each event: no id, time or since; the work dir as $WORK.
normalise() {
	WORK=$work python3 -c '
import json, os, sys
for line in sys.stdin:
    e = json.loads(line.replace(os.environ["WORK"], "$WORK"))
    for k in ("id", "time", "since"):
        e.pop(k, None)
    print(json.dumps(e, sort_keys=False))
'
}

run_scenario() {
	dir=$1
	name=$(basename "$dir")
	work=$(mktemp -d)
	root=$work/root
	cp -r "$here/../fixtures/$(cat "$dir/fixture")" "$root"
	cp "$dir/forewarn.conf" "$work/forewarn.conf"
	: >"$work/events.jsonl"
	: >"$work/daemon.log"
	if ! ( set -e; cd "$dir"; . ./script.sh ) >"$work/script.out" 2>&1; then
		failed=$((failed + 1))
		echo "FAIL $name: the script failed"
		cat "$work/script.out"; tail -n 30 "$work/daemon.log"
		kill -9 "$pid" 2>/dev/null
		rm -rf "$work"
		return
	fi
	normalise <"$work/events.jsonl" >"$work/got.jsonl"
	if [ "${FW_SCENARIO_UPDATE:-0}" = 1 ]; then
		cp "$work/got.jsonl" "$dir/expected.jsonl"
		echo "updated $name"
		passed=$((passed + 1))
	elif diff -u "$dir/expected.jsonl" "$work/got.jsonl"; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name: events differ from expected.jsonl"
		tail -n 30 "$work/daemon.log"
	fi
	rm -rf "$work"
}

if [ $# -gt 0 ]; then
	for n in "$@"; do run_scenario "$here/$n"; done
else
	for d in "$here"/*/; do
		[ -f "$d/script.sh" ] && run_scenario "${d%/}"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
