#!/usr/bin/env bash
# Description: the hub: usage, --version, help, every command's -h, unknown
# commands and options.
# Labels: cli
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$ZCBENCH"
expect_grep 'usage: zcbench' "$tmp/out"
expect_grep 'exit status' "$tmp/out"
expect_exit 0 "$ZCBENCH" --version
expect_grep '^zcbench [0-9]' "$tmp/out"
expect_exit 2 "$ZCBENCH" nosuchcommand
expect_grep "not a command" "$tmp/err"
expect_exit 2 "$ZCBENCH" --bogus

# A write error on stdout (a full disk) is a failure, not a silent success.
if [ -w /dev/full ]; then
	"$ZCBENCH" topo >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "topo >/dev/full exited $rc, expected 1"
	expect_grep 'write error' "$tmp/err"
fi

cmds=$("$ZCBENCH" | awk '/^commands:/{f=1;next} f&&NF==0{f=0} f{print $1}')
[ -n "$cmds" ] || fail "no commands listed"
for c in $cmds; do
	expect_exit 0 "$ZCBENCH" "$c" -h
	expect_grep "usage: zcbench $c" "$tmp/out"
	expect_exit 0 "$ZCBENCH" help "$c"
	expect_grep "usage: zcbench $c" "$tmp/out"
	expect_usage "$ZCBENCH" "$c" --no-such-option
done
# --repeat's default in the help is the one the command uses.
expect_exit 0 "$ZCBENCH" falseshare -h
grep -A2 -- '--repeat N' "$tmp/out" | grep -q 'default: 25 ' ||
	fail "falseshare -h does not give its own --repeat default (25)"
expect_exit 0 "$ZCBENCH" wait -h
grep -A2 -- '--repeat N' "$tmp/out" | grep -q 'default: 5 ' ||
	fail "wait -h does not give the global --repeat default (5)"
finish
