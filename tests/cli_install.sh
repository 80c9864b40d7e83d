#!/usr/bin/env bash
# Description: cmake --install into a fresh prefix gives a zcbench that finds
# what it loads at run time (the ffi sink, the Python and Node.js hosts, the
# Rust consumer, koffi, the suites) even when the prefix is not the one
# configured.
# Labels: cli
. "$(dirname "$0")/lib.sh"
: "${ZC_BUILDDIR:?}"

cmake --install "$ZC_BUILDDIR" --prefix "$tmp/inst" >"$tmp/out" 2>&1 ||
	fail "cmake --install failed: $(tail -3 "$tmp/out")"
z="$tmp/inst/bin/zcbench"
for f in bin/zcbench share/zcbench/experiments/quick share/zcbench/experiments/ci \
	libexec/zcbench/zcbench_ffi_sink.so libexec/zcbench/zcbench_ffi_host.py \
	libexec/zcbench/zcbench_ffi_host.js; do
	[ -e "$tmp/inst/$f" ] || fail "$f not installed"
done
# what was built here goes too: the Rust consumer, koffi for the node host
[ ! -e "$ZC_BUILDDIR/zcbench_ffi_consumer" ] ||
	[ -x "$tmp/inst/libexec/zcbench/zcbench_ffi_consumer" ] ||
	fail "the Rust consumer was built but not installed"
[ ! -e "$ZC_SRCDIR/scripts/node_modules/koffi" ] ||
	[ -e "$tmp/inst/libexec/zcbench/node_modules/koffi/package.json" ] ||
	fail "koffi is in scripts/node_modules but was not installed"
expect_exit 0 "$z" --version
need_cpus 2
expect_exit 0 "$z" ffi --quick --paths call,ring --size 32 --batch 1 --out ffi
expect_grep 'path:ring' ffi/ffi.csv
# A suite is found by name in the installed tree (a line check fails fast:
# an unknown suite name would be a usage error instead).
expect_exit 2 "$z" run no-such-suite
expect_grep "no suite 'no-such-suite'" "$tmp/err"
finish
