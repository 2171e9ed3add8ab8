#!/bin/sh
# Run every libFuzzer target in DIR for SECONDS on a copy of its seed corpus.
#   fuzz/run.sh build-fuzz/fuzz 30
# Prints one line per target and "N passed, N failed"; non-zero if one crashed.
dir=$1
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	work=$(mktemp -d)
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
		echo "ok   $name: $(grep -o 'Done [0-9]* runs' "$work.log" | tail -n 1)"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		tail -n 40 "$work.log"
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
		failed=$((failed + 1))
	fi
	rm -rf "$work" "$work.log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
