#!/bin/sh
# The sinks against the real services they talk to, on loopback, each test
# starting what it needs (tests/sinks/*.py but harness.py, what they share).
# Prints "N passed, N failed".
#   tests/sinks/run.sh path/to/forewarnd
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
for t in "$here"/*.py; do
	[ "${t##*/}" = harness.py ] && continue
	out=$(python3 "$t" "$bin" 2>&1)
	rc=$?
	echo "$out" | grep -v -E '^ok  |^[0-9]+ passed, '
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	[ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
