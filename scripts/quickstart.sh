#!/usr/bin/env bash
# Install dependencies, build, and run zcbench's default quick suite.
# The results folder (CSV, JSON, PNG plots, meta.json, report) is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/zcbench run quick "$@"
