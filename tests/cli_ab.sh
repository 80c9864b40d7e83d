#!/usr/bin/env bash
# Description: zcbench ab: two builds round by round; the same build twice
# is no regression, a doctored build (its results 60 % slower) is found
# (exit 3); binaries that are not zcbench, another schema, a line that
# fails in one build only, too few rounds and SIGINT are handled
# Labels: cli
. "$(dirname "$0")/lib.sh"
z=$ZCBENCH
line=(falseshare --quick --op atomic --stride 8,128 --seconds 0.01)

expect_exit 0 $z ab -h
expect_grep 'BASE_BIN NEW_BIN -- SUITE|COMMAND' "$tmp/out"
expect_usage $z ab $z $z
expect_usage $z ab $z $z -- no-such-thing
expect_usage $z ab $z $z --rounds 1 -- "${line[@]}"
expect_usage $z ab $z -- "${line[@]}"
expect_usage $z ab $z $z -- falseshare --out x
expect_exit 2 $z ab $z $z -- falseshare --stride 7
expect_grep "fails in BASE" "$tmp/err"
expect_exit 2 $z ab /nonexistent $z -- "${line[@]}"
expect_exit 1 $z ab $z /bin/true -- "${line[@]}"
expect_grep "is not zcbench" "$tmp/err"

# Another results schema: refused before anything runs.
cat >"$tmp/schema9" <<SH
#!/bin/sh
[ "\$1" = --version ] && { echo "zcbench 9.9 (git x)"; echo "results schema 9"; exit 0; }
exec $z "\$@"
SH
chmod +x "$tmp/schema9"
expect_exit 1 $z ab $z "$tmp/schema9" -- "${line[@]}"
expect_grep "different results schemas" "$tmp/err"

# A line that plans in one build only.
cat >"$tmp/nofalse" <<SH
#!/bin/sh
[ "\$1" = falseshare ] && { echo "zcbench falseshare: not in this build" >&2; exit 2; }
exec $z "\$@"
SH
chmod +x "$tmp/nofalse"
expect_exit 1 $z ab $z "$tmp/nofalse" -- "${line[@]}"
expect_grep "fails in NEW" "$tmp/err"

expect_exit 0 $z ab $z $z --dry-run -- ci
expect_grep 'ab plan: 10 rounds of 3 line' "$tmp/out"

need_cpus 2
# The same build twice: no regression (a wide tolerance: this test checks
# the plumbing on a machine that may be busy; the study in results/
# chose the real one).
expect_exit 0 $z ab $z $z --rounds 6 --threshold 40 --out "$tmp/aa" -- "${line[@]}"
for f in ab.md ab.json meta.json; do
	[ -s "$tmp/aa/$f" ] || fail "aa/$f missing"
done
json_ok "$tmp/aa/ab.json"
[ -d "$tmp/aa/base/round-05" ] && [ -d "$tmp/aa/new/round-05" ] ||
	fail "round folders missing"

# A doctored build: its ns/op 2.5 times higher. Without sentinels: a host
# that moves the vCPUs between regimes round by round leaves fewer than 5
# rounds of one regime (inconclusive; seen on an AMD EPYC guest, 3 pairs).
slow_build "$tmp/slow" 2.5
expect_exit 3 $z ab $z "$tmp/slow" --rounds 10 --threshold 40 --out "$tmp/ab" -- "${line[@]}" --sentinel off
expect_grep '| \*\*regressed\*\* | falseshare/op:atomic/stride:.* | ns_per_op' "$tmp/out"
expect_grep 'regression found' "$tmp/err"

# Fewer rounds than a verdict needs: said, inconclusive, exit 0.
expect_exit 0 $z ab $z $z --rounds 3 --threshold 40 --out "$tmp/few" -- "${line[@]}"
expect_grep 'at least 6 are needed' "$tmp/err"
expect_grep 'inconclusive [1-9]' "$tmp/out"

# SIGINT: what both builds finished is kept, exit 130.
$z ab $z $z --rounds 50 --out "$tmp/int" -- "${line[@]}" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 4
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT: exit $rc, want 130: $(tail -3 "$tmp/err")"
no_temps "$tmp"
finish
