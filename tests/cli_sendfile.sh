#!/usr/bin/env bash
# Description: zcbench sendfile: -h, usage errors leave nothing, a quick run verifies every transfer and writes csv/json/png; receiver death and SIGINT clean up
# Labels: cli
. "$(dirname "$0")/lib.sh"
z=$ZCBENCH
# --dir on disk (lib.sh's folder may be tmpfs); empty after every run
dir=$(mktemp -d /var/tmp/zc-cli-sendfile.XXXXXX)
trap 'rm -rf "$tmp" "$dir"' EXIT
empty() { [ -z "$(ls -A "$dir")" ] || fail "$1: left $(ls -A "$dir")"; }

expect_exit 0 "$z" sendfile -h
for o in --method --buffer --sizes --cache --transport --dir --pipe \
	--receiver --verify; do
	expect_grep "$o" "$tmp/out"
done

# usage WANT ARGS...: exit 2 with a message naming what is valid; no
# results folder, nothing in --dir
usage() {
	local want=$1
	shift
	expect_usage "$z" sendfile "$@" --out "$tmp/res"
	expect_grep "^zcbench sendfile: .*$want" "$tmp/err"
	[ ! -e "$tmp/res" ] || fail "'$*' made a results folder"
	empty "$*"
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
expect_exit 0 "$z" sendfile --dry-run --quick --dir "$dir"
expect_grep "sendfile/method:sendfile/" "$tmp/out"
empty "--dry-run"

# A quick run, every transfer checksummed at the receiver.
need_cpus 2
expect_exit 0 "$z" sendfile --quick --sizes 1,3 --verify all --dir "$dir" \
	--out "$tmp/q"
for f in sendfile.csv sendfile.samples.csv sendfile.ibm.txt meta.json; do
	[ -s "$tmp/q/$f" ] || fail "quick run did not write $f"
done
png_ok "$tmp/q/sendfile.png"
png_ok "$tmp/q/sendfile-cpu.png"
json_ok "$tmp/q/sendfile.json"
no_temps "$tmp/q"
empty "quick run"
expect_grep "IBM-style table" "$tmp/out"
python3 - "$tmp/q" <<'EOF' || fail "quick run results"
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
# zero-copy methods say what the kernel did (on loopback: copied)
for r in ok:
    if r["method"] in ("msg-zerocopy", "io-uring-zc"):
        assert r["zerocopy_pct_median"] != "", r
j = json.load(open(os.path.join(d, "sendfile.json")))
b = [x for x in j["benchmarks"] if x.get("run_type") == "iteration"]
assert b and all("bytes_per_second" in x for x in b), "bytes_per_second"
EOF

# Counters per side (--events): the sender's and the receiver's task-clock
# per MiB in the csv and json of every case; a hardware event is a number
# where the machine has a PMU, else absent with the reason (never 0).
expect_exit 0 "$z" sendfile --quick --sizes 1 --method read-send,sendfile \
	--buffer 65536 --cache hot --events task-clock,cycles --dir "$dir" \
	--out "$tmp/e"
empty "--events run"
expect_grep "counters (--events): per MiB" <("$z" sendfile -h)
python3 - "$tmp/e" <<'EOF' || fail "counter columns"
import csv, json, os, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(os.path.join(d, "sendfile.csv")))
        if r["status"] == "ok" and r["regime"] == "all"]
assert len(rows) == 4, rows
for side in ("snd", "rcv"):
    for r in rows:
        v = r[side + "_task_clock_per_mib_median"]
        assert v and float(v) > 0, (side, r)
j = json.load(open(os.path.join(d, "sendfile.json")))
names = {m["name"]: m for m in j["zcbench"]["metrics"]}
for side, who in (("snd", "sender"), ("rcv", "receiver")):
    for ev in ("task_clock", "cycles"):
        m = names[side + "_" + ev + "_per_mib"]
        assert who in m["description"], m
for c in j["zcbench"]["cases"]:
    if c["status"] != "ok":
        continue
    for side in ("snd", "rcv"):
        k = side + "_cycles_per_mib"
        if k in c["summary"]:
            assert c["summary"][k]["median"] > 0, (k, c["summary"][k])
        else:
            assert c["absent"].get(k), (k, "absent without a reason")
EOF

# The receiver dies mid-transfer: EPIPE reported, exit 1, files removed.
ZCBENCH_TEST_KILL_RECEIVER=1000000 expect_exit 1 "$z" sendfile --sizes 16 \
	--method sendfile,read-send --cache hot --transport tcp --dir "$dir" \
	--out "$tmp/k"
expect_grep "receiver died mid-transfer" "$tmp/err"
empty "receiver death"

# SIGINT mid-run: a clear message, exit 130, nothing left behind.
"$z" sendfile --sizes 64,128 --repeat 50 --method read-send --buffer 4096 \
	--cache cold --transport tcp --dir "$dir" --out "$tmp/i" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	[ -n "$(find "$dir" -name 'file-*')" ] && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "SIGINT: exited $rc, expected 130"
expect_grep "interrupted by signal 2" "$tmp/err"
empty "SIGINT"
[ -z "$(pgrep -P $pid)" ] || fail "SIGINT left the receiver running"

finish
