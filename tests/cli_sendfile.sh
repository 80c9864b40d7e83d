#!/usr/bin/env bash
# Description: zcbench sendfile: -h, usage errors leave nothing, a quick run verifies every transfer and writes csv/json/png; receiver death and SIGINT clean up
# Labels: cli
set -u
z=${ZCBENCH:?set ZCBENCH to the zcbench binary}
tmp=$(mktemp -d /var/tmp/zc-cli-sendfile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/files # --dir: must be empty after every run
mkdir "$dir"
fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if ! "$@"; then
		echo "FAIL: $what" >&2
		sed 's/^/    | /' "$tmp/err" 2>/dev/null | head -20 >&2
		fail=1
	fi
}
empty() { test -z "$(ls -A "$1" 2>/dev/null)"; }
small=(--sizes 1 --method sendfile --cache hot --transport tcp --dir "$dir")

"$z" sendfile -h >"$tmp/out" 2>"$tmp/err"
check "-h exits 0" test $? = 0
for o in --method --buffer --sizes --cache --transport --dir --pipe \
	--receiver --verify; do
	check "-h lists $o" grep -q -- "$o" "$tmp/out"
done

# usage ARGS... : exit 2, one 'zcbench sendfile:' message naming what is
# valid, no results folder, nothing in --dir
usage() {
	local want=$1
	shift
	"$z" sendfile "$@" --out "$tmp/res" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	check "'$*' exits 2 (got $rc)" test $rc = 2
	check "'$*' says why" grep -q "^zcbench sendfile: .*$want" "$tmp/err"
	check "'$*' leaves no results" test ! -e "$tmp/res"
	check "'$*' leaves no files" empty "$dir"
}
usage "1\.\.1048576" --sizes 0 --dir "$dir"
usage "1\.\.67108864" --buffer 0 --dir "$dir"
usage "read-send" --method carrier-pigeon --dir "$dir"
usage "4096\.\.1073741824" --pipe 0 --dir "$dir"
usage "expected 1\.\..* MiB" --sizes 1048576 --dir "$dir"
usage "existing" --dir "$tmp/no-such-folder"
usage "not a folder" --dir /etc/hostname
usage "not writable\|lacks\|cannot" --dir /proc/self
usage "hot, cold" --cache lukewarm --dir "$dir"

# --dry-run: the plan, nothing written
"$z" sendfile --dry-run --quick --dir "$dir" >"$tmp/out" 2>"$tmp/err"
check "--dry-run exits 0" test $? = 0
check "--dry-run names the cases" grep -q "sendfile/method:sendfile/" "$tmp/out"
check "--dry-run writes nothing" empty "$dir"

# A quick run, every transfer checksummed at the receiver.
"$z" sendfile --quick --sizes 1,3 --verify all --dir "$dir" --out "$tmp/q" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
check "quick run exits 0 (got $rc)" test $rc = 0
for f in sendfile.csv sendfile.samples.csv sendfile.json sendfile.png \
	sendfile-cpu.png sendfile.ibm.txt meta.json; do
	check "quick run wrote $f" test -s "$tmp/q/$f"
done
check "quick run left no files" empty "$dir"
check "the IBM-style table is printed" grep -q "IBM-style table" "$tmp/out"
check "quick results: verified, skips with reasons" python3 - "$tmp/q" <<'EOF'
import csv, json, sys, os
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "sendfile.csv"))))
ok = [r for r in rows if r["status"] == "ok"]
assert ok, "no case ran"
assert not [r for r in rows if r["status"] == "failed"], "a case failed"
for r in rows:
    if r["status"] == "skipped":
        assert r["reason"], r
methods = {r["method"] for r in ok}
assert {"read-send", "sendfile", "splice", "mmap-send"} <= methods, methods
for r in ok:
    assert float(r["ms_median"]) > 0, r
    assert float(r["gbps_median"]) > 0, r
    assert r["sender_syscalls_median"], r
# zero-copy methods say what the kernel did; on loopback it copies
for r in ok:
    if r["method"] in ("msg-zerocopy", "io-uring-zc"):
        assert r["zerocopy_pct_median"] != "", r
j = json.load(open(os.path.join(d, "sendfile.json")))
b = [x for x in j["benchmarks"] if x.get("run_type") == "iteration"]
assert b and all("bytes_per_second" in x for x in b), "bytes_per_second"
EOF

# The receiver dies mid-transfer: EPIPE reported, exit 1, files removed.
ZCBENCH_TEST_KILL_RECEIVER=1000000 "$z" sendfile --sizes 16 \
	--method sendfile,read-send --cache hot --transport tcp --dir "$dir" \
	--out "$tmp/k" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "receiver death exits 1 (got $rc)" test $rc = 1
check "receiver death is reported" grep -q "receiver died mid-transfer" "$tmp/err"
check "receiver death leaves no files" empty "$dir"

# SIGINT mid-run: a clear message, exit 130, nothing left behind.
"$z" sendfile --sizes 64,128 --repeat 50 --method read-send --buffer 4096 \
	--cache cold --transport tcp --dir "$dir" --out "$tmp/i" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	[ -n "$(find "$dir" -name 'file-*' 2>/dev/null)" ] && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
check "SIGINT exits 130 (got $rc)" test $rc = 130
check "SIGINT is reported" grep -q "interrupted by signal 2" "$tmp/err"
check "SIGINT leaves no files" empty "$dir"
check "SIGINT leaves no receiver" test -z "$(pgrep -P $pid 2>/dev/null)"

exit $fail
