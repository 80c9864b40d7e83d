#!/usr/bin/env bash
# Description: events lists what this machine can count (text, csv, json), --events, -h, usage errors.
# Labels: cli
. "$(dirname "$0")/lib.sh"

# The listing: task-clock works everywhere zcbench runs; hardware events
# are absent with a reason here, counted on a machine with a PMU.
expect_exit 0 "$ZCBENCH" events
expect_grep '^task-clock  *sw  *ok ' "$tmp/out"
expect_grep '^cycles  *hw ' "$tmp/out"
expect_grep '^c2c  *hw ' "$tmp/out"
expect_grep '^context-switches ' "$tmp/out"
expect_grep '^hardware events: [0-9]* of [0-9]*' "$tmp/out"
expect_grep 'PMUs libpfm4 detects' "$tmp/out"
expect_grep 'only perf_event_open shows whether counters work' "$tmp/out"
if ! grep -q '^cycles  *hw  *ok ' "$tmp/out"; then
	grep -Eq '^cycles  *hw  *(unsupported|denied|busy|limit)  *default  *[a-zA-Z]' "$tmp/out" ||
		fail "cycles is neither ok nor absent with a reason"
fi
[ "$(grep -c '^task-clock ' "$tmp/out")" = 1 ] || fail "task-clock listed twice"

# --events probes exactly those.
expect_exit 0 "$ZCBENCH" events --events nosuchevent,task-clock
expect_grep '^nosuchevent  *-  *unknown  *--events  *unknown event' "$tmp/out"
expect_grep '^task-clock  *sw  *ok ' "$tmp/out"
grep -q '^cycles ' "$tmp/out" && fail "--events listed cycles too"

# JSON and CSV carry the same facts.
expect_exit 0 "$ZCBENCH" events --format json
python3 - "$tmp/out" <<'EOF' || fail "events --format json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
ev = {e["name"]: e for e in d["events"]}
assert ev["task-clock"]["status"] == "ok" and ev["task-clock"]["kind"] == "sw"
assert ev["task-clock"]["encoding"].startswith("perf::")
c = ev["cycles"]
assert c["kind"] == "hw"
assert c["status"] == "ok" or (c["why"] and c["status"] != "ok")
assert ev["c2c"]["kind"] == "hw"
assert isinstance(d["pmus"], list) and "pmu_note" in d
assert d["summary"]["sw_ok"] >= 1
EOF
expect_exit 0 "$ZCBENCH" events --format csv --events task-clock,nosuchevent
expect_grep '^event,kind,status,from,encoding,why$' "$tmp/out"
expect_grep '^"task-clock","sw","ok",' "$tmp/out"
expect_grep '^"nosuchevent","","unknown",' "$tmp/out"

# Help and usage errors.
expect_exit 0 "$ZCBENCH" events -h
expect_grep 'usage: zcbench events' "$tmp/out"
expect_grep '--events' "$tmp/out"
expect_exit 2 "$ZCBENCH" events --events 'task-clock,,cycles'
expect_grep '^zcbench events: bad --events' "$tmp/err"
expect_exit 2 "$ZCBENCH" events --no-such-option
expect_grep '^zcbench events:' "$tmp/err"
expect_exit 2 "$ZCBENCH" events extra-argument

finish
