#!/usr/bin/env bash
# The regression study: how often `zcbench ab` and `zcbench compare` (history)
# raise a false alarm on this machine, and how often they catch a planted
# regression of 5, 10 and 20 %.
#
#  1. builds zcbench (A) and six test builds with ZC_INJECT_NS planting busy
#     work per increment batch in falseshare (fs-5/10/20) and per message in
#     the ring's producer (ring-5/10/20); the ns per size come from a
#     calibration run of A: X % of falseshare's padded (128 B) ns_per_op
#     times the batch (256), X % of the ring's thread batch-64 ns per message;
#  2. A/A for ab: AA runs of `ab A A` on each of the falseshare, ring and
#     sendfile lines of the ci suite (each ROUNDS rounds): any exit 3 is a
#     false alarm;
#  3. A/B for ab: N5/N10/N20 runs of `ab A fs-X` and `ab A ring-X`; a
#     detection is exit 3 with the planted figure regressed (falseshare
#     stride 128 ns_per_op; ring thread batch 64 mmsgs_per_s);
#  4. history: HIST runs of the ci suite with A; A/A leave-one-out (each run
#     against the others), A/B: N5/N10/N20 runs of each planted build
#     against all HIST runs;
#  5. tables into OUT/STUDY.md and every verdict into OUT/verdicts.csv.
#
# Usage: scripts/regression-study.sh [OUT]     (default results/regression)
# Environment: AA (10), N5 (5), N10 (10), N20 (5), ROUNDS (10), HIST (12),
#   AB_TOL (ab --threshold, 7), HIST_TOL (compare --threshold, 10),
#   HIST_ALPHA (compare --alpha, 0.01),
#   WORK (build-study: builds and raw runs; kept: a rerun reuses the builds,
#   the runs and the ab rounds, and judges them again: ab's verdicts are
#   recomputed from ab.json at AB_TOL, compare runs again; REMEASURE=1
#   measures the ab rounds again).
# Run it on an otherwise idle machine: anything else running preempts the
# pinned threads and every figure means nothing. About 40 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/regression}
work=${WORK:-build-study}
AA=${AA:-10} N5=${N5:-5} N10=${N10:-10} N20=${N20:-5}
ROUNDS=${ROUNDS:-10} HIST=${HIST:-12}
AB_TOL=${AB_TOL:-7} HIST_TOL=${HIST_TOL:-10} HIST_ALPHA=${HIST_ALPHA:-0.01}
fs_line=(falseshare --repeat 7 --op atomic --stride '8,64,128')
ring_line=(ring --repeat 7 --transport 'thread,process,mutex,pipe' --size 32
	--batch '1,64' --mode tput --seconds 0.1)
sf_line=(sendfile --repeat 7 --sizes 21 --method 'read-send,sendfile,splice'
	--buffer 65536 --cache hot --transport unix)
metrics=primary,slowdown,speedup_vs_mutex,speedup_vs_pipe,ratio_to_read_send
mkdir -p "$work" "$out"
csv=$out/verdicts.csv
echo "check,target,size_pct,inject_ns,run,exit,target_regressed,target_change_pct,regressed_rows,json" >"$csv"

build() { # NAME INJECT_NS
	if [ ! -x "$work/$1/zcbench" ] ||
		! "$work/$1/zcbench" --version | grep -q "${2}" 2>/dev/null; then
		echo "== build $1 (ZC_INJECT_NS=$2)" >&2
		rm -rf "${work:?}/$1"
		cmake -S . -B "$work/$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DBUILD_TESTING=OFF -DZC_INJECT_NS="$2" >/dev/null
		cmake --build "$work/$1" -j"$(nproc)" --target zcbench >/dev/null
	fi
}

median_of() { # RESULTS.json CASE-SUBSTRING METRIC
	python3 - "$@" <<'PY'
import json, statistics, sys
j = json.load(open(sys.argv[1]))
for c in j["zcbench"]["cases"]:
    if sys.argv[2] in c["name"] and c["status"] == "ok":
        print(statistics.median(x for x in c["samples"][sys.argv[3]] if x is not None))
        break
PY
}

# What an ab.json or compare JSON says of the target row: regressed?, change.
target_of() { # JSON KIND(ab|cmp) CASE-SUBSTRING METRIC
	python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
kind, case, metric = sys.argv[2:5]
reg, change, n = 0, "", 0
for r in j["rows"]:
    st = r["status"]
    n += st == "regressed"
    if case in r["case"] and r["metric"] == metric:
        reg |= st == "regressed"
        if kind == "ab" and r.get("worse") is not None:
            change = "%.1f" % (100 * (r["worse"] - 1))
        elif kind == "cmp" and r.get("change") is not None:
            change = "%.1f" % (100 * r["change"] * (-1 if r["better"] == "higher" else 1))
print(reg, change, n)
PY
}

# The target row of TARGET (fs, ring; else none) in JSON: as target_of.
target_row() { # JSON KIND TARGET
	case $3 in
	fs) target_of "$1" "$2" stride:128 ns_per_op ;;
	ring) target_of "$1" "$2" transport:thread/size:32/batch:64 mmsgs_per_s ;;
	*) target_of "$1" "$2" no-such-case - ;;
	esac
}

build A 0
z=$work/A/zcbench

# ---- calibration (kept in WORK/calibration: a rerun reuses the builds) ------
# Busy work does not cost its ns one to one: in falseshare part of it runs in
# the shadow of the locked adds, in the ring the producer is not the
# bottleneck until its slack is used up. So each target is calibrated by a
# probe build (falseshare 600 ns per batch, ring 5 ns per message) and an
# ab of 6 rounds: X % planted is probe_ns * X / (measured % of the probe).
# The tables report what each planted build then measured.
probe() { # NAME NS CASE METRIC LINE...
	local name=$1 ns=$2 case=$3 metric=$4
	shift 4
	build "$name" "$ns"
	rm -rf "$work/$name.ab"
	$z ab "$z" "$work/$name/zcbench" --rounds 6 --metrics all \
		--out "$work/$name.ab" --json "$work/$name.json" -- "$@" \
		>/dev/null 2>&1 || true
	target_of "$work/$name.json" ab "$case" "$metric" | awk '{print $2}'
}
if [ ! -s "$work/calibration" ]; then
	echo "== calibration" >&2
	e_fs=$(probe probe-fs 600 stride:128 ns_per_op "${fs_line[@]}")
	e_ring=$(probe probe-ring 5 transport:thread/size:32/batch:64 \
		mmsgs_per_s "${ring_line[@]}")
	echo "e_fs=$e_fs e_ring=$e_ring" >"$work/calibration"
fi
# shellcheck disable=SC1091
. "$work/calibration"
declare -A inj
for p in 5 10 20; do
	inj[fs-$p]=$(python3 -c "print('%.0f' % (600 * $p / $e_fs))")
	inj[ring-$p]=$(python3 -c "print('%.2f' % (5 * $p / $e_ring))")
done
for p in 5 10 20; do
	build "fs-$p" "${inj[fs-$p]}"
	build "ring-$p" "${inj[ring-$p]}"
done

ab_check() { # LABEL TARGET SIZE BUILD RUN LINE...
	local label=$1 target=$2 size=$3 b=$4 run=$5 rc=0 d
	shift 5
	d=$work/ab/$label-$target-$size-$run
	if [ "${REMEASURE:-0}" = 1 ] || [ ! -s "$d.json" ]; then
		rm -rf "$d"
		$z ab "$z" "$work/$b/zcbench" --rounds "$ROUNDS" \
			--threshold "$AB_TOL" --out "$d" --json "$d.json" -- "$@" \
			>"$d.md" 2>"$d.err" || rc=$?
	fi
	read -r reg ch n <<<"$(target_row "$d.json" ab "$target")"
	echo "ab,$target,$size,${inj[$b]:-0},$run,$rc,$reg,$ch,$n,$d.json" >>"$csv"
	echo "ab $label $target $size% run $run: exit $rc, target regressed $reg ($ch %)" >&2
}

# ---- ab: A/A and A/B -------------------------------------------------------
mkdir -p "$work/ab"
for i in $(seq "$AA"); do
	ab_check aa both 0 A "$i" "${fs_line[@]}"
	ab_check aa both 0 A "$i.ring" "${ring_line[@]}"
	ab_check aa both 0 A "$i.sendfile" "${sf_line[@]}"
done
for p in 5 10 20; do
	n=$((p == 5 ? N5 : p == 10 ? N10 : N20))
	for i in $(seq "$n"); do
		ab_check ab fs "$p" "fs-$p" "$i" "${fs_line[@]}"
		ab_check ab ring "$p" "ring-$p" "$i" "${ring_line[@]}"
	done
done

# ---- history ---------------------------------------------------------------
mkdir -p "$work/hist"
for i in $(seq -w 1 "$HIST"); do
	[ -s "$work/hist/run-$i/meta.json" ] && continue
	echo "== history run $i/$HIST" >&2
	$z run ci --out "$work/hist/run-$i" >/dev/null 2>&1 || true
done
hist_check() { # TARGET SIZE RUN NEW-DIR BASE...
	local target=$1 size=$2 run=$3 new=$4 rc=0 j
	shift 4
	j=$work/cmp-$target-$size-$run.json
	$z compare "$@" "$new" --metrics "$metrics" --threshold "$HIST_TOL" \
		--alpha "$HIST_ALPHA" --format json >"$j" 2>/dev/null || rc=$?
	read -r reg ch n <<<"$(target_row "$j" cmp "$target")"
	echo "history,$target,$size,${inj[$target-$size]:-0},$run,$rc,$reg,$ch,$n,$j" >>"$csv"
	echo "history $target $size% run $run: exit $rc, target regressed $reg ($ch %)" >&2
}
runs=("$work"/hist/run-*)
for r in "${runs[@]}"; do
	others=()
	for o in "${runs[@]}"; do [ "$o" = "$r" ] || others+=("$o"); done
	hist_check both 0 "$(basename "$r")" "$r" "${others[@]}"
done
for p in 5 10 20; do
	n=$((p == 5 ? N5 : p == 10 ? N10 : N20))
	for i in $(seq "$n"); do
		d=$work/histnew/fs-$p-$i
		[ -s "$d/falseshare.json" ] ||
			"$work/fs-$p/zcbench" "${fs_line[@]}" --quiet --no-plot --out "$d" >/dev/null
		hist_check fs "$p" "$i" "$d" "${runs[@]}"
		d=$work/histnew/ring-$p-$i
		[ -s "$d/ring.json" ] ||
			"$work/ring-$p/zcbench" "${ring_line[@]}" --quiet --no-plot --out "$d" >/dev/null
		hist_check ring "$p" "$i" "$d" "${runs[@]}"
	done
done

# ---- tables ----------------------------------------------------------------
python3 - "$csv" "$e_fs" "$e_ring" "$AB_TOL" "$HIST_TOL" "$ROUNDS" "${#runs[@]}" "$HIST_ALPHA" \
	"$($z --version | head -1)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" \
	>"$out/STUDY.md" <<'PY'
import csv, json, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
e_fs, e_ring, ab_tol, h_tol, rounds, hist, h_alpha, ver, cpu = sys.argv[2:11]
print("# Regression study: false alarms and detection on this machine\n")
print("Written by `scripts/regression-study.sh` (rerun it to refresh); %s; CPU%s; "
      "%s rounds per `ab`, %s history runs." % (ver, cpu, rounds, hist))
print("Calibration: a probe build planting 600 ns per increment batch (256) in "
      "falseshare measured %+.1f %% on the padded (128 B) case's ns_per_op; one "
      "planting 5 ns per message in the ring's producer %+.1f %% on thread batch "
      "64 mmsgs_per_s (6 ab rounds each). X %% planted = probe ns * X / that; the "
      "last column says what each planted build measured.\n" % (float(e_fs), float(e_ring)))
def flagged(check, j, tol, case=None, metric=None):
    """Rows regressed at threshold tol (ab: ab's rule from ab.json; history:
    outside the written interval and beyond tol), or failed."""
    n = 0
    for r in j["rows"]:
        if case and not (case in r["case"] and r["metric"] == metric):
            continue
        if r["status"] == "failed":
            n += 1
            continue
        if check == "ab":
            ok = r.get("worse") is not None and r["pairs"] >= 5 and \
                r["worse"] > 1 + tol and r["worse_lo"] > 1
        else:
            c, lo, hi = r.get("change"), r.get("change_lo"), r.get("change_hi")
            if c is None or lo is None:
                continue
            ok = (lo > 0 and c > tol) if r["better"] == "lower" else (hi < 0 and c < -tol)
        n += ok
    return n

TARGET = {"fs": ("stride:128", "ns_per_op", "falseshare stride 128 ns_per_op"),
          "ring": ("transport:thread/size:32/batch:64", "mmsgs_per_s",
                   "ring thread batch 64 mmsgs_per_s")}
for check, tol in (("ab", ab_tol), ("history", h_tol)):
    t_ = float(tol) / 100
    if check == "ab":
        print("## `zcbench ab --threshold %s` (%s rounds)\n" % (tol, rounds))
    else:
        print("## `zcbench compare HISTORY NEW --threshold %s --alpha %s` (%s history runs)\n" % (tol, h_alpha, hist))
    def alarm(r):  # exit 3 at the chosen threshold
        return flagged(check, json.load(open(r["json"])), t_) > 0 if check == "ab" else r["exit"] == "3"
    def hit(r, t):
        c, m, _ = TARGET[t]
        if check == "ab":
            return flagged(check, json.load(open(r["json"])), t_, c, m) > 0
        return r["exit"] == "3" and r["target_regressed"] == "1"
    aa = [r for r in rows if r["check"] == check and r["size_pct"] == "0"]
    print("| planted | target | runs | exit 3 | target flagged | measured change of the target (median, range) |")
    print("|--:|---|--:|--:|--:|---|")
    print("| A/A | every row | %d | **%d** (false alarms) | – | – |" % (len(aa), sum(map(alarm, aa))))
    for size in ("5", "10", "20"):
        for t in ("fs", "ring"):
            rs = [r for r in rows if r["check"] == check and r["size_pct"] == size and r["target"] == t]
            if not rs:
                continue
            ch = [float(r["target_change_pct"]) for r in rs if r["target_change_pct"]]
            print("| %s %% (%s ns) | %s | %d | %d | **%d of %d** | %s |" % (
                size, rs[0]["inject_ns"], TARGET[t][2], len(rs), sum(map(alarm, rs)),
                sum(hit(r, t) for r in rs), len(rs),
                "%+.1f %% (%+.1f..%+.1f)" % (statistics.median(ch), min(ch), max(ch)) if ch else "–"))
    print()
    if check == "history":
        # Power: what the history could have flagged, from the A/A rows.
        dets = {}
        for r in aa:
            for x in json.load(open(r["json"]))["rows"]:
                if x.get("detectable") is not None and x["metric"]:
                    dets.setdefault((x["case"], x["metric"]), []).append(x["detectable"])
        print("Smallest change the history could flag (*detectable*, median over the A/A "
              "comparisons), per row:\n")
        print("| case | metric | detectable |")
        print("|---|---|--:|")
        for (c, m), v in sorted(dets.items()):
            print("| %s | %s | ±%.0f %% |" % (c, m, 100 * statistics.median(v)))
        print()
    print("The same runs judged at other thresholds (A/A false alarms; detections of the planted figure):\n")
    print("| threshold | A/A false alarms | " + " | ".join("%s %% %s" % (s, t) for s in ("5", "10", "20") for t in ("fs", "ring")) + " |")
    print("|--:|--:|" + "--:|" * 6)
    for tol2 in (0.03, 0.05, 0.07, 0.10, 0.15, 0.20):
        cells = ["%d of %d" % (sum(flagged(check, json.load(open(r["json"])), tol2) > 0 for r in aa), len(aa))]
        for size in ("5", "10", "20"):
            for t in ("fs", "ring"):
                rs = [r for r in rows if r["check"] == check and r["size_pct"] == size and r["target"] == t]
                c, m, _ = TARGET[t]
                cells.append("%d of %d" % (sum(flagged(check, json.load(open(r["json"])), tol2, c, m) > 0 for r in rs), len(rs)))
        print("| %g %% | %s |" % (100 * tol2, " | ".join(cells)))
    print()
PY
cat "$out/STUDY.md"
