#!/usr/bin/env bash
# Install dependencies, build from scratch with warnings as errors, and run the
# tests; then again under ASan+UBSan, the threaded tests under TSan, and a
# short libFuzzer run of every reader (scripts/fuzz.sh: ZC_FUZZ_SECONDS per
# target, default 20: 5 targets take under two minutes; 0 skips it).
# Set ZC_TEST_FAST=1 to skip the sanitizer builds and the fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest_args=(--output-on-failure --no-tests=error -j"$(nproc)")

echo "== release build (-Werror)"
scripts/build.sh build -DZC_WERROR=ON
(cd build && ctest "${ctest_args[@]}")

if [ "${ZC_TEST_FAST:-0}" = 1 ]; then
	exit 0
fi
echo "== ASan+UBSan build"
scripts/build.sh build-asan -DZC_WERROR=ON -DZC_SANITIZE=address,undefined
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest "${ctest_args[@]}" -LE stress)

echo "== TSan build (threaded tests)"
scripts/build.sh build-tsan -DZC_WERROR=ON -DZC_SANITIZE=thread
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest "${ctest_args[@]}" -L threads)

secs=${ZC_FUZZ_SECONDS:-20}
if [ "$secs" -gt 0 ]; then
	echo "== fuzz (libFuzzer, ASan+UBSan, $secs s per target)"
	if scripts/setup-fuzz.sh; then
		scripts/build.sh build-fuzz -DCMAKE_C_COMPILER=clang \
			-DCMAKE_CXX_COMPILER=clang++ -DZC_FUZZ=ON -DBUILD_TESTING=OFF
		scripts/fuzz.sh "$secs"
	else
		echo "fuzz: skipped: clang with libFuzzer is not available (scripts/setup-fuzz.sh)"
	fi
fi
