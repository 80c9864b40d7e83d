#!/usr/bin/env bash
# Description: zcbench doctor: findings as text, CSV and JSON, the
# host-placement finding from the hand-off watch, usage errors
# Labels: cli
. "$(dirname "$0")/lib.sh"
z=$ZCBENCH

expect_exit 0 $z doctor --seconds 1
for name in virtualization governor smt isolation thp perf_event_paranoid \
	counters numa load cpus; do
	expect_grep "^[a-z]* *$name " "$tmp/out"
done
expect_grep "findings are advice" "$tmp/out"
[ -s "$tmp/err" ] && fail "doctor wrote on stderr: $(cat "$tmp/err")"
if [ "$(nproc)" -ge 2 ]; then
	# The hand-off between the closest pair: steady or the regimes.
	expect_grep '^\(ok\|warn\) *host placement .*hand-off between CPUs' \
		"$tmp/out"
	expect_grep '^\(ok\|warn\) *host contention .*pace loop' "$tmp/out"
fi
# --seconds 0 skips the watch.
expect_exit 0 $z doctor --seconds 0
grep -q 'host placement' "$tmp/out" && fail "--seconds 0 still watched"

expect_exit 0 $z doctor --format json --seconds 0
cp "$tmp/out" "$tmp/json"
python3 - "$tmp/json" <<'PY' || fail "doctor JSON"
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
PY

expect_exit 0 $z doctor --format csv --seconds 0
expect_grep "^name,level,finding,advice$" "$tmp/out"
python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["level"] in ("ok", "info", "warn", "bad") for r in rows)
' "$tmp/out" || fail "doctor CSV rows"

expect_exit 0 $z doctor --events task-clock,cycles --format json --seconds 0
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["system"]["counters"]
assert sorted(c) == ["cycles", "task-clock"], c
' "$tmp/out" || fail "--events is not honoured"

expect_exit 0 $z doctor -h
expect_grep "usage: zcbench doctor" "$tmp/out"
expect_usage $z doctor --no-such-option
expect_usage $z doctor --format yaml
expect_usage $z doctor --events ""
expect_usage $z doctor --seconds 61
expect_usage $z doctor --seconds 0x1
finish
