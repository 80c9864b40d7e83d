#!/usr/bin/env bash
# Description: zcbench doctor: findings as text, CSV and JSON; usage errors
# Labels: cli
set -u
z=${ZCBENCH:?set ZCBENCH to the zcbench binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what" >&2
		fail=1
	fi
}

"$z" doctor >"$tmp/out" 2>"$tmp/err"
rc=$?
check "doctor exits 0 ($(cat "$tmp/err"))" test $rc = 0
for name in virtualization governor smt isolation thp perf_event_paranoid \
	counters numa load cpus; do
	check "text names the $name finding" grep -q "^[a-z]* *$name " "$tmp/out"
done
check "text has a summary line" grep -q "findings are advice" "$tmp/out"
check "nothing on stderr" test ! -s "$tmp/err"

"$z" doctor --format json >"$tmp/json" 2>"$tmp/err"
rc=$?
check "json exits 0" test $rc = 0
check "json parses with findings and the fingerprint" python3 - "$tmp/json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
names = {x["name"] for x in f}
assert {"virtualization", "counters", "cpus"} <= names, names
for x in f:
    assert x["level"] in ("ok", "info", "warn", "bad"), x
    assert x["finding"], x
    assert x["level"] in ("ok", "info") or x["advice"], x
s = d["system"]
assert s["schema_version"] == 1 and s["command"] == "doctor", s
assert "cycles" in s["counters"], s["counters"]
for ev in s["counters"].values():
    assert ev["status"] == "ok" or (ev["status"] is None and ev["reason"]), ev
EOF

"$z" doctor --format csv >"$tmp/csv"
rc=$?
check "csv exits 0" test $rc = 0
check "csv header" grep -qx "name,level,finding,advice" "$tmp/csv"
check "csv rows parse" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["level"] in ("ok", "info", "warn", "bad") for r in rows)
' "$tmp/csv"

"$z" doctor --events task-clock,cycles --format json >"$tmp/ev.json"
check "--events is honoured" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["system"]["counters"]
assert sorted(c) == ["cycles", "task-clock"], c
' "$tmp/ev.json"

"$z" doctor -h >"$tmp/help"
rc=$?
check "-h exits 0" test $rc = 0
check "-h shows usage" grep -q "usage: zcbench doctor" "$tmp/help"

"$z" doctor --no-such-option >/dev/null 2>"$tmp/err"
rc=$?
check "unknown option exits 2" test $rc = 2
check "unknown option message" grep -q "^zcbench doctor: " "$tmp/err"
"$z" doctor --format yaml >/dev/null 2>&1
rc=$?
check "bad --format exits 2" test $rc = 2
"$z" doctor --events "" >/dev/null 2>&1
rc=$?
check "empty --events exits 2" test $rc = 2

exit $fail
