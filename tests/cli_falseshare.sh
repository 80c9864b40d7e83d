#!/usr/bin/env bash
# Description: falseshare: usage errors exit 2 and leave nothing, dry runs on
# synthetic topologies, a quick run writes verified CSV/JSON/PNG/meta, and
# SIGINT keeps what was measured.
# Labels: cli
. "$(dirname "$0")/lib.sh"
fs="$ZCBENCH falseshare"

expect_usage $fs --stride 0
expect_grep '8..4096' "$tmp/err"
expect_usage $fs --stride 12
expect_usage $fs --stride 8,abc
expect_usage $fs --threads 0
expect_usage $fs --threads 100000
expect_usage $fs --op xor
expect_usage $fs --place nowhere
expect_usage $fs --repeat 0
expect_usage $fs --repeat
expect_usage $fs --cpus 999999
expect_usage $fs --cpus 1-0
expect_usage $fs --topology 'synthetic:pack:x' --dry-run
expect_usage $fs --topology 'synthetic:pack:2 core:2 pu:1'
expect_usage $fs --out /proc/zcbench-cannot-write
touch afile
expect_usage $fs --out afile/sub
rm -f afile
expect_usage $fs --format yaml
expect_usage $fs --seconds -1
expect_usage $fs --place l3 --threads 4 --topology 'synthetic:pack:1 core:8 pu:1' --dry-run

# Planning against a big machine: every pair class is planned.
expect_exit 0 $fs --dry-run --topology 'synthetic:pack:2 numa:2 l3:4 core:8 pu:2'
for p in smt l3 cross-l3 cross-numa cross-package; do
	expect_grep "place:$p .*cpus" "$tmp/out"
done
expect_grep 'place:l2 .*skipped' "$tmp/out"
expect_exit 0 $fs --dry-run --threads 8 --topology 'synthetic:pack:2 numa:2 l3:4 core:8 pu:2(indexes=core)'
expect_grep 'place:compact .*cpus 0,128,1,129' "$tmp/out"
[ ! -e results ] || fail "a dry run created results/"

need_cpus 2
expect_exit 0 $fs --quick --out run1 --op atomic --stride 8,128,local
d=run1
for f in falseshare.csv falseshare.samples.csv falseshare.json falseshare.gp \
	falseshare.png meta.json topology.xml; do
	[ -s "$d/$f" ] || fail "$d/$f missing or empty"
done
json_ok "$d/falseshare.json"
json_ok "$d/meta.json"
png_ok "$d/falseshare.png"
no_temps "$d"
python3 - "$d" <<'PY' || fail "results content"
import csv, json, sys
d = sys.argv[1]
j = json.load(open(d + "/falseshare.json"))
b = j["benchmarks"]
assert b and all(k in b[0] for k in ("name", "real_time", "cpu_time", "time_unit", "iterations", "run_type"))
assert isinstance(j["context"]["caches"], list)
names = {x["name"] for x in b if x["run_type"] == "iteration"}
assert any("stride:8/" in n for n in names), names
rows = list(csv.DictReader(open(d + "/falseshare.csv")))
ok = [r for r in rows if r["status"] == "ok"]
assert ok, rows
for r in ok:
    assert float(r["ns_per_op_median"]) > 0
    assert r["cpus"], r
m = json.load(open(d + "/meta.json"))
assert m["status"] == "complete", m["status"]
PY
# Re-render the plot from the folder alone, as a user would.
if command -v gnuplot >/dev/null; then
	rm -f "$d/falseshare.png"
	(cd "$d" && gnuplot falseshare.gp) || fail "gnuplot falseshare.gp failed"
	png_ok "$d/falseshare.png"
fi

# One thread on one CPU: the sentinel is absent with its reason, never 0.
expect_exit 0 $fs --quick --out run3 --threads 1 --cpus 0 --op store --stride 8
python3 - run3 <<'PY' || fail "one CPU: sentinel not absent with a reason"
import csv, json, sys
d = sys.argv[1]
m = json.load(open(d + "/meta.json"))["sentinel"]
assert m["measurements"] == 0 and "one CPU" not in m.get("state", ""), m
assert "no hand-off" in m["why"], m
c = json.load(open(d + "/falseshare.json"))["zcbench"]["cases"][0]
assert c["sentinel"]["before"] is None and "one CPU" in c["sentinel"]["why"], c
for r in csv.DictReader(open(d + "/falseshare.samples.csv")):
    assert r["sentinel_before_ns"] == "" and r["handoff_ns"] == "", r
PY

# SIGINT: stops, keeps what was measured, marks the run interrupted, 130.
$fs --out run2 --seconds 0.5 --repeat 20 >/dev/null 2>"$tmp/err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, expected 130"
python3 -c 'import json,sys; m=json.load(open("run2/meta.json")); assert m["status"]=="interrupted", m["status"]' ||
	fail "meta.json does not say interrupted"
no_temps run2
finish
