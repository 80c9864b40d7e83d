#!/usr/bin/env bash
# Instructions per message of the ring's tput loops (lib/chan.c's send_n
# and recv_n, driven by scripts/ring_icount.c on one thread), counted by
# callgrind: a figure that does not depend on the machine's load. Two runs
# of different lengths, differenced, so set-up and exit do not count.
# Usage: scripts/ring_icount.sh [BUILD_DIR] [SIZES] [BATCHES]
set -euo pipefail
build=${1:-build}
sizes=${2:-8 32}
batches=${3:-1 64 256}
bin=$build/zc_ring_icount
[ -x "$bin" ] || { echo "ring_icount: $bin not built" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "ring_icount: valgrind not installed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n1=262144 n2=1310720

# inclusive instructions of the producer and consumer step functions: the
# largest figure callgrind_annotate gives each (the others are parts of it,
# by the file their inlined code came from)
count() { # SIZE BATCH N
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" "$@" \
		>/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$tmp/cg" |
		sed -nE 's/,//g; s/^ *([0-9]+) .*:zc_ring_icount_(prod|cons)( .*)?$/\2 \1/p' |
		awk '$2 > m[$1] { m[$1] = $2 } END { for (k in m) print k, m[k] }'
}

printf '%6s %6s %12s %12s\n' size batch prod/msg cons/msg
for s in $sizes; do
	for b in $batches; do
		count "$s" "$b" $n1 >"$tmp/a"
		count "$s" "$b" $n2 >"$tmp/b"
		awk -v s="$s" -v b="$b" -v d=$((n2 - n1)) '
			NR == FNR { a[$1] = $2; next }
			{ v[$1] = ($2 - a[$1]) / d }
			END { printf "%6s %6s %12.2f %12.2f\n", s, b, v["prod"], v["cons"] }' \
			"$tmp/a" "$tmp/b"
	done
done
