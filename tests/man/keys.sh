#!/bin/sh
# Every key in the code's key tables is documented in forewarn.conf(5) and
# listed in the default configuration, each in the section it belongs to,
# and neither names a key the code lacks.
#   tests/man/keys.sh [SRCDIR]
# A table's keys are the first string of each entry between
# "struct fw_conf_key NAME[] = {" and "};".  A collector's table belongs to
# "## [NAME]" (NAME from its struct fw_collector), a sink type's to
# "## type = NAME" (the file's name), conf.c's tables to the headings below.
# An entry that is a macro is read from its #define.  In the page a key is
# a term line "*KEY* = ...".  The same holds for the default configuration,
# packaging/forewarn.conf, where a key is a line "# KEY =" (or "KEY =") in
# its section's block; a sink's block is found by its "type =" line, and
# the keys every collector or sink takes are listed once in its header.
src=${1:-.}
page=$src/docs/man/forewarn.conf.5.scd
dconf=$src/packaging/forewarn.conf
passed=0
failed=0

fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

# strings: the first string of each "{ "..." entry on standard input.
strings() {
	awk '{
		s = $0
		while (match(s, /\{[ \t]*"[^"]*"/)) {
			k = substr(s, RSTART, RLENGTH)
			sub(/^\{[ \t]*"/, "", k)
			sub(/"$/, "", k)
			print k
			s = substr(s, RSTART + RLENGTH)
		}
	}'
}

# keys FILE TABLE: the key names of one table, one a line.  An entry line
# that is a bare macro (FW_HTTP_AUTH_KEYS,) is replaced by its #define,
# looked up in the file and the headers.
keys() {
	awk -v t="$2" '
	    $0 ~ "fw_conf_key[ \t]+" t "\\[\\][ \t]*=[ \t]*\\{" { on = 1 }
	    on { print }
	    on && /\};[ \t]*$/ { on = 0 }' "$1" |
	while IFS= read -r line; do
		m=$(printf "%s\n" "$line" | sed -n 's/^[ \t]*\([A-Z][A-Z0-9_]*\)[ \t]*,\{0,1\}[ \t]*$/\1/p')
		if [ -z "$m" ]; then
			printf "%s\n" "$line" | strings
			continue
		fi
		def=$(awk -v m="$m" '
		    $0 ~ "^#[ \t]*define[ \t]+" m "([ \t]|$)" { on = 1 }
		    on { print; if ($0 !~ /\\$/) on = 0 }' \
		    "$1" "$src"/include/forewarn/*.h "$src"/agent/*.h 2>/dev/null)
		if [ -z "$def" ]; then
			echo "MACRO-NOT-FOUND:$m"
			continue
		fi
		printf "%s\n" "$def" | strings
	done
}

# tables FILE: the names of the key tables a file defines.
tables() {
	sed -n 's/.*struct fw_conf_key[ \t]\{1,\}\([A-Za-z0-9_]\{1,\}\)\[\][ \t]*=.*/\1/p' "$1"
}

# documented HEADING: the keys the page lists under that exact "## " heading.
documented() {
	awk -v h="## $1" '
	    /^#/ { on = ($0 == h) }
	    on && /^\*[A-Za-z0-9_]+\* =/ {
		k = $0
		sub(/^\*/, "", k)
		sub(/\*.*/, "", k)
		print k
	    }' "$page"
}

# conf_keys SELECTOR: the keys the default configuration lists for
# agent, check (every [check:...] block), coll:NAME or sink:TYPE.
conf_keys() {
	awk -v sel="$1" '
	    /^#? ?\[[^]]+\][ \t]*$/ {
		cur = $0
		sub(/^#? ?\[/, "", cur)
		sub(/\].*/, "", cur)
		next
	    }
	    /^#? ?[a-z0-9_]+ =/ {
		k = $0
		sub(/^#? ?/, "", k)
		sub(/ =.*/, "", k)
		v = $0
		sub(/^[^=]*= */, "", v)
		sub(/[ \t].*/, "", v)
		if (k == "type" && cur ~ /^sink:/)
			typ[cur] = v
		n++
		bk[n] = cur
		kk[n] = k
	    }
	    END {
		for (i = 1; i <= n; i++) {
			c = bk[i]
			k = kk[i]
			if (sel == "agent" && c == "agent")
				print k
			else if (sel == "check" && c ~ /^check:/)
				print k
			else if (sel == "coll:" c && k != "enabled" &&
			    k != "interval")
				print k
			else if (c ~ /^sink:/ && sel == "sink:" typ[c] &&
			    k != "type" && k != "enabled")
				print k
		}
	    }' "$dconf"
}

# compare WHERE CODE DOC DOCNAME: CODE's keys against DOC's; 1 if they differ.
compare() {
	bad=0
	for k in $2; do
		case $k in
		MACRO-NOT-FOUND:*)
			fail "$1: no #define of ${k#*:} to read keys from"
			bad=1
			continue ;;
		esac
		echo "$3" | grep -qxF "$k" && continue
		fail "$1: key '$k' is not in $4"
		bad=1
	done
	for k in $3; do
		echo "$2" | grep -qxF "$k" && continue
		fail "$4 lists '$k' for $1, which has no such key"
		bad=1
	done
	return $bad
}

# check HEADING SELECTOR FILE TABLE...: the tables' keys against the
# page's heading and the default configuration's block (SELECTOR; - for
# the common keys, which its header lists).
check() {
	h=$1 sel=$2 f=$3
	shift 3
	if ! grep -qxF "## $h" "$page"; then
		fail "$f: no section '## $h' in forewarn.conf.5.scd"
		return
	fi
	code=$(for t in "$@"; do keys "$f" "$t"; done | sort -u)
	if compare "$f ($h)" "$code" "$(documented "$h" | sort -u)" \
	    forewarn.conf.5.scd; then
		passed=$((passed + 1))
	fi
	[ "$sel" = - ] && return
	if compare "$f ($h)" "$code" "$(conf_keys "$sel" | sort -u)" \
	    packaging/forewarn.conf; then
		passed=$((passed + 1))
	fi
}

for f in "$page" "$dconf"; do
	[ -f "$f" ] && continue
	fail "no $f"
	echo "$passed passed, $failed failed"
	exit 1
done

conf=$src/agent/conf.c
check "[agent]" agent "$conf" agent_keys
check "Keys of every collector section" - "$conf" collector_common_keys
check "[sink:NAME]" - "$conf" sink_common_keys
check "[check:CODE] and [check:CODE:ENTITY]" check "$conf" check_keys
n=$(tables "$conf" | grep -cvxE 'agent_keys|collector_common_keys|sink_common_keys|check_keys')
[ "$n" -eq 0 ] || fail "$conf: a key table this test does not know (add it here)"

for f in "$src"/collectors/*.c; do
	grep -q 'struct fw_collector [A-Za-z0-9_]* = {' "$f" || continue
	name=$(sed -n '/struct fw_collector [A-Za-z0-9_]* = {/,/};/s/.*\.name[ \t]*=[ \t]*"\([^"]*\)".*/\1/p' "$f" | head -n 1)
	[ -n "$name" ] || { fail "$f: no collector name"; continue; }
	# A collector with instances is documented as [NAME:NAME] (snmp).
	inst=$(sed -n '/struct fw_collector [A-Za-z0-9_]* = {/,/};/s/.*\.instances[ \t]*=[ \t]*true.*/y/p' "$f" | head -n 1)
	[ "$inst" = y ] && name="$name:NAME"
	check "[$name]" "coll:$name" "$f" $(tables "$f")
done

for f in "$src"/agent/sinks/*.c; do
	grep -q 'struct fw_sink_type [A-Za-z0-9_]* = {' "$f" || continue
	t=$(basename "$f" .c)
	check "type = $t" "sink:$t" "$f" $(tables "$f")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
