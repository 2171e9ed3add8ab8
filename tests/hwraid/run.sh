#!/bin/sh
# Each controller tool's captured outputs through the real exec path: the
# daemon's --once with a stand-in tool (tests/lib/fake-*) answering from
# tests/fixtures/hwraid/TOOL/SET, and the states it judged compared with
# tests/hwraid/expected/TOOL-SET: one "entity check state" per line, every
# check of every entity the collector reported (sorted).
#   tests/hwraid/run.sh path/to/forewarnd
# FW_HWRAID_UPDATE=1 rewrites the expected files.
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures/hwraid
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
mkdir "$tmp/bin"
for tool in storcli ssacli arcconf; do
	cp "$here/../lib/fake-$tool" "$tmp/bin/$tool"
done

for dir in "$fixtures"/storcli/* "$fixtures"/ssacli/* "$fixtures"/arcconf/*; do
	tool=$(basename "$(dirname "$dir")")
	set=$(basename "$dir")
	[ "$set" = parts ] && continue
	echo "$dir" >"$tmp/bin/fixture"
	{
		printf '[agent]\nhost = hwraid-test\n[disks]\nenabled = no\n'
		printf '[mdraid]\nenabled = no\n[hwraid]\n'
		for t in storcli ssacli arcconf; do
			if [ "$t" = "$tool" ]; then
				echo "$t = $tmp/bin/$t"
			else
				echo "$t = off"
			fi
		done
	} >"$tmp/fw.conf"
	"$bin" -c "$tmp/fw.conf" --root "$here/../fixtures/host/ok" --once \
	    --format json >"$tmp/out.json" 2>"$tmp/err"
	python3 - "$tmp/out.json" >"$tmp/got" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = []
for e in doc["entities"]:
    for c in e["checks"]:
        if c["check"].startswith("raid.") or \
                e["labels"].get("collector") == "hwraid":
            rows.append("%s %s %s" % (e["name"], c["check"], c["state"]))
print("\n".join(sorted(rows)))
PY
	want=$here/expected/$tool-$set
	if [ "${FW_HWRAID_UPDATE:-0}" = 1 ]; then
		cp "$tmp/got" "$want"
		passed=$((passed + 1))
		echo "updated $tool-$set"
	elif diff -u "$want" "$tmp/got"; then
		passed=$((passed + 1))
		echo "ok   $tool-$set"
	else
		failed=$((failed + 1))
		echo "FAIL $tool-$set"
		cat "$tmp/err"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
