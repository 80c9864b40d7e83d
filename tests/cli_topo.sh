#!/usr/bin/env bash
# Description: topo on this machine and on synthetic topologies, text and JSON.
# Labels: cli
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$ZCBENCH" topo
expect_grep 'topology: this machine' "$tmp/out"
expect_grep 'place\|placement plans' "$tmp/out"
expect_exit 0 "$ZCBENCH" topo --topology 'synthetic:pack:2 numa:2 l3:4 core:8 pu:2'
expect_grep 'smt .*cpus 0,1 ' "$tmp/out"
expect_grep 'cross-package .*cpus' "$tmp/out"
expect_grep 'l2 .*skipped' "$tmp/out"
expect_exit 0 "$ZCBENCH" topo --format json --topology 'synthetic:pack:2 core:4 pu:2'
json_ok "$tmp/out"
expect_usage "$ZCBENCH" topo --topology 'synthetic:nonsense:3'
expect_usage "$ZCBENCH" topo --topology /nonexistent.xml
finish
