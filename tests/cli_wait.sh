#!/usr/bin/env bash
# Description: wait: -h, usage errors exit 2 with the valid range, dry run, a short --quick run writes csv/json/png.
# Labels: cli threads
. "$ZC_SRCDIR/tests/lib.sh"

expect_exit 0 "$ZCBENCH" wait -h
expect_grep 'spin, pause, yield, sleep, futex, hybrid, condvar, eventfd, phased' "$tmp/out"
expect_grep 'spin-us' "$tmp/out"
expect_grep 'oversubscribe N' "$tmp/out"

# Bad input: exit 2, the valid values in the message, nothing written.
expect_usage "$ZCBENCH" wait --strategy nope --out "$tmp/r"
expect_grep 'spin, pause, yield' "$tmp/err"
expect_usage "$ZCBENCH" wait --rate 0 --out "$tmp/r"
expect_grep '1..10000000' "$tmp/err"
expect_usage "$ZCBENCH" wait --rate 20000000 --out "$tmp/r"
expect_usage "$ZCBENCH" wait --rate fast --out "$tmp/r"
expect_usage "$ZCBENCH" wait --spin-us -5 --out "$tmp/r"
expect_grep '0..1000000' "$tmp/err"
expect_usage "$ZCBENCH" wait --spin-us 5000000 --out "$tmp/r"
expect_usage "$ZCBENCH" wait --oversubscribe 1000 --out "$tmp/r"
expect_grep '0..64' "$tmp/err"
expect_usage "$ZCBENCH" wait --seconds 0.001 --out "$tmp/r"
expect_grep '0.01..60' "$tmp/err"
expect_usage "$ZCBENCH" wait --min-events 0 --out "$tmp/r"
expect_usage "$ZCBENCH" wait --place cpus --out "$tmp/r"
expect_usage "$ZCBENCH" wait --cpus 0 --out "$tmp/r"

# The plan, on this machine and on a big synthetic one (nothing runs).
expect_exit 0 "$ZCBENCH" wait --dry-run --quick
expect_grep '^  wait/strategy:pingpong/rate:max/spin_us:-/oversub:0/place:' "$tmp/out"
expect_grep 'wait/strategy:hybrid/rate:1000/spin_us:50/' "$tmp/out"
expect_grep 'wait/strategy:eventfd/rate:idle/' "$tmp/out"
expect_exit 0 "$ZCBENCH" wait --dry-run --topology "synthetic:pack:2 l3:2 core:4 pu:2" \
	--place smt,l3,cross-package --strategy futex --rate 1000 --oversubscribe 2
expect_grep 'strategy:futex/rate:1000/spin_us:-/oversub:2/place:smt  *cpus [0-9]*,[0-9]*,[0-9]*,[0-9]*,' "$tmp/out"
expect_grep 'place:cross-package  *cpus' "$tmp/out"
expect_exit 0 "$ZCBENCH" wait --dry-run --topology "synthetic:pack:1 core:2 pu:1" --place smt
expect_grep 'skipped' "$tmp/out"

# A short real run: every file, names with strategy and rate, numeric CPU.
r="$tmp/run"
need_cpus 2
expect_exit 0 "$ZCBENCH" wait --quick --strategy spin,futex,hybrid,eventfd \
	--rate 2000,max,idle --seconds 0.05 --min-events 100 --out "$r"
expect_grep '^strategy  *rate' "$tmp/out"
expect_grep '^pingpong ' "$tmp/out"
expect_grep 'idle waiter CPU' "$tmp/out"
[ -s "$r/wait.csv" ] || fail "no wait.csv"
expect_grep 'waiter_cpu_frac_median' "$r/wait.csv"
expect_grep ',hybrid,2000,50,0,' "$r/wait.csv"
json_ok "$r/wait.json"
json_ok "$r/meta.json"
python3 - "$r/wait.json" <<'EOF' || fail "wait.json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
names = {b["name"] for b in d["benchmarks"]}
assert any("strategy:futex/rate:2000/" in n for n in names), names
rows = [b for b in d["benchmarks"] if b["run_type"] == "iteration"
        and "/rate:2000/" in b["name"]]
assert rows and all(isinstance(b["waiter_cpu_frac"], float) for b in rows)
assert all(0 <= b["waiter_cpu_frac"] <= 1.5 for b in rows)
idle = [b for b in d["benchmarks"] if b["run_type"] == "iteration"
        and "strategy:futex/rate:idle/" in b["name"]]
assert idle and idle[0]["waiter_cpu_frac"] < 0.5 and idle[0]["p99_ns"] is None
EOF
if command -v gnuplot >/dev/null; then
	png_ok "$r/wait.png"
	[ -s "$r/wait.gp" ] || fail "no wait.gp"
fi
no_temps "$r"
finish
