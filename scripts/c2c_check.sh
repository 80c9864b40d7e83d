#!/usr/bin/env bash
# c2c_check — `zcbench c2c` against an independent ping-pong
# (scripts/c2c_pingpong.c, none of zcbench's code), interleaved round by
# round on the same two CPUs, so that both see the same host state.
#
# Usage: scripts/c2c_check.sh [ROUNDS [CPU_A CPU_B]]   (default 10, 0 1)
# ZCBENCH names the binary (default build/zcbench).
#
# Prints one line per round: the ping-pong's median one-way time, zcbench's
# (oneway_ns, median of its repetitions, ping CPU_A -> pong CPU_B), their
# ratio; then the rounds grouped by regime (split at the widest gap of the
# ping-pong's values when it is wider than 1.5x, as lib/regime.h does) with
# each group's median ratio. The rule to check: within 15 % per regime.
# Run it on an idle machine: another process on these CPUs makes both
# series meaningless.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
a=${2:-0}
b=${3:-1}
zcbench=${ZCBENCH:-build/zcbench}
[ -x "$zcbench" ] || { echo "c2c_check: no $zcbench (build first, or set ZCBENCH)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/zc-c2c-check-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -pthread -o "$tmp/pingpong" scripts/c2c_pingpong.c

printf '%5s %14s %14s %7s\n' round pingpong_ns zcbench_ns ratio
for r in $(seq 1 "$rounds"); do
	pp=$("$tmp/pingpong" "$a" "$b" | cut -d' ' -f1)
	"$zcbench" c2c --cpus "$a,$b" --pairs all --repeat 3 --quiet \
		--out "$tmp/r$r" 2>/dev/null
	# a real CSV reader: fields such as cpus ("0,1") hold commas
	zc=$(python3 - "$tmp/r$r/c2c.csv" "$a" "$b" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["ping"] == sys.argv[2] and row["pong"] == sys.argv[3] and row["regime"] == "all":
        print(row["oneway_ns_median"])
PY
)
	[ -n "$zc" ] || { echo "c2c_check: round $r: no zcbench figure" >&2; exit 1; }
	awk -v r="$r" -v p="$pp" -v z="$zc" \
		'BEGIN { printf "%5d %14.1f %14.1f %7.3f\n", r, p, z, z / p }'
done | tee "$tmp/rounds"

# Group the rounds by regime and give each group's median ratio.
sort -k2,2g "$tmp/rounds" | awk '
	{ p[NR] = $2; q[NR] = $4 }
	function med(lo, hi,   n, i, j, t, x) {
		n = 0
		for (i = lo; i <= hi; i++) x[++n] = q[i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && x[j] < x[j - 1]; j--) {
				t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
			}
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
	}
	END {
		cut = 0; gap = 1.5
		for (i = 1; i < NR; i++)
			if (p[i] > 0 && p[i + 1] / p[i] > gap) { gap = p[i + 1] / p[i]; cut = i }
		if (cut == 0)
			printf "one regime: %d rounds, median ratio %.3f\n", NR, med(1, NR)
		else {
			printf "regime ~%.0f ns: %d rounds, median ratio %.3f\n", p[int((1 + cut) / 2)], cut, med(1, cut)
			printf "regime ~%.0f ns: %d rounds, median ratio %.3f\n", p[int((cut + 1 + NR) / 2)], NR - cut, med(cut + 1, NR)
		}
	}'
