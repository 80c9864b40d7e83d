#!/usr/bin/env bash
# Measure the run-to-run noise of the ci suite on this machine, to choose the
# tolerance of the regression check in .ci/run: run the suite N times, then
# compare every ordered pair of runs (which should all be "no regression")
# at several thresholds and count the false alarms.
# Usage: scripts/ci-noise.sh [N (default 6)] [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-6}
out=${2:-results/runs/noise-$(date +%Y%m%d-%H%M%S)}
zc=build/zcbench
mkdir -p "$out"
for i in $(seq 1 "$n"); do
	"$zc" run ci --out "$out/run$i" >/dev/null 2>&1
	echo "run $i done" >&2
done
echo "| threshold | false alarms (of $((n * (n - 1))) ordered pairs) | regressed metrics, summed |"
echo "|--:|--:|--:|"
for t in 5 10 20 30 40 50 75; do
	alarms=0 metrics=0
	for a in $(seq 1 "$n"); do
		for b in $(seq 1 "$n"); do
			[ "$a" = "$b" ] && continue
			rc=0
			"$zc" compare "$out/run$a" "$out/run$b" --machines different \
				--threshold "$t" --format json >"$out/cmp.json" 2>/dev/null || rc=$?
			if [ "$rc" = 3 ]; then
				alarms=$((alarms + 1))
			elif [ "$rc" != 0 ]; then
				echo "compare failed ($rc) for run$a run$b" >&2
				exit 1
			fi
			k=$(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["counts"]["regressed"])' "$out/cmp.json")
			metrics=$((metrics + k))
		done
	done
	echo "| $t % | $alarms | $metrics |"
done
rm -f "$out/cmp.json"
