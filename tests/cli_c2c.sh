#!/usr/bin/env bash
# Description: c2c: usage errors exit 2 and leave nothing, dry runs on a
# synthetic two-socket machine (every class) and an XML topology, 1,024 and
# 2,048 PUs planned in under a second, a one-CPU process exits 77, --quick
# writes CSV, matrix, JSON and PNGs in seconds, --watch, and SIGINT keeps
# the finished pairs.
# Labels: cli threads
. "$(dirname "$0")/lib.sh"
c2c="$ZCBENCH c2c"
two='synthetic:pack:2 numa:2 l3:4 core:8 pu:2'

expect_usage $c2c --method xor
expect_grep 'store, cas' "$tmp/err"
expect_usage $c2c --home nowhere
expect_grep 'expected ping, pong or node:N' "$tmp/err"
expect_usage $c2c --home node:99
expect_grep 'no NUMA node 99 (nodes: ' "$tmp/err"
expect_usage $c2c --dry-run --topology "$two" --home node:4
expect_grep 'nodes: 0,1,2,3' "$tmp/err"
expect_usage $c2c --pairs some
expect_usage $c2c --per-class 0
expect_usage $c2c --samples 2
expect_usage $c2c --watch -1
expect_usage $c2c --cpus 0
expect_grep 'two CPUs or more' "$tmp/err"
expect_usage $c2c --topology "$two"

# The plan of a two-socket machine: every class, the count, and a real
# run refused above the limit.
expect_exit 0 $c2c --dry-run --topology "$two"
expect_grep 'pairs: lower, 32640 of the 256 CPUs' "$tmp/out"
for c in 'smt  *128 pairs' 'l2  *none: no two cores share an L2' \
	'l3  *1792 pairs' 'cross-l3  *6144 pairs' 'cross-numa  *8192 pairs' \
	'cross-package  *16384 pairs' 'not run: a run measures at most 4096'; do
	expect_grep "$c" "$tmp/out"
done
expect_exit 0 $c2c --dry-run --topology "$two" --pairs class --method store,cas
expect_grep 'cross-numa  *4 of 8192 pairs' "$tmp/out"
expect_grep 'c2c/method:cas/home:ping/ping:0/pong:128/class:cross-package  *cpus 0,128, node 0' "$tmp/out"
expect_grep '^40 cases to run' "$tmp/out"
expect_exit 0 $c2c --dry-run --topology "$two" --pairs all --home node:2
expect_grep 'pairs: all, 65280 of' "$tmp/out"
expect_grep 'line on NUMA node 2' "$tmp/out"
expect_exit 0 $c2c --dry-run --topology "$two(indexes=core)" --cpus 0,128,1,200
expect_grep 'smt  *1 pair$' "$tmp/out"
expect_grep 'ping:128/pong:0/class:smt  *cpus 128,0' "$tmp/out"

# An XML topology, as lstopo exports another machine.
if command -v lstopo-no-graphics >/dev/null; then
	lstopo-no-graphics -i "pack:2 numa:1 l3:2 core:2 pu:2" --of xml "$tmp/m.xml" ||
		fail "lstopo cannot export a synthetic topology"
	expect_exit 0 $c2c --dry-run --topology "$tmp/m.xml"
	expect_grep 'pairs: lower, 120 of the 16 CPUs' "$tmp/out"
	expect_grep 'cross-package  *64 pairs' "$tmp/out"
	expect_grep 'cross-numa  *none: ' "$tmp/out"
	rm -f "$tmp/m.xml"
fi

# Hundreds of CPUs plan without blowing up (a bound against a plan that
# grows out of hand, not a speed check: well under a second in a release
# build, over one under TSan on a busy host), --pairs class runs in seconds.
for spec in 'pack:2 numa:2 l3:4 core:32 pu:2' 'pack:2 numa:2 l3:8 core:32 pu:2'; do
	t0=$(date +%s%N)
	expect_exit 0 $c2c --dry-run --topology "synthetic:$spec" --pairs all
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 10000 ] || fail "planning $spec took $ms ms"
	expect_grep 'not run' "$tmp/out"
	expect_exit 0 $c2c --dry-run --topology "synthetic:$spec" --pairs class
	expect_grep '^20 cases to run, 0 skipped; 5 repetitions + 1 warm-up each: about [0-9] s' "$tmp/out"
done
[ ! -e results ] || fail "a dry run created results/"

if command -v taskset >/dev/null; then
	expect_exit 77 taskset -c 0 $c2c --out one
	expect_grep 'needs two CPUs' "$tmp/err"
	[ ! -e one ] || fail "a run that cannot run here left a folder"
fi
need_cpus 2

t0=$(date +%s)
expect_exit 0 $c2c --quick --out q
[ $(($(date +%s) - t0)) -le 30 ] || fail "c2c --quick took more than 30 s"
expect_grep '^  class  *pairs  *median ns' "$tmp/out"
expect_grep '^harness: the timer costs' "$tmp/out"
for f in c2c.csv c2c.samples.csv c2c.json c2c.matrix.csv c2c.classes.json \
	c2c.time.csv meta.json topology.xml; do
	[ -s "q/$f" ] || fail "q/$f missing or empty"
done
json_ok q/c2c.json
json_ok q/c2c.classes.json
if command -v gnuplot >/dev/null; then
	for p in c2c c2c.heatmap c2c.time; do
		png_ok "q/$p.png"
		[ -s "q/$p.gp" ] || fail "no q/$p.gp"
	done
fi
no_temps q
python3 - q <<'PY' || fail "results content"
import csv, json, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(d + "/c2c.csv")) if r["regime"] == "all"]
assert rows and all(r["status"] == "ok" for r in rows), rows
for r in rows:
    assert float(r["oneway_min_ns_min"]) > 0
    assert float(r["oneway_min_ns_min"]) <= float(r["oneway_ns_median"]) <= float(r["oneway_p99_ns_max"])
    assert r["class"] and r["label"].startswith("line "), r
j = json.load(open(d + "/c2c.json"))
b = [x for x in j["benchmarks"] if x["run_type"] == "iteration"]
assert b and b[0]["name"].startswith("c2c/method:store/home:ping/ping:"), b[0]
assert b[0]["time_unit"] == "ns" and b[0]["real_time"] > 0
case = j["zcbench"]["cases"][0]
assert case["sentinel"]["before"] == case["samples"]["oneway_ns"], case["sentinel"]
assert j["zcbench"]["regimes"], "no regimes"
c = json.load(open(d + "/c2c.classes.json"))
assert c["classes"] and c["classes"][0]["ratio_to_nearest"] == 1.0
h = c["harness"]
assert h["timer_resolution_ns"] > 0 and h["sample_min_ns"] >= 10000 * h["timer_resolution_ns"] * 0.999
assert h["loop_ns_per_handoff"]["store"] > 0 and h["round_trips_min"] >= 1
m = list(csv.reader(open(d + "/c2c.matrix.csv")))
assert m[0][0] == "ping\\pong" and len(m) == len(m[0]), m
assert [x[0] for x in m[1:]] == m[0][1:]
assert sum(1 for r in m[1:] for v in r[1:] if v) == len(rows)
PY

# Both methods, the line on node 0: a matrix and a heatmap per method.
expect_exit 0 $c2c --quick --method store,cas --home node:0 --pairs all --out m --quiet
[ -s m/c2c.matrix.cas.csv ] || fail "no m/c2c.matrix.cas.csv"
command -v gnuplot >/dev/null && png_ok m/c2c.heatmap.cas.png
expect_grep 'home:node0' m/c2c.csv

# --watch: one pair over time, 100 points unless --repeat says.
expect_exit 0 $c2c --watch 1 --samples 8 --out w --quiet
[ "$(wc -l <w/c2c.time.csv)" -eq 101 ] || fail "--watch: $(wc -l <w/c2c.time.csv) lines in c2c.time.csv"
command -v gnuplot >/dev/null && png_ok w/c2c.time.png

# SIGINT: stops, keeps the finished pairs and writes every file, 130
# (--watch spreads the repetitions over a minute: the first ones are done
# within a second, however busy the machine).
expect_sigint i 3 $c2c --out i --watch 60 --samples 50 --method store,cas
for f in c2c.csv c2c.json c2c.matrix.csv c2c.classes.json; do
	[ -s "i/$f" ] || fail "i/$f missing after SIGINT"
done
grep -q ',ok,' i/c2c.csv || fail "no finished pair kept after SIGINT"
finish
