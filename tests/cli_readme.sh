#!/usr/bin/env bash
# Description: README's command table is the one the command descriptors
# make (zcbench help --markdown): facts about a command live in one place
# Labels: cli
. "$(dirname "$0")/lib.sh"
readme=${ZC_SRCDIR:?ZC_SRCDIR must name the source tree}/README.md

expect_exit 0 "$ZCBENCH" help --markdown
cp "$tmp/out" "$tmp/generated"
awk '/^\| command \| what it measures \|$/ {on = 1} on && /^$/ {exit} on' \
	"$readme" >"$tmp/readme"
if ! diff -u "$tmp/readme" "$tmp/generated" >"$tmp/diff"; then
	fail "README's command table differs from 'zcbench help --markdown' (paste its output into README.md):"
	sed 's/^/    | /' "$tmp/diff" >&2
fi
# Every command of the table has a -h.
for c in $(awk -F'`' 'NR > 2 {split($2, w, " "); print w[1]}' "$tmp/generated"); do
	expect_exit 0 "$ZCBENCH" "$c" -h
done
finish
