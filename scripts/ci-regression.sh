#!/usr/bin/env bash
# The two regression checks of CI (.ci/run), also for a user's own CI:
#  (a) code: builds the previous commit (the merge base with origin/main when
#      HEAD is not on it, else HEAD~1) next to this one and runs
#      `zcbench ab PREVIOUS THIS -- SUITE`;
#  (b) platform: runs SUITE with this build and compares it with the history
#      of runs of this machine kind in HISTORY (`zcbench compare HISTORY NEW`);
#      a regression (in either check) counts when a second run flags the
#      same case and metric again; a HISTORY with no run of this machine
#      kind gives no verdict.
# The thresholds are the ones the regression study chose
# (results/regression/STUDY.md). Exit: 0 no regression, 3 a regression in
# either check, 1 an error (2 for a usage error of zcbench).
#
# Usage: scripts/ci-regression.sh [OUT]   (default results/runs/ci-<date>)
# Environment:
#   ZCBENCH        this build (build/zcbench)
#   ZC_CI_BASE_BIN the previous build, if already built (skips building)
#   ZC_CI_BASE_REV the commit to build as previous (see above)
#   ZC_CI_SUITE    suite or suite file (ci)
#   ZC_CI_HISTORY  folder of runs (results/history); absent: (b) is skipped
#   ZC_CI_ROUNDS   ab rounds (16: on a guest whose host moves the vCPUs
#                  every few seconds, 40-50 % of the pairs are left out)
#   ZC_CI_AB_TOL, ZC_CI_HIST_TOL   thresholds in % (7 and 10: the study's)
#   ZC_CI_HIST_ALPHA               the history test's family-wise level (0.01)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/runs/ci-$(date +%Y%m%d-%H%M%S)}
z=${ZCBENCH:-build/zcbench}
suite=${ZC_CI_SUITE:-ci}
history=${ZC_CI_HISTORY:-results/history}
rounds=${ZC_CI_ROUNDS:-16}
ab_tol=${ZC_CI_AB_TOL:-7}
hist_tol=${ZC_CI_HIST_TOL:-10}
hist_alpha=${ZC_CI_HIST_ALPHA:-0.01}
# Each command's own figure and the ratios measured within one run (those
# compare across CPU models when the history comes from another machine).
metrics=primary,slowdown,speedup_vs_mutex,speedup_vs_pipe,ratio_to_read_send
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
mkdir -p "$out"

base=${ZC_CI_BASE_BIN:-}
if [ -z "$base" ]; then
	rev=${ZC_CI_BASE_REV:-}
	if [ -z "$rev" ]; then
		mb=$(git merge-base HEAD origin/main 2>/dev/null || true)
		if [ -n "$mb" ] && [ "$mb" != "$(git rev-parse HEAD)" ]; then
			rev=$mb
		else
			rev=$(git rev-parse --verify -q HEAD~1 || true)
		fi
	fi
	if [ -z "$rev" ]; then
		echo "ci-regression: no previous commit: the ab check is skipped" >&2
	else
		src=$(mktemp -d "${TMPDIR:-/tmp}/zc-base.XXXXXX")
		trap 'git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"' EXIT
		echo "== building the previous commit $(git rev-parse --short "$rev")"
		git worktree add --detach -q "$src" "$rev"
		cmake -S "$src" -B build-base -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DBUILD_TESTING=OFF >/dev/null
		cmake --build build-base -j"$(nproc)" --target zcbench >/dev/null
		base=build-base/zcbench
	fi
fi

rc_ab=0 rc_h=0
# confirm WHAT NAME CAUSE FIRST CMD...: after a check flagged a
# regression (its JSON: FIRST), run it again (CMD writes $out/NAME.md and
# .json) and show it; returns 3 when the second one flags a regression of
# a row the first one flagged too (the same case and metric, whatever the
# regime), else 0: the host, not CAUSE, no verdict. Two A/A runs each
# flag a row now and then; the same row twice is a slower build.
confirm() {
	local what=$1 name=$2 cause=$3 first=$4 rc=0 both
	shift 4
	"$@" || rc=$?
	cat "$out/$name.md"
	cat "$out/$name.md" >>"$summary"
	if [ "$rc" = 3 ]; then
		both=$(python3 -c 'import json, sys
rows = [{(r["case"], r["metric"]) for r in json.load(open(f))["rows"]
         if r["status"] == "regressed"} for f in sys.argv[1:]]
for c, m in sorted(rows[0] & rows[1]):
    print("  %s %s" % (c, m))' "$first" "$out/$name.json")
		if [ -n "$both" ]; then
			{
				echo "ci-regression: a second $what flagged the" \
					"same regression: confirmed"
				echo "$both"
			} | tee -a "$summary" >&2
			return 3
		fi
		echo "ci-regression: a second $what flagged other rows than" \
			"the first one: the host, not $cause; no verdict" |
			tee -a "$summary" >&2
		return 0
	fi
	echo "ci-regression: a second $what did not confirm the first" \
		"one's regression (exit $rc): the host, not $cause; no verdict" |
		tee -a "$summary" >&2
	return 0
}
schema() { "$1" --version | sed -n 's/^results schema //p'; }
if [ -n "$base" ] && [ "$(schema "$base")" != "$(schema "$z")" ]; then
	echo "ci-regression: the previous build writes results schema" \
		"$(schema "$base"), this one $(schema "$z"): no ab check" \
		"across a schema change" | tee -a "$summary" >&2
	base=
fi
if [ -n "$base" ]; then
	echo "== ab: $base against $z, $rounds rounds of $suite"
	start=$(date +%s)
	ab_run() { # NAME
		"$z" ab "$base" "$z" --rounds "$rounds" --threshold "$ab_tol" \
			--out "$out/$1" --json "$out/$1.json" -- "$suite" \
			>"$out/$1.md"
	}
	ab_run ab || rc_ab=$?
	cat "$out/ab.md"
	cat "$out/ab.md" >>"$summary"
	# As the history below: a regression must show twice, in the same
	# row. On a busy AMD EPYC guest one ab of two builds of the same code
	# flagged the thread ring's batch-64 throughput 12.8 % worse (8
	# pairs); in CI (2026-12-03) two abs of such builds both flagged one,
	# the second the process ring's batch-64 throughput 9 % worse; a
	# slower build is slower again in the same row.
	if [ "$rc_ab" = 3 ]; then
		rc_ab=0
		confirm ab ab-2 "the code" "$out/ab.json" ab_run ab-2 || rc_ab=$?
	fi
	echo "ab: exit $rc_ab in $(($(date +%s) - start)) s"
fi

if [ -d "$history" ]; then
	echo "== history: $suite against $history"
	start=$(date +%s)
	# A regression must show in two runs: a shared host slows a run now
	# and then for seconds (one of 12 A/A runs of an AMD EPYC guest took
	# sendfile 2.5x longer, the pace loop unmoved: results/regression);
	# a slower platform or build stays slower. The second run is judged
	# only when the first flagged something, and both are shown.
	hist_run() { # RUN-FOLDER NAME
		"$z" run "$suite" --out "$1" >/dev/null || {
			echo "ci-regression: the $suite suite failed" >&2
			exit 1
		}
		"$z" compare "$history" "$1" --metrics "$metrics" \
			--threshold "$hist_tol" --alpha "$hist_alpha" \
			--show changed --json "$out/$2.json" >"$out/$2.md"
	}
	hist_run "$out/run" history || rc_h=$?
	cat "$out/history.md"
	cat "$out/history.md" >>"$summary"
	# compare narrows a history of several machine kinds to this one's
	# runs. With none of them, the ratios it judges still depend on the
	# CPU (the process ring's speed-up over a pipe: 29x on the Intel Xeon
	# guests, 15x on the AMD EPYC ones), so a change is the other machine,
	# not this commit or this platform: shown, never a verdict.
	if { [ "$rc_h" = 1 ] || [ "$rc_h" = 3 ]; } && python3 -c 'import json, sys
sys.exit(json.load(open(sys.argv[1]))["machines"] != "different")' \
		"$out/history.json" 2>/dev/null; then
		echo "ci-regression: the history in $history has no run of" \
			"this machine kind (exit $rc_h against another):" \
			"no verdict; add runs of this one (zcbench run" \
			"$suite --out $history/<date>)" | tee -a "$summary" >&2
		rc_h=0
	fi
	if [ "$rc_h" = 3 ]; then
		rc_h=0
		confirm run history-2 "the platform" "$out/history.json" \
			hist_run "$out/run-2" history-2 || rc_h=$?
	fi
	echo "history: exit $rc_h in $(($(date +%s) - start)) s"
else
	echo "ci-regression: no history in $history: the history check is skipped" >&2
fi

for rc in $rc_ab $rc_h; do
	[ "$rc" = 3 ] && exit 3
done
for rc in $rc_ab $rc_h; do
	[ "$rc" = 0 ] || exit "$rc"
done
exit 0
