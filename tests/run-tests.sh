#!/bin/sh
# Run every test program and print one closing line: "N passed, N failed".
#   tests/run-tests.sh BUILD [unit]
# FW_VALGRIND=1 runs the unit tests under valgrind (errors and leaks fail).
build=${1:-build}
only=$2
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka prints "[       OK ] name" per pass and "[  FAILED  ] N test(s)" at the end.
run_unit() {
	bin=$1
	if [ "${FW_VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		    "$bin" >"$log" 2>&1
	else
		"$bin" >"$log" 2>&1
	fi
	rc=$?
	ok=$(grep -c '^\[       OK \]' "$log")
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" | tail -n 1)
	bad=${bad:-0}
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1	# crashed, or valgrind found errors
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -ne 0 ]; then
		echo "FAIL $(basename "$bin") (exit $rc)"
		cat "$log"
	else
		echo "ok   $(basename "$bin"): $ok passed"
	fi
}

# Shell suites print their own "N passed, N failed" as their last line.
run_suite() {
	sh "$@" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $1"
		cat "$log"
	else
		echo "ok   $1: $p passed"
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_unit "$t"
done
if [ "$only" != unit ]; then
	run_suite tests/cli/run.sh "$build/forewarnd"
	run_suite tests/scenario/run.sh "$build/forewarnd"
	run_suite tests/hwraid/run.sh "$build/forewarnd"
	run_suite tests/net/run.sh "$build/forewarnd"
	run_suite tests/router/run.sh "$build/forewarnd"
	run_suite tests/snmp/run.sh "$build/forewarnd"
	run_suite tests/sinks/run.sh "$build/forewarnd"
	run_suite tests/man/keys.sh
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
