#!/usr/bin/env bash
# Description: zcbench ffi CLI: -h, bad input exits 2, a --quick run writes
# ffi.csv/json/png with every message verified and counters per side, C,
# Python (struct, NumPy) and Node.js hosts into C and Rust consumers
# (C->Rust, Python->Rust, Node->C through the ring among them) and the
# crossovers; missing or failing runtimes, a corrupt message from each
# host, a killed consumer process (C or Rust) and SIGINT are handled with
# nothing left behind
# Labels: cli
. "$(dirname "$0")/lib.sh"
Z=$ZCBENCH
T=$tmp
# Children inherit this marker: a leftover process shows in /proc.
export ZC_FFI_TEST_MARK=cli_ffi_$$

no() { fail "$@"; }
shm_list() { ls /dev/shm 2>/dev/null | grep '^zc-ffi-' | sort; }
leftovers() {
	local e p
	for e in /proc/[0-9]*/environ; do
		p=${e#/proc/}
		p=${p%/environ}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		grep -qz "^ZC_FFI_TEST_MARK=$ZC_FFI_TEST_MARK\$" "$e" 2>/dev/null &&
			echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}
before=$(shm_list)

# -h
out=$("$Z" ffi -h) || no "-h exit status $?"
for w in --paths --size --batch --capacity --python --node --consumer --shm \
	call-marshal node-ring python-ring-numpy; do
	grep -q -- "$w" <<<"$out" || no "-h lacks $w"
done

# bad input: exit 2 with the valid range, nothing created
for args in "--size 0" "--size 33" "--size 8192" "--capacity 1000" \
	"--capacity 64 --batch 128" "--paths call,bogus" "--isolation 96" \
	"--seconds -1" "--capacity 16777216 --size 4096" "--place cpus" \
	"--cpus 0 --place cpus" "--consumer java" "extra-arg"; do
	# shellcheck disable=SC2086
	"$Z" ffi $args --out "$T/bad" >"$T/o" 2>"$T/e"
	rc=$?
	[ $rc -eq 2 ] || no "'$args' exit $rc, want 2: $(cat "$T/e")"
	grep -q "zcbench ffi: " "$T/e" || no "'$args': no message: $(cat "$T/e")"
	[ -e "$T/bad" ] && no "'$args' created the results folder"
done

# dry run
"$Z" ffi --dry-run --quick >"$T/o" 2>&1 || no "--dry-run exit $?"
grep -q "ffi/path:python-ring/size:32/batch:64/consumer:rust" "$T/o" ||
	no "dry run plan"

# the quick run: a consumer process on another CPU
need_cpus 2
if "$Z" ffi --quick --out "$T/q" >"$T/o" 2>"$T/e"; then
	for f in ffi.csv ffi.json ffi.png ffi.samples.csv meta.json; do
		[ -s "$T/q/$f" ] || no "quick run did not write $f"
	done
	grep -q "crossover" "$T/o" || no "no crossover printed"
	# every host into every consumer: verified (ok), or skipped with the
	# reason where a runtime is missing; the crossover per host
	for pc in ring/rust ring/c python-ring/rust python-ring/c \
		python-ring-numpy/c python-ring-numpy/rust node-ring/c \
		node-ring/rust; do
		p=${pc%/*} c=${pc#*/}
		grep -q "^ffi/path:$p/size:32/batch:64/consumer:$c,.*,ok," "$T/q/ffi.csv" ||
			grep -q "^ffi/path:$p/size:32/batch:64/consumer:$c,.*,skipped,.\+" "$T/q/ffi.csv" ||
			no "$p into $c missing: $(grep "path:$p/" "$T/q/ffi.csv" | head -2)"
		grep -q "^ffi/path:$p/size:32/batch:64/consumer:$c,.*,ok," "$T/q/ffi.csv" &&
			{ grep -q "^  [A-Za-z.]* *$p *-> $c " "$T/o" || no "no crossover for $p -> $c"; }
	done
	grep -q ",failed," "$T/q/ffi.csv" && no "a case failed: $(grep failed "$T/q/ffi.csv")"
	# Counters per side (default --events: task-clock and cycles among
	# them): the host side on every path, the sink side on the ring paths
	# (absent with the reason on the call paths), and an event that
	# cannot be counted here (cycles without a PMU) absent with a reason.
	py=$(command -v python3)
	[ -z "$py" ] || "$py" - "$T/q" <<-'PY' || no "counter columns: see above"
		import csv, json, sys
		d = sys.argv[1]
		rows = {r["name"]: r for r in csv.DictReader(open(d + "/ffi.csv"))
		        if r["regime"] == "all"}
		z = json.load(open(d + "/ffi.json"))["zcbench"]
		ok = {e: v["status"] == "ok"
		      for e, v in json.load(open(d + "/meta.json"))["counters"].items()}
		desc = {m["name"]: m["description"] for m in z["metrics"]}
		bad = []
		for side, who in (("host", "host (producer)"),
		                  ("sink", "sink (consumer process)")):
		    if who not in desc.get(side + "_task_clock_per_msg", ""):
		        bad.append("%s_task_clock_per_msg: side not named" % side)
		for c in z["cases"]:
		    if c["status"] != "ok":
		        continue
		    ring = c["name"].split("/")[1].split(":")[1] in (
		        "ring", "python-ring", "python-ring-numpy", "node-ring")
		    for side in ("host", "sink"):
		        for ev in ("task-clock", "cycles"):
		            m = "%s_%s_per_msg" % (side, ev.replace("-", "_"))
		            v = rows[c["name"]].get(m + "_median", "")
		            why = c.get("absent", {}).get(m, "")
		            if side == "sink" and not ring:
		                good = not v and "inside the host's call" in why
		            else:
		                good = bool(v) if ok.get(ev) else not v and why
		            if not good:
		                bad.append("%s %s: %r, absent: %r" % (c["name"], m, v, why))
		for b in bad:
		    print("FAIL: " + b, file=sys.stderr)
		sys.exit(1 if bad else 0)
	PY
else
	no "quick run exit $?: $(tail -5 "$T/e")"
fi

small="--size 32 --batch 8 --seconds 0.01 --repeat 1"
# no interpreter: python paths skipped with the reason, the rest runs
# shellcheck disable=SC2086
"$Z" ffi --paths call,python-call $small --python "$T/nopython" \
	--out "$T/np" >"$T/o" 2>"$T/e" || no "missing python: exit $?"
grep -q "python-call.*skipped.*no Python interpreter" "$T/np/ffi.csv" ||
	no "missing python not recorded: $(cat "$T/np/ffi.csv")"

# a Python that fails: the case fails with its last stderr line, exit 1
printf '#!/bin/sh\necho "first line" >&2\necho "boom: no such luck" >&2\nexit 3\n' \
	>"$T/badpy"
chmod +x "$T/badpy"
# shellcheck disable=SC2086
timeout 60 "$Z" ffi --paths python-call,python-ring $small --python "$T/badpy" \
	--out "$T/bp" >"$T/o" 2>"$T/e"
rc=$?
[ $rc -eq 1 ] || no "failing python: exit $rc, want 1"
grep -q "boom: no such luck" "$T/e" || no "failing python: message: $(cat "$T/e")"

# no Node.js, no Rust consumer: those cases skipped with the reason
# shellcheck disable=SC2086
ZC_FFI_CONSUMER=$T/none "$Z" ffi --paths call,node-call,ring $small \
	--node "$T/nonode" --out "$T/nn" >"$T/o" 2>"$T/e" || no "missing node: exit $?"
grep -q "node-call.*skipped.*no Node.js interpreter" "$T/nn/ffi.csv" ||
	no "missing node not recorded: $(cat "$T/nn/ffi.csv")"
grep -q "consumer:rust.*skipped.*Rust consumer not built" "$T/nn/ffi.csv" ||
	no "missing Rust consumer not recorded: $(cat "$T/nn/ffi.csv")"
grep -q "path:ring/.*consumer:c,.*,ok," "$T/nn/ffi.csv" || no "the rest did not run"

# the consumer process killed mid-run: noticed, reported, exit 1, no hang
for pc in ring/c python-ring/c ring/rust node-ring/rust; do
	p=${pc%/*} c=${pc#*/}
	# shellcheck disable=SC2086
	ZC_FFI_KILL_CONSUMER=1000 timeout 60 "$Z" ffi --paths $p --consumer $c \
		$small --out "$T/k$p$c" >"$T/o" 2>"$T/e"
	rc=$?
	if grep -q ",skipped," "$T/k$p$c/ffi.csv" 2>/dev/null; then
		continue # a runtime missing here: said so in the csv
	fi
	[ $rc -eq 1 ] || no "killed consumer ($p -> $c): exit $rc, want 1"
	grep -q "consumer process was killed by signal 9" "$T/e" ||
		no "killed consumer ($p -> $c): message: $(cat "$T/e")"
done

# a host that writes a corrupt message (100): each consumer catches it
for pc in ring/c ring/rust python-ring/rust python-ring-numpy/c node-ring/c \
	node-ring/rust; do
	p=${pc%/*} c=${pc#*/}
	# shellcheck disable=SC2086
	ZC_FFI_CORRUPT=100 timeout 60 "$Z" ffi --paths $p --consumer $c \
		$small --out "$T/c$p$c" >"$T/o" 2>"$T/e"
	rc=$?
	if grep -q ",skipped," "$T/c$p$c/ffi.csv" 2>/dev/null; then
		continue
	fi
	[ $rc -eq 1 ] || no "corrupt message ($p -> $c): exit $rc, want 1"
	grep -q "1 bad (first at 100: Bad message)" "$T/e" ||
		no "corrupt message ($p -> $c): message: $(cat "$T/e")"
done

# named segment for the Python host: used, then unlinked
# shellcheck disable=SC2086
"$Z" ffi --paths python-ring --shm named $small --out "$T/nm" >"$T/o" 2>"$T/e" ||
	no "named shm: exit $?: $(tail -3 "$T/e")"

# SIGINT mid-run: clear message, exit 130, no process or segment left
"$Z" ffi --paths python-ring,ring,node-ring --shm named --size 32 --batch 1 \
	--seconds 3 --out "$T/int" >"$T/o" 2>"$T/e" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || no "SIGINT: exit $rc, want 130: $(tail -3 "$T/e")"
grep -q "interrupted" "$T/e" || no "SIGINT: no message: $(cat "$T/e")"
sleep 0.2
[ -z "$(leftovers)" ] || no "processes left: $(leftovers)"
after=$(shm_list)
[ "$before" = "$after" ] || no "shared memory left: $after"
[ -z "$(find "$T" -name '.*.tmp.*')" ] || no "temporary files left"

finish
