#!/usr/bin/env bash
# Fuzz zcbench's readers with libFuzzer (ASan+UBSan): each target of
# tests/fuzz/ for SECONDS (default 20) from its corpus, tests/fuzz/corpus/
# <target>/, plus what earlier runs found (build-fuzz/corpus/<target>/).
# Builds build-fuzz/ (clang, -DZC_FUZZ=ON) when it is missing; warnings
# are not errors there (the gcc builds of test.sh enforce them).
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]
#        targets: opt suite topo rset compare (default: all)
#        ZC_FUZZ_JOBS=N runs N processes per target (longer runs: README)
#
# An input that crashes, trips a sanitizer, breaks a harness invariant,
# runs longer than 10 s (a hang) or needs over 2 GiB is saved under
# build-fuzz/artifacts/<target>/ and the script exits 1: fix it, then keep
# the input as a regression test (copy it into tests/fuzz/corpus/<target>/:
# every build replays that folder as the CTest test fuzz_<target>).
# Prints, per target, executions and libFuzzer's coverage (cov: edges,
# ft: features) at the end of the run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
secs=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(opt suite topo rset compare)
jobs=${ZC_FUZZ_JOBS:-1}

if ! scripts/setup-fuzz.sh; then
	echo "fuzz: skipped: clang with libFuzzer is not available" >&2
	exit 77
fi
if [ ! -x build-fuzz/fuzz/zc_fuzz_opt ]; then
	echo "== fuzz build (clang, ASan+UBSan, libFuzzer)"
	scripts/build.sh build-fuzz -DCMAKE_C_COMPILER=clang \
		-DCMAKE_CXX_COMPILER=clang++ -DZC_FUZZ=ON -DBUILD_TESTING=OFF ||
		exit 1
fi

# Leaks inside libraries zcbench cannot fix (hwloc) are listed there.
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
failed=0
printf '%-8s %10s %8s %8s %6s  %s\n' target execs cov ft corpus result
for t in "${targets[@]}"; do
	bin=build-fuzz/fuzz/zc_fuzz_$t
	seeds=tests/fuzz/corpus/$t
	work=build-fuzz/corpus/$t
	art=build-fuzz/artifacts/$t
	log=build-fuzz/fuzz-$t.log
	dict=()
	case $t in
	opt | suite) dict=(-dict=tests/fuzz/opt.dict) ;;
	rset | compare) dict=(-dict=tests/fuzz/json.dict) ;;
	esac
	par=()
	[ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
	[ -x "$bin" ] || { echo "fuzz: no $bin" >&2; failed=1; continue; }
	mkdir -p "$work" "$art"
	# The harness outlives -max_total_time only by its last input; the
	# outer timeout is for a harness that never returns.
	timeout -k 10 $((secs + 60)) "$bin" "${dict[@]}" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 "${par[@]}" \
		-artifact_prefix="$art/" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	[ "$jobs" -gt 1 ] && cat fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz-*.log
	done_line=$(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		awk '{s += $1} END {print s + 0}')
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
	if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
		result=ok
	else
		result="FAILED (exit $rc): $(ls "$art" 2>/dev/null | head -3 | tr '\n' ' ')see $log"
		failed=1
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" |
			head -5 >&2
	fi
	printf '%-8s %10s %8s %8s %6s  %s\n' "$t" "$execs" "${cov:--}" \
		"${ft:--}" "${corp:--}" "$result"
done
exit $failed
