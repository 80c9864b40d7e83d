#!/usr/bin/env bash
# Description: run: invalid suite lines are reported as file:line and
# nothing runs; the quick suite writes report.md with plots, meta.json and
# every command's JSON with the fields compare.py, Bencher and
# github-action-benchmark read; Ctrl-C keeps the finished parts.
# Labels: cli stress
. "$(dirname "$0")/lib.sh"
z=$ZCBENCH
src=${ZC_SRCDIR:-$(dirname "$0")/..}

# Every shipped suite is valid on this machine.
for s in quick ci full; do
	expect_exit 0 $z run "$src/experiments/$s" --dry-run
	expect_grep 'all valid' "$tmp/out"
done
[ ! -e results ] || fail "a dry run created results/"

# Invalid lines: file:line, exit 2, nothing run or created.
cat >bad <<'EOF'
# comment
falseshare --stride 12
nosuch --x

topo --out elsewhere
compare a b
EOF
expect_usage $z run ./bad --out "$tmp/never"
expect_grep '^./bad:2: zcbench falseshare: --stride: out of range' "$tmp/err"
expect_grep '^./bad:3: .nosuch. is not a command' "$tmp/err"
expect_grep '^./bad:5: no --out' "$tmp/err"
expect_grep '^./bad:6: .compare. cannot run inside a suite' "$tmp/err"
expect_grep '4 invalid line(s)' "$tmp/err"
[ ! -e "$tmp/never" ] || fail "an invalid suite created its folder"
printf 'falseshare\nfalseshare --quick\n' >dup
expect_usage $z run ./dup
expect_grep '^./dup:2: .falseshare. already runs on line 1' "$tmp/err"
printf "topo --topology 'synthetic:pack:2\n" >quote
expect_usage $z run ./quote
expect_grep '^./quote:1: unterminated' "$tmp/err"
printf '# nothing\n' >empty
expect_usage $z run ./empty
expect_usage $z run no-such-suite
expect_usage $z run quick ci
expect_usage $z run --bogus
rm -f bad dup quote empty

# The quick suite: one folder, a report with plots.
need_cpus 2
expect_exit 0 $z run quick --out "$tmp/q"
d="$tmp/q"
[ -s "$d/report.md" ] || fail "no report.md"
expect_grep '^## Machine' "$d/report.md"
expect_grep '^## What makes numbers noisy here' "$d/report.md"
expect_grep '^## Headlines' "$d/report.md"
expect_grep 'packed counters .* vs padded' "$d/report.md"
expect_grep '^## falseshare' "$d/report.md"
expect_grep '\*\*Why it matters:\*\*' "$d/report.md"
expect_grep '!\[falseshare.png\](falseshare.png)' "$d/report.md"
grep -o '!\[[^]]*\]([^)]*)' "$d/report.md" | sed 's/.*(\(.*\))/\1/' |
	while read -r png; do png_ok "$d/$png"; done
json_ok "$d/meta.json"
python3 - "$d" "$src/experiments/quick" <<'EOF' || fail "meta.json or JSON fields"
import glob, json, os, sys
d, suite = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "meta.json")))
assert m["command"] == "run" and m["status"] == "complete", m["status"]
lines = m["suite"]["lines"]
want = [l.split()[0] for l in open(suite) if l.strip() and not l.lstrip().startswith("#")]
assert [l["command"] for l in lines] == want, (lines, want)
assert all(l["status"] in ("ok", "cannot run here") for l in lines), lines
assert os.path.exists(os.path.join(d, "topology.xml"))
n = 0
for p in sorted(glob.glob(os.path.join(d, "*.json"))):
    j = json.load(open(p))
    if "zcbench" not in j:
        continue
    n += 1
    # Bencher: context.caches is an array.
    assert isinstance(j["context"]["caches"], list), p
    assert isinstance(j["benchmarks"], list) and j["benchmarks"], p
    for b in j["benchmarks"]:
        # compare.py: name, real_time, cpu_time, time_unit;
        # github-action-benchmark: name, real_time, time_unit;
        # both: run_type, iterations.
        for k in ("name", "real_time", "cpu_time", "time_unit", "run_type", "iterations"):
            assert k in b, (p, k, b["name"])
        assert b["run_type"] in ("iteration", "aggregate"), b
        assert isinstance(b["iterations"], (int, float)), b
        assert b["time_unit"] in ("ns", "us", "ms", "s"), b
    assert os.path.exists(p[:-5] + ".meta.json"), p
assert n >= 1, "no command JSON"
EOF
no_temps "$d"

# plot DIR re-renders them; compare with itself is clean.
if command -v gnuplot >/dev/null; then
	rm -f "$d"/*.png
	expect_exit 0 $z plot "$d"
	png_ok "$d/falseshare.png"
fi
expect_exit 0 $z compare "$d" "$d"
expect_grep 'no regression' "$tmp/out"

# Ctrl-C: what finished is kept, the report says so, exit 130.
printf 'topo\nfalseshare --seconds 2 --repeat 20\ndoctor\n' >long
$z run ./long --out "$tmp/i" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do
	grep -q 'falseshare' "$tmp/err" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || fail "interrupted run exited $rc, expected 130"
[ -s "$tmp/i/report.md" ] || fail "interrupted run: no report.md"
expect_grep 'interrupted' "$tmp/i/report.md"
expect_grep '| 1 | `zcbench topo` | ok' "$tmp/i/report.md"
expect_grep '| 3 | `zcbench doctor` | not run' "$tmp/i/report.md"
grep -q '"status": "interrupted"' "$tmp/i/meta.json" || fail "meta.json: not interrupted"
no_temps "$tmp/i"
finish
