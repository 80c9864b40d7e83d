#!/usr/bin/env bash
# Description: compare: a run against itself is clean (exit 0), a doctored
# degraded case is a regression (exit 3), other machines compare only
# ratios, bad input exits 1 with a message; a history of runs (prediction
# interval, inconclusive below 3 runs, --metrics); export gh-benchmark;
# plot DIR.
# Labels: cli
. "$(dirname "$0")/lib.sh"
z=$ZCBENCH

# One small real run (5 repetitions: the rank test needs 4 or more a side;
# no sentinel: on a busy host most samples could be slowed, in no regime,
# and compare's regime logic has its own tests in test_compare_regime).
need_cpus 2
expect_exit 0 $z falseshare --quick --repeat 5 --stride 8,128 --op atomic \
	--place l3 --seconds 0.01 --sentinel off --out "$tmp/a" --quiet
[ -s "$tmp/a/falseshare.json" ] || { fail "no falseshare.json"; finish; }

# A run against itself: nothing changed.
expect_exit 0 $z compare "$tmp/a" "$tmp/a"
expect_grep 'no regression' "$tmp/out"
expect_grep '| unchanged | falseshare/op:atomic/stride:8/threads:2/place:l3 | ns_per_op' "$tmp/out"
expect_exit 0 $z compare "$tmp/a/falseshare.json" "$tmp/a" --format json
json_ok "$tmp/out"
python3 - "$tmp/out" <<'EOF' || fail "compare JSON: unexpected content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["regression"] is False and j["counts"]["regressed"] == 0
assert j["machines"] == "same" and j["rows"], j
assert all(r["status"] == "unchanged" for r in j["rows"]), j["rows"]
EOF

# A degraded case (doctored, not timed): BASE t is the real run with the
# stride-8 case's repetitions made tight around their median (a real run
# on a busy VM may spread wider than any effect), NEW b is t with that case
# 50 % slower.
cp -r "$tmp/a" "$tmp/t"
cp -r "$tmp/a" "$tmp/b"
python3 - "$tmp/t/falseshare.json" "$tmp/b/falseshare.json" <<'EOF'
import json, statistics, sys
def doctor(p, factor):
    j = json.load(open(p))
    for c in j["zcbench"]["cases"]:
        if c["name"] != "falseshare/op:atomic/stride:8/threads:2/place:l3":
            continue
        s = c["samples"]
        for k, f in (("ns_per_op", factor), ("mops", 1 / factor), ("slowdown", factor)):
            m = statistics.median(s[k])
            s[k] = [m * f * (1 + 0.001 * i) for i in range(len(s[k]))]
    json.dump(j, open(p, "w"))
doctor(sys.argv[1], 1.0)
doctor(sys.argv[2], 1.5)
EOF
expect_exit 3 $z compare "$tmp/t" "$tmp/b" --json "$tmp/cmp.json"
expect_grep 'regression found' "$tmp/out"
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:8/threads:2/place:l3 | ns_per_op' "$tmp/out"
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:8/threads:2/place:l3 | mops' "$tmp/out"
expect_grep 'regression found: 3 regressed' "$tmp/err"
json_ok "$tmp/cmp.json"
grep -q '"regression": true' "$tmp/cmp.json" || fail "cmp.json: no regression"
# The threshold is the minimum effect: 60 % lets a 50 % change pass.
expect_exit 0 $z compare "$tmp/t" "$tmp/b" --threshold 60
# Read the other way round, the same change is an improvement.
expect_exit 0 $z compare "$tmp/b" "$tmp/t" --show changed
expect_grep '| improved |' "$tmp/out"
expect_grep 'unchanged row(s) not shown' "$tmp/out"

# A history: five runs of t whose every sample is scaled by a run level
# (0.97..1.03: the run-to-run spread of a VM), as a folder of runs.
mkdir -p "$tmp/h"
for k in 1 2 3 4 5; do cp -r "$tmp/t" "$tmp/h/run-$k"; done
python3 - "$tmp/h" <<'EOF'
import json, sys
for k, f in zip(range(1, 6), (1.0, 1.03, 0.97, 1.015, 0.985)):
    p = "%s/run-%d/falseshare.json" % (sys.argv[1], k)
    j = json.load(open(p))
    for c in j["zcbench"]["cases"]:
        for m, v in c.get("samples", {}).items():
            c["samples"][m] = [x * f if isinstance(x, (int, float)) else x for x in v]
    json.dump(j, open(p, "w"))
EOF
# t itself lies inside the history; b (stride 8 50 % slower) does not.
expect_exit 0 $z compare "$tmp/h" "$tmp/t" --metrics primary --json "$tmp/h.json"
expect_grep 'no regression' "$tmp/out"
expect_grep '5 history runs' "$tmp/out"
expect_grep 'metrics judged: primary' "$tmp/out"
grep -q '| mops' "$tmp/out" && fail "history: mops judged with --metrics primary"
python3 - "$tmp/h.json" <<'EOF' || fail "history JSON: unexpected content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["history"] == 5 and j["metrics"] == "primary", j
rows = [r for r in j["rows"] if r["metric"]]
assert rows and all(r["metric"] == "ns_per_op" for r in rows), rows
assert all(r["runs"] == 5 and r["detectable"] >= 0.05 for r in rows), rows
assert all(r["change_lo"] <= r["change"] <= r["change_hi"] for r in rows), rows
EOF
expect_exit 3 $z compare "$tmp/h" "$tmp/b" --metrics primary,slowdown
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:8/threads:2/place:l3 | ns_per_op' "$tmp/out"
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:8/threads:2/place:l3 | slowdown' "$tmp/out"
# The same runs named one by one.
expect_exit 3 $z compare "$tmp"/h/run-* "$tmp/b" --metrics primary
# Two runs are too few: inconclusive, exit 0, never a guess.
expect_exit 0 $z compare "$tmp/h/run-1" "$tmp/h/run-2" "$tmp/b"
expect_grep 'inconclusive: fewer than 3 history runs' "$tmp/out"
grep -q 'regressed\*\* |' "$tmp/out" && fail "history of 2 runs: a verdict"
# A history of two machines is narrowed to NEW's: three runs of another
# host, every sample twice as slow, are left out (with them, t would be an
# improvement), and the output says so.
cp -r "$tmp/h" "$tmp/hm"
for k in 1 2 3; do cp -r "$tmp/t" "$tmp/hm/other-$k"; done
python3 - "$tmp/hm" <<'EOF'
import json, sys
for k in (1, 2, 3):
    d = "%s/other-%d" % (sys.argv[1], k)
    m = json.load(open(d + "/meta.json"))
    m["host"] = "some-other-host"
    json.dump(m, open(d + "/meta.json", "w"))
    j = json.load(open(d + "/falseshare.json"))
    for c in j["zcbench"]["cases"]:
        for n, v in c.get("samples", {}).items():
            c["samples"][n] = [x * 2 if isinstance(x, (int, float)) else x for x in v]
    json.dump(j, open(d + "/falseshare.json", "w"))
EOF
expect_exit 0 $z compare "$tmp/hm" "$tmp/t" --metrics primary --show changed --json "$tmp/hm.json"
expect_grep 'history of this machine only: 5 run(s) of it; 3 of other machines left out' "$tmp/out"
grep -q 'improved |' "$tmp/out" && fail "mixed history: the other host's runs were judged"
python3 - "$tmp/hm.json" <<'EOF' || fail "mixed history JSON: unexpected content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["history"] == 5 and j["history_other_machines"] == 3, j
assert j["machines"] == "same" and j["counts"]["improved"] == 0, j
EOF
# --machines same keeps every run: the slow host's runs widen the history.
expect_exit 0 $z compare "$tmp/hm" "$tmp/t" --metrics primary --machines same --json "$tmp/hm.json"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); assert j["history"] == 8 and j["history_other_machines"] == 0, j' "$tmp/hm.json" || fail "--machines same: not every history run used"
# Bad selections and folders.
expect_usage $z compare "$tmp/h" "$tmp/b" --metrics 'ns per op'
expect_grep 'expected 1..16 items' "$tmp/err"
mkdir -p "$tmp/none/x"
expect_exit 1 $z compare "$tmp/none" "$tmp/b"
expect_grep 'no zcbench results in it or in its subfolders' "$tmp/err"

# Another machine: only the machine-independent ratio is compared.
cp -r "$tmp/b" "$tmp/c"
python3 - "$tmp/c/meta.json" <<'EOF'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
j["host"] = "some-other-host"
json.dump(j, open(p, "w"))
EOF
expect_exit 3 $z compare "$tmp/t" "$tmp/c"
expect_grep 'different machines' "$tmp/out"
expect_grep 'absolute figures are not comparable' "$tmp/out"
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:8/threads:2/place:l3 | slowdown' "$tmp/out"
grep -q '| ns_per_op' "$tmp/out" && fail "absolute metric compared across machines"
expect_exit 3 $z compare "$tmp/t" "$tmp/c" --machines same
expect_grep '| \*\*regressed\*\* | .* | ns_per_op' "$tmp/out"

# A case that fails its check in NEW is a regression too.
cp -r "$tmp/a" "$tmp/f"
python3 - "$tmp/f/falseshare.json" <<'EOF'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
c = j["zcbench"]["cases"][0] if j["zcbench"]["cases"][0]["status"] == "ok" else \
    [c for c in j["zcbench"]["cases"] if c["status"] == "ok"][0]
c["status"], c["reason"], c["samples"] = "failed", "counter mismatch", {}
json.dump(j, open(p, "w"))
EOF
expect_exit 3 $z compare "$tmp/a" "$tmp/f"
expect_grep '| \*\*failed\*\* | .* | all | .* failed in NEW: counter mismatch' "$tmp/out"

# Too few repetitions: said, not guessed.
expect_exit 0 $z falseshare --quick --repeat 3 --stride 8,128 --op atomic \
	--place l3 --seconds 0.01 --out "$tmp/r3" --quiet
expect_exit 0 $z compare "$tmp/r3" "$tmp/r3"
expect_grep 'inconclusive: too few repetitions' "$tmp/out"

# Bad input: a clear message and exit 1, never a crash.
expect_exit 1 $z compare "$tmp/a" "$tmp/nothing"
expect_grep 'cannot read NEW: .*nothing: no such file or folder' "$tmp/err"
mkdir "$tmp/empty"
expect_exit 1 $z compare "$tmp/empty" "$tmp/a"
expect_grep 'cannot read BASE: .*no zcbench results' "$tmp/err"
head -c 300 "$tmp/a/falseshare.json" >"$tmp/trunc.json"
expect_exit 1 $z compare "$tmp/trunc.json" "$tmp/a"
expect_grep 'not valid JSON' "$tmp/err"
printf 'not json at all' >"$tmp/garbage.json"
expect_exit 1 $z compare "$tmp/a" "$tmp/garbage.json"
expect_grep 'garbage.json:1:' "$tmp/err"
sed 's/"schema_version": 1/"schema_version": 99/' "$tmp/a/falseshare.json" >"$tmp/v99.json"
expect_exit 1 $z compare "$tmp/v99.json" "$tmp/a"
expect_grep 'schema version 99' "$tmp/err"
expect_exit 1 $z compare "$tmp/a/meta.json" "$tmp/a"
expect_grep 'not a zcbench result file' "$tmp/err"
for f in "$tmp/err"; do grep -qi 'sanitizer\|segmentation' "$f" && fail "crash"; done

# Usage errors.
expect_usage $z compare "$tmp/a"
expect_grep 'expected BASE... NEW (2 to 65 arguments), got' "$tmp/err"
expect_usage $z compare "$tmp/a" "$tmp/a" --threshold -1
expect_usage $z compare "$tmp/a" "$tmp/a" --alpha 0
expect_usage $z compare "$tmp/a" "$tmp/a" --machines maybe
expect_exit 0 $z compare -h
expect_grep '3 regression found' "$tmp/out"

# export: github-action-benchmark's custom JSON, one entry per case and
# metric of the chosen direction.
expect_exit 0 $z export --format gh-benchmark "$tmp/a"
json_ok "$tmp/out"
python3 - "$tmp/out" <<'EOF' || fail "gh-benchmark export: bad entries"
import json, sys
e = json.load(open(sys.argv[1]))
assert isinstance(e, list) and e, e
for x in e:
    assert isinstance(x["name"], str) and isinstance(x["unit"], str)
    assert isinstance(x["value"], (int, float)), x
    assert isinstance(x.get("range", ""), str) and isinstance(x.get("extra", ""), str)
names = [x["name"] for x in e]
assert len(set(names)) == len(names), "duplicate names"
assert any(n.endswith("(ns_per_op)") for n in names)
assert not any(n.endswith("(mops)") for n in names), "bigger-is-better in smaller"
EOF
expect_exit 0 $z export --direction bigger --output "$tmp/big.json" "$tmp/a"
json_ok "$tmp/big.json"
grep -q '(mops)' "$tmp/big.json" || fail "bigger: no mops entries"
expect_exit 0 $z export --portable-only "$tmp/a/falseshare.json"
grep -q '(ns_per_op)' "$tmp/out" && fail "--portable-only kept ns_per_op"
expect_exit 1 $z export "$tmp/empty"
expect_usage $z export --format csv "$tmp/a"
expect_usage $z export

# plot DIR re-renders every plot of a folder.
if command -v gnuplot >/dev/null; then
	rm -f "$tmp/a/falseshare.png"
	expect_exit 0 $z plot "$tmp/a"
	png_ok "$tmp/a/falseshare.png"
	no_temps "$tmp/a"
	# A script zcbench did not seal (edited, or from someone else) is
	# not run: plotting a folder runs none of its code.
	cp -r "$tmp/a" "$tmp/evil"
	printf 'system("touch %s/pwned")\n' "$tmp" >>"$tmp/evil/falseshare.gp"
	expect_exit 1 $z plot "$tmp/evil"
	expect_grep "refusing falseshare.gp: not written by zcbench" "$tmp/err"
	[ -e "$tmp/pwned" ] && fail "plot ran a foreign script's system()"
	cp "$tmp/a/falseshare.gp" "$tmp/evil/falseshare.gp"
	ZC_PLOT_KEY="$tmp/another.key" expect_exit 1 $z plot "$tmp/evil"
	expect_grep "no plot key here\|does not match" "$tmp/err"
fi
expect_exit 1 $z plot "$tmp/empty"
expect_grep 'no plots' "$tmp/err"
expect_usage $z plot "$tmp/nothing"
expect_usage $z plot
finish
