#!/usr/bin/env bash
# Description: ring: -h, usage errors exit 2 with the valid range and leave
# nothing, dry runs on synthetic topologies, a quick run writes verified
# CSV/JSON/PNG with perf counters per side (producer, consumer), a corrupted
# message and a dead consumer fail the run (exit 1, no hang, no number),
# SIGINT leaves no process, shared memory or temp file.
# Labels: cli
. "$(dirname "$0")/lib.sh"
rg="$ZCBENCH ring"

expect_exit 0 $rg -h
expect_grep '[-]-transport' "$tmp/out"
expect_grep '[-]-isolation' "$tmp/out"

expect_usage $rg --size 0
expect_grep '8..4096' "$tmp/err"
expect_usage $rg --size 16
expect_grep '8 (the raw sequence) or 32..4096' "$tmp/err"
expect_usage $rg --size 4104
expect_usage $rg --size 36
expect_grep 'multiple' "$tmp/err"
expect_usage $rg --capacity 100
expect_grep 'power of two' "$tmp/err"
expect_usage $rg --capacity 4194304
expect_usage $rg --capacity 1048576 --size 4096
expect_grep 'MiB' "$tmp/err"
expect_usage $rg --batch 128 --capacity 64
expect_grep 'larger than --capacity' "$tmp/err"
expect_usage $rg --capacity 64
expect_usage $rg --batch 0
expect_usage $rg --transport carrier-pigeon
expect_grep 'thread' "$tmp/err"
expect_usage $rg --isolation 96
expect_usage $rg --isolation 256
expect_usage $rg --mode fast
expect_usage $rg --rate 0
expect_usage $rg --place cpus
expect_usage $rg --messages -1
expect_usage $rg --topology 'synthetic:pack:2 core:2 pu:1'

expect_exit 0 $rg --dry-run --place all --topology 'synthetic:pack:2 numa:2 l3:4 core:8 pu:2'
for p in smt l3 cross-l3 cross-numa cross-package; do
	expect_grep "place:$p/mode:tput .*cpus" "$tmp/out"
done
expect_grep 'place:l2/.*skipped' "$tmp/out"
expect_grep 'transport:unix/size:32/batch:1/capacity:-/isolation:-' "$tmp/out"
[ ! -e results ] || fail "a dry run created results/"

need_cpus 2
# --cpus alone places the pair on those CPUs, in their order; one CPU is a
# usage error (a ring needs a producer and a consumer CPU)
expect_usage $rg --cpus 0
expect_exit 0 $rg --dry-run --transport thread --cpus 1,0
expect_grep 'place:cpus/mode:tput .*cpus 1,0' "$tmp/out"
shm_before=$(ls /dev/shm | sort)

expect_exit 0 $rg --quick --events task-clock,context-switches,cycles --out run1
d=run1
for f in ring.csv ring.samples.csv ring.json ring.gp ring.png ring-latency.png \
	meta.json; do
	[ -s "$d/$f" ] || fail "$d/$f missing or empty"
done
json_ok "$d/ring.json"
png_ok "$d/ring.png"
png_ok "$d/ring-latency.png"
no_temps "$d"
python3 - "$d" <<'PY' || fail "results content"
import csv, json, sys
d = sys.argv[1]
j = json.load(open(d + "/ring.json"))
b = [x for x in j["benchmarks"] if x["run_type"] == "iteration"]
names = {x["name"] for x in b}
for t in ("thread", "process", "mutex", "pipe", "unix", "ck", "boost"):
    assert any("transport:%s/" % t in n for n in names), t
tput = [x for x in b if "mode:tput" in x["name"]]
assert tput and all(x["items_per_second"] > 0 and x["bytes_per_second"] > 0
                    for x in tput), tput[:2]
rows = list(csv.DictReader(open(d + "/ring.csv")))
for r in rows:
    assert r["status"] in ("ok", "skipped"), r
    if r["status"] == "skipped":
        assert r["transport"] in ("ck", "boost") and r["reason"], r
        continue
    if r["mode"] == "tput":
        assert float(r["mmsgs_per_s_median"]) > 0, r
    if r["mode"] == "rtt":
        assert float(r["rtt_ns_median"]) > 0, r
    if r["mode"] == "lat":
        assert float(r["lat_p99_ns_median"]) >= float(r["lat_p50_ns_median"]) > 0, r
        assert r["mmsgs_per_s_median"] == "", r
m = json.load(open(d + "/meta.json"))
assert m["status"] == "complete", m["status"]
# --events: counted per side (the forked consumer in its own process),
# per message; an event this machine cannot count is absent with a reason.
ev = ("task_clock", "context_switches", "cycles")
cols = ["%s_%s_per_msg" % (s, e) for s in ("prod", "cons") for e in ev]
for c in cols:
    assert c + "_median" in rows[0], c
decl = {x["name"]: x for x in j["zcbench"]["metrics"]}
for c in cols:
    side = "producer" if c.startswith("prod") else "consumer"
    assert side in decl[c]["description"], decl[c]
cases = {x["name"]: x for x in j["zcbench"]["cases"]}
for x in b:
    zc = cases[x["name"]]
    for c in cols:
        assert c in x, (x["name"], c)
        if x[c] is None:
            assert zc["absent"].get(c), (x["name"], c, "absent without a reason")
        else:
            assert x[c] >= 0, (x["name"], c, x[c])
    for s in ("prod", "cons"):
        t = x[s + "_task_clock_per_msg"]
        assert t is None or t > 0, (x["name"], s, t)
proc = [x for x in b if "transport:process/" in x["name"]]
assert proc and all(x["cons_task_clock_per_msg"] or
                    cases[x["name"]]["absent"].get("cons_task_clock_per_msg")
                    for x in proc), "the forked consumer did not count"
PY
expect_grep 'round trip thread' "$tmp/out"
expect_grep '8 B ring, batch >= 64 (best)' "$tmp/out"

# The issue's run: raw 8-byte and 32-byte messages, batches 1..256, the
# ring between threads and processes against ck, boost and the mutex
# queue, in one run; the headline sets the ring against the best peer.
expect_exit 0 $rg --size 8,32 --batch 1,64,256 --mode tput --seconds 0.01 \
	--repeat 1 --transport thread,process,ck,boost,mutex --out run5
expect_grep 'the best peer' "$tmp/out"
python3 - run5 <<'PY' || fail "the 8/32-byte run"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/ring.csv")))
seen = {(r["transport"], r["size"], r["batch"]) for r in rows
        if r["status"] == "ok" or r["reason"]}
for t in ("thread", "process", "ck", "boost", "mutex"):
    for s in ("8", "32"):
        for b in ("1", "64", "256"):
            assert (t, s, b) in seen, (t, s, b)
assert all(r["status"] in ("ok", "skipped") for r in rows), rows
PY

# A message damaged in the ring: the consumer catches it, no number.
ZC_RING_FAULT=corrupt expect_exit 1 $rg --transport process --mode tput \
	--size 64 --batch 8 --repeat 1 --huge --memory-node consumer --out run2
expect_grep 'message 100: checksum mismatch' "$tmp/out"
python3 - run2 <<'PY' || fail "a failed case printed a number"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/ring.csv")))
assert rows and all(r["status"] == "failed" for r in rows), rows
assert all(r["mmsgs_per_s_median"] == "" for r in rows), rows
PY

# A damaged 8-byte message is a wrong sequence where it was damaged.
ZC_RING_FAULT=corrupt expect_exit 1 $rg --transport thread,process \
	--mode tput --size 8 --batch 64 --repeat 1 --out run2b
expect_grep 'message 100: wrong sequence' "$tmp/out"

# The consumer process dies mid-run: the producer notices, no hang.
start=$(date +%s)
ZC_RING_FAULT=kill-consumer expect_exit 1 timeout 60 $rg --transport process \
	--mode tput,rtt,lat --size 32 --batch 1 --repeat 1 --out run3
expect_grep 'consumer process killed by signal 9' "$tmp/out"
[ $(($(date +%s) - start)) -lt 30 ] || fail "dead consumer took too long to notice"
pgrep -f "$tmp/run3|out run3" >/dev/null && fail "processes left after a dead consumer"

# SIGINT mid-run: 130, interrupted, nothing left behind.
$rg --transport process,pipe,mutex --seconds 0.5 --repeat 20 --out run4 \
	>/dev/null 2>"$tmp/err" &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, expected 130"
expect_grep 'interrupted' "$tmp/err"
python3 -c 'import json,sys; m=json.load(open("run4/meta.json")); assert m["status"]=="interrupted", m["status"]' ||
	fail "meta.json does not say interrupted"
no_temps run4
sleep 0.2
pgrep -f "out run4" >/dev/null && fail "processes left after SIGINT"
[ "$(ls /dev/shm | sort)" = "$shm_before" ] || fail "shared memory left in /dev/shm"
finish
