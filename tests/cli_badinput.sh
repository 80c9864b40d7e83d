#!/usr/bin/env bash
# Description: bad input, as a new user would give it, to every command:
# every option kind (unknown, missing value, empty, out of range, malformed
# numbers, repeated list values, unknown words, contradictions) and every
# file kind (missing, folder, FIFO, devices, symlinks, huge, corrupt,
# wrong types, other schema, no cases, duplicates, bad suites, not XML);
# each exits 1 or 2 with a "zcbench ..." message within 5 s, with no
# sanitizer report, no file created or replaced, no process left
# Labels: cli
# Timeout: 300
. "$(dirname "$0")/lib.sh"
Z=$ZCBENCH
src=${ZC_SRCDIR:-$(dirname "$0")/..}
# Children carry this marker: a process left behind shows in /proc. It is
# given to zcbench only, so this shell and its helpers do not carry it.
mark=cli_badinput_$$
n=0

# Everything an invocation could touch: the scratch folder (the current
# folder too: results/runs would appear here) and the devices.
snap() {
	find "$tmp" -mindepth 1 -not -name out -not -name err \
		-not -path "$tmp/${OUTDIR:-.none}" -not -path "$tmp/${OUTDIR:-.none}/*" \
		-printf '%p %y %s %i %T@ %m %l\n' | sort
	stat -c '%n %F %t:%T' /dev/full /dev/null /dev/zero
}

leftovers() {
	local p
	for p in $(grep -lsz "^ZC_BADINPUT_MARK=$mark\$" /proc/[0-9]*/environ); do
		p=${p#/proc/}
		p=${p%/environ}
		echo "$p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}

# bad CODES ARGS...: zcbench ARGS exits with one of CODES ("2", "1|2"),
# says "zcbench ..." on stderr, within 5 s, and changes nothing.
# STDOUT=FILE sends its standard output there (default: a file here);
# OUTDIR=DIR (under the scratch folder) may change inside DIR (its --out).
bad() {
	local want=$1 rc before after left
	shift
	n=$((n + 1))
	before=$(snap)
	ZC_BADINPUT_MARK=$mark timeout -k 2 5 "$Z" "$@" </dev/null \
		>"${STDOUT:-$tmp/out}" 2>"$tmp/err"
	rc=$?
	after=$(snap)
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		fail "#$n 'zcbench $*': hung (killed after 5 s)"
	elif ! [[ "|$want|" == *"|$rc|"* ]]; then
		fail "#$n 'zcbench $*': exit $rc, expected $want"
		sed 's/^/    | /' "$tmp/err" | head -8 >&2
	fi
	grep -q '^zcbench' "$tmp/err" ||
		fail "#$n 'zcbench $*': no 'zcbench ...' message: $(head -c 300 "$tmp/err")"
	if grep -qiE 'sanitizer|runtime error|segmentation|core dumped' "$tmp/err"; then
		fail "#$n 'zcbench $*': crashed"
		grep -iE -A5 'sanitizer|runtime error' "$tmp/err" | head -12 >&2
	fi
	[ "$before" = "$after" ] ||
		fail "#$n 'zcbench $*' changed files: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -5)"
	left=$(leftovers)
	[ -z "$left" ] || fail "#$n 'zcbench $*' left processes: $left"
}

# ---- inputs ------------------------------------------------------------------
mkdir good empty
python3 - good <<'EOF'
import json, sys
d = sys.argv[1]
def case(name, ns, status="ok"):
    c = {"name": name, "status": status, "reason": "", "repetitions": 5,
         "params": {"stride": name.split(":")[-1]}, "absent": {},
         "samples": {"ns_per_op": [ns * (1 + 0.001 * i) for i in range(5)],
                     "slowdown": [ns / 10 * (1 + 0.001 * i) for i in range(5)]},
         "sentinel": {"before": [50.0] * 5, "after": [51.0] * 5, "regime": [0] * 5},
         "regimes": [{"regime": 0, "handoff_ns": 50.5, "samples": 5, "share": 1.0,
                      "moved": 0, "metrics": {}}]}
    return c
res = {"context": {"caches": []}, "zcbench": {
    "schema_version": 1, "command": "falseshare", "interrupted": False,
    "metrics": [{"name": "ns_per_op", "unit": "ns", "better": "lower", "portable": False},
                {"name": "slowdown", "unit": "x", "better": "lower", "portable": True}],
    "params": ["stride"], "options": {},
    "cases": [case("falseshare/stride:8", 40), case("falseshare/stride:128", 10)],
    "regimes": [{"cpus": [0, 1], "regimes": [{"regime": 0, "handoff_ns": 50.5, "lo": 50,
                 "hi": 51, "values": 10, "share": 1.0, "drifting": False}],
                 "samples": 10, "moved": 0}]},
    "benchmarks": []}
json.dump(res, open(d + "/falseshare.json", "w"), indent=1)
json.dump({"schema_version": 1, "host": "h", "status": "complete",
           "cpu": {"model": "m"}}, open(d + "/meta.json", "w"))
EOF
G=good/falseshare.json
# result files, each wrong in one way (name: what is wrong)
python3 - "$G" <<'EOF'
import copy, json, sys
g = json.load(open(sys.argv[1]))
def put(name, f):
    j = copy.deepcopy(g)
    f(j)
    json.dump(j, open(name + ".json", "w"))
z = lambda j: j["zcbench"]
c0 = lambda j: z(j)["cases"][0]
def setp(path):
    def f(j):
        o = j
        for k in path[:-2]:
            o = o[k]
        o[path[-2]] = path[-1]
    return f
put("sample-string", lambda j: c0(j)["samples"]["ns_per_op"].__setitem__(1, "12"))
put("sample-object", lambda j: c0(j)["samples"]["ns_per_op"].__setitem__(0, {}))
put("sample-bool", lambda j: c0(j)["samples"]["ns_per_op"].__setitem__(0, True))
put("samples-object", lambda j: c0(j)["samples"].__setitem__("ns_per_op", {"a": 1}))
put("samples-array", lambda j: c0(j).__setitem__("samples", [1, 2]))
put("samples-undeclared", lambda j: c0(j)["samples"].__setitem__("mops", [1, 2, 3, 4, 5]))
put("samples-count", lambda j: c0(j)["samples"]["ns_per_op"].pop())
put("cases-object", lambda j: z(j).__setitem__("cases", {}))
put("cases-empty", lambda j: z(j).__setitem__("cases", []))
put("case-string", lambda j: z(j)["cases"].__setitem__(0, "falseshare/stride:8"))
put("case-noname", lambda j: c0(j).pop("name"))
put("case-status", lambda j: c0(j).__setitem__("status", "great"))
put("case-dup", lambda j: z(j)["cases"][1].__setitem__("name", c0(j)["name"]))
put("metrics-object", lambda j: z(j).__setitem__("metrics", {}))
put("metric-noname", lambda j: z(j)["metrics"][0].pop("name"))
put("metric-nobetter", lambda j: z(j)["metrics"][0].pop("better"))
put("metric-better", lambda j: z(j)["metrics"][0].__setitem__("better", "faster"))
put("metric-dup", lambda j: z(j)["metrics"][1].__setitem__("name", "ns_per_op"))
put("schema-other", lambda j: z(j).__setitem__("schema_version", 2))
put("schema-string", lambda j: z(j).__setitem__("schema_version", "1"))
put("schema-missing", lambda j: z(j).pop("schema_version"))
put("command-number", lambda j: z(j).__setitem__("command", 7))
put("zcbench-array", lambda j: j.__setitem__("zcbench", []))
put("no-section", lambda j: j.pop("zcbench"))
put("regime-string", lambda j: c0(j)["sentinel"]["regime"].__setitem__(0, "far"))
put("regime-undeclared", lambda j: c0(j)["sentinel"]["regime"].__setitem__(0, 3))
put("regimes-object", lambda j: c0(j).__setitem__("regimes", {}))
put("handoff-string", lambda j: c0(j)["regimes"][0].__setitem__("handoff_ns", "50"))
put("sentinel-array", lambda j: c0(j).__setitem__("sentinel", []))
put("runregimes-object", lambda j: z(j).__setitem__("regimes", {}))
put("interrupted-string", lambda j: z(j).__setitem__("interrupted", "no"))
put("reason-number", lambda j: c0(j).__setitem__("reason", 1))
put("repetitions-big", lambda j: c0(j).__setitem__("repetitions", 1000))
put("name-long", lambda j: c0(j).__setitem__("name", "falseshare/" + "x" * 300))
put("metric-long", lambda j: z(j)["metrics"][0].__setitem__("name", "m" * 120))
put("samples-many", lambda j: c0(j)["samples"].__setitem__("ns_per_op", [1.0] * 101))
text = json.dumps(g)
open("truncated.json", "w").write(text[: len(text) // 2])
open("nan.json", "w").write(text.replace("40.0,", "NaN,", 1))
open("infinity.json", "w").write(text.replace("40.0,", "Infinity,", 1))
open("dupkey.json", "w").write(text.replace('"status": "ok"', '"status": "ok", "status": "ok"', 1))
open("garbage.json", "w").write("\x00\x01binary\xff")
open("empty.json", "w").write("")
open("array.json", "w").write("[]")
open("deep.json", "w").write("[" * 100000)
EOF
mkfifo fifo fifo.json fifo.xml
ln -s fifo.json link-fifo.json
ln -s nowhere.json link-dangling.json
ln -s "$tmp/$G" link-good.json
mkdir dir.json
truncate -s 300M huge.json
truncate -s 2M huge.suite
truncate -s 80M huge.xml
printf 'this is not XML\n' >notxml.xml
# XML files hwloc reads but zcbench cannot plan for (a PU's OS index
# beyond 65535, one whose cpuset is another index)
cp "$src/tests/fuzz/corpus/topo/crash-os-index-4294967294.xml" \
	"$src/tests/fuzz/corpus/topo/os-index-2000000000.xml" \
	"$src/tests/fuzz/corpus/topo/os-index-cpuset.xml" \
	"$src/tests/fuzz/corpus/topo/crash-hwloc-cpuset-syntax.xml" .
printf '<?xml version="1.0"?>\n<topology><object type="Machine"' >truncated.xml
printf '<?xml version="1.0"?>\n<topology version="2.0"></topology>\n' >empty-topo.xml
# folders wrong in one way
mkdir twofiles badmeta arraymeta fifodir
cp "$G" twofiles/a.json
cp "$G" twofiles/b.json
cp "$G" badmeta/
printf '{"host": 7}' >badmeta/meta.json
cp "$G" arraymeta/
printf '[]' >arraymeta/meta.json
cp "$G" fifodir/
mkfifo fifodir/x.json
mkdir manyfiles manycmds # more *.json than a results folder holds
(cd manyfiles && touch $(seq -f '%g.json' 1 4097))
for i in $(seq 1 65); do
	sed "s/\"command\": \"falseshare\"/\"command\": \"c$i\"/" "$G" >"manycmds/c$i.json"
done
# suites wrong in one way
printf 'falseshare --stride 12\n' >s-range
printf 'nosuch --x\n' >s-command
printf 'falseshare --stride 64,64\n' >s-repeat
printf 'topo --out elsewhere\n' >s-out
printf 'falseshare --dry-run\n' >s-dry
printf 'compare a b\n' >s-nosuite
printf 'falseshare\nfalseshare --quick\n' >s-dup
printf "topo --topology 'synthetic:pack:2\n" >s-quote
printf 'topo "x\n' >s-dquote
printf '# nothing\n\n' >s-empty
printf 'zcbench\n' >s-zcbench
printf 'topo\0\n' >s-nul
for i in $(seq 1 130); do echo "topo --threads $i"; done >s-lines
{ printf 'topo'; for i in $(seq 1 70); do printf ' --quiet'; done; echo; } >s-words
printf 'falseshare --seconds 0x1p3\n' >s-hex
printf 'topo --topology synthetic:pu:0x2000\n' >s-topo
printf 'events --bogus\n' >s-events
printf 'falseshare -h\n' >s-help
printf 'topo --topology fifo.xml\n' >s-fifo
printf 'falseshare --topology synthetic:pu:2\n' >s-plan
mkdir outfile-parent
printf 'x' >outfile-parent/file
printf 'keep' >victim.json
ln -s victim.json link-victim.json
chmod 444 victim.json

# ---- the hub -----------------------------------------------------------------
bad 2 --bogus
bad 2 -x
bad 2 nosuch
bad 2 ''
bad 2 help nosuch
bad 2 FALSESHARE

# ---- options of every command, made from its -h --------------------------------
# Values that no option of that kind takes.
int_bad=("0x10" "+5" " 5" "5 " "1.5" "99999999999999999999" "five" "1e3")
num_bad=("nan" "inf" "0x1p3" " 1" "1," "1e999" "." "-")
word_bad=("bogus" "ALL" " on")
list_bad=("bogus" "0x40" "8,,64" "," "8," " 8" "99999999999999999999")

# opts CMD SECTION: "name|metavar|valid|default" of the section's options.
opts() {
	"$Z" "$1" -h | awk -v sec="$2" '
	/^[a-z-]+ options:$/ { insec = ($1 == sec); next }
	/^$/ { if (name && insec) print name "|" mv "|" valid "|" def; name = ""; next }
	!insec { next }
	/^  --/ { if (name) print name "|" mv "|" valid "|" def
		  name = $1; sub(/^--/, "", name); mv = ($2 ~ /^[A-Z]+$/) ? $2 : ""
		  valid = ""; def = ""; next }
	/^ +valid: / { sub(/^ +valid: /, ""); valid = $0; next }
	/^ +default: / { sub(/^ +default: /, ""); def = $0 }
	END { if (name && insec) print name "|" mv "|" valid "|" def }'
}

# option_cases CMD SECTION EXTRA...: bad values for each option of SECTION.
# EXTRA (e.g. --dry-run) keeps a value wrongly accepted from measuring.
option_cases() {
	local c=$1 sec=$2 name mv valid def k lo hi first i=0
	shift 2
	while IFS='|' read -r name mv valid def; do
		i=$((i + 1))
		if [ -z "$mv" ]; then # a flag
			bad 2 "$c" "$@" "--$name=1"
			continue
		fi
		bad 2 "$c" "$@" "--$name"    # no value
		bad 2 "$c" "$@" "--$name="   # empty
		case $valid in
		"an integer "*)
			lo=${valid#an integer }; hi=${lo#*..}; lo=${lo%%..*}
			bad 2 "$c" "$@" "--$name" "$((hi + 1))"
			bad 2 "$c" "$@" "--$name" "$((lo - 1))"
			bad 2 "$c" "$@" "--$name" "${int_bad[i % ${#int_bad[@]}]}"
			bad 2 "$c" "$@" "--$name" "${int_bad[(i + 3) % ${#int_bad[@]}]}"
			;;
		"a number "*)
			hi=${valid#a number }; hi=${hi#*..}
			bad 2 "$c" "$@" "--$name" "${hi}1"
			bad 2 "$c" "$@" "--$name" "-1"
			bad 2 "$c" "$@" "--$name" "${num_bad[i % ${#num_bad[@]}]}"
			bad 2 "$c" "$@" "--$name" "${num_bad[(i + 4) % ${#num_bad[@]}]}"
			;;
		"one of "*)
			bad 2 "$c" "$@" "--$name" "${word_bad[i % ${#word_bad[@]}]}"
			;;
		"integers "* | "a list of "*)
			# the first valid value, twice
			first=${def%% *}; first=${first%%,*}
			[ -n "$first" ] || { first=${valid#a list of }; first=${first%%,*}; }
			bad 2 "$c" "$@" "--$name" "$first,$first"
			bad 2 "$c" "$@" "--$name" "${list_bad[i % ${#list_bad[@]}]}"
			bad 2 "$c" "$@" "--$name" "${list_bad[(i + 2) % ${#list_bad[@]}]}"
			case $valid in
			"a list of "*) bad 2 "$c" "$@" "--$name" "all,all" ;;
			*)
				hi=${valid#integers }; hi=${hi#*..}; hi=${hi%%[!0-9]*}
				bad 2 "$c" "$@" "--$name" "$((hi + 1))"
				;;
			esac
			;;
		esac
	done < <(opts "$c" "$sec")
}

for c in c2c falseshare ffi ring sendfile wait topo; do
	bad 2 "$c" --dry-run --no-such-option
	bad 2 "$c" --dry-run extra-argument
	option_cases "$c" "$c" --dry-run
done
option_cases falseshare global --dry-run
for c in compare export; do
	bad 2 "$c" --no-such-option "$G" "$G"
	option_cases "$c" "$c" "$G"
done
option_cases run run
option_cases ab ab nosuch-base nosuch-new -- ci
bad 2 ab --no-such-option nosuch-base nosuch-new -- ci
bad 2 ab nosuch-base
bad "1|2" ab nosuch-base nosuch-new -- ci
bad "1|2" ab /dev/null /dev/null -- ci
bad "1|2" ab ./fifo ./fifo -- ci
for c in doctor events plot; do
	bad 2 "$c" --no-such-option
done

# ---- contradictions and global values per command ----------------------------
bad 2 falseshare --topology synthetic:pu:2
bad 2 topo --topology synthetic:pu:0x2000
bad 2 topo --topology synthetic:pu:5000
bad 2 topo --topology 'synthetic:pack:2 core:+4'
bad 2 topo --topology synthetic:
bad 2 topo --topology nosuch.xml
bad 2 falseshare --dry-run --cpus 0-1,1
bad 2 falseshare --dry-run --cpus 99999
bad 2 falseshare --dry-run --cpus 3-1
bad 2 falseshare --dry-run --cpus 0x1
bad 2 falseshare --dry-run --cpus ' 0,+1' --place cpus
bad 2 falseshare --dry-run --cpus 0-+1 --place cpus
bad 2 falseshare --dry-run --events bogus
bad 2 falseshare --dry-run --events ,
bad 2 falseshare --dry-run --events cycles,bogus
bad 2 falseshare --dry-run --events task-clock,task-clock
bad 2 ring --dry-run --events cycles,CYCLES
bad 2 ffi --dry-run --capacity 64 --batch 128
bad 2 ffi --dry-run --place cpus
bad 2 ffi --dry-run --paths call,bogus
bad 2 ring --dry-run --capacity 64 --batch 128
bad 2 wait --dry-run --place l3,l3,l3
bad 2 sendfile --dry-run --cache hot,hot,hot
bad 2 ffi --dry-run --paths all,all
# lists multiply: beyond ZC_BENCH_MAX_CASES the sweep is refused, fast
bad 2 ring --dry-run --size "$(seq -s, 32 8 536)" --batch "$(seq -s, 1 64)" \
	--mode all --transport all --place all
for c in doctor events topo; do
	bad 2 "$c" --repeat 0
	bad 2 "$c" --timeout inf
	bad 2 "$c" extra-argument
done
bad 2 compare "$G"
# BASE... NEW: at most 64 BASE runs
bad 2 compare $(for i in $(seq 66); do echo "$G"; done)
bad 2 compare "$G" "$G" --metrics "a,,b"
bad 2 compare "$G" "$G" --metrics ""
bad 2 compare
bad 2 compare "$G" "$G" --alpha 0
bad 2 compare "$G" "$G" --alpha 0.7
bad 2 compare "$G" "$G" --threshold -5
bad 2 export
bad 2 export "$G" "$G"
bad 2 plot
bad 2 plot good good
bad 2 run quick ci
bad 2 run nosuch-suite
bad 2 falseshare --out '' --dry-run

# very long values and paths
long=$(printf '8,%.0s' $(seq 1 5000))8
lp=$(printf 'a%.0s' $(seq 1 5000))
bad 2 falseshare --dry-run --stride "$long"
bad 2 falseshare --dry-run --events "$(printf 'cycles%.0s' $(seq 1 100))"
bad 2 topo --topology "synthetic:$(printf 'pu:1 %.0s' $(seq 1 3000))"
bad 1 compare "$lp" good
bad 1 export --output "$lp/x.json" good
bad 2 falseshare --quick --out "$lp"
bad 2 run "$lp"

# ---- files: results ------------------------------------------------------------
for f in nosuch.json empty dir.json fifo.json /dev/null /dev/full /dev/zero \
	link-fifo.json link-dangling.json huge.json truncated.json nan.json \
	infinity.json dupkey.json garbage.json empty.json array.json deep.json \
	sample-string.json sample-object.json sample-bool.json \
	samples-object.json samples-array.json samples-undeclared.json \
	samples-count.json cases-object.json cases-empty.json case-string.json \
	case-noname.json case-status.json case-dup.json metrics-object.json \
	metric-noname.json metric-nobetter.json metric-better.json \
	metric-dup.json schema-other.json schema-string.json \
	schema-missing.json command-number.json zcbench-array.json \
	no-section.json regime-string.json regime-undeclared.json \
	regimes-object.json handoff-string.json sentinel-array.json \
	runregimes-object.json interrupted-string.json reason-number.json \
	repetitions-big.json name-long.json metric-long.json samples-many.json \
	twofiles badmeta arraymeta fifodir manyfiles manycmds; do
	bad 1 compare "$f" good
	bad 1 export "$f"
	# NEW is read by the same code: a sample suffices
	k=$((${k:-0} + 1))
	[ $((k % 3)) -ne 0 ] || bad 1 compare good "$f"
done
# ---- files: where results go ---------------------------------------------------
bad 1 export --output /dev/full good
bad 1 export --output /dev/null good
bad 1 export --output fifo good
bad 1 export --output dir.json good
bad 1 export --output link-victim.json good
bad 1 export --output link-dangling.json good
bad 1 export --output /proc/x.json good
bad 1 export --output nosuch-dir/x.json good
bad 1 export --output outfile-parent/file/x.json good
bad 1 compare --json /dev/full good good
bad 1 compare --json /proc/x.json good good
bad 1 compare --json fifo good good
bad 1 compare --json dir.json good good
bad 1 compare --json link-victim.json good good
bad 1 compare --json nosuch-dir/x.json good good
bad 2 falseshare --quick --out /dev/full
bad 2 falseshare --quick --out outfile-parent/file
bad 2 falseshare --quick --out outfile-parent/file/sub
bad 2 falseshare --quick --out fifo
bad 2 run --out /dev/null quick
bad 2 run --out outfile-parent/file quick
[ "$(cat victim.json)" = keep ] || fail "victim.json was replaced"
[ -c /dev/full ] || fail "/dev/full is no longer a character device"
# A results folder holding what a writer must not replace: each is refused
# (exit 1) and left as it was; the run writes nothing else outside it.
printf 'topo\n' >s-good
mkdir p-meta p-topo p-report p-txt
mkfifo p-meta/meta.json
ln -s "$tmp/victim.json" p-topo/topology.xml
ln -s "$tmp/victim.json" p-report/report.md
mkfifo p-txt/topo.txt
for p in p-meta p-topo p-report p-txt; do
	OUTDIR=$p bad 1 run ./s-good --out "$p"
done
# a benchmark refuses before it measures (77 where it cannot run at all)
mkdir p-json p-csv
mkfifo p-json/falseshare.json
ln -s "$tmp/victim.json" p-csv/falseshare.csv
for p in p-json p-csv; do
	OUTDIR=$p bad "1|77" falseshare --quick --stride 8 --op atomic \
		--seconds 0.01 --out "$p"
done
[ -p p-json/falseshare.json ] && [ -L p-csv/falseshare.csv ] ||
	fail "a benchmark replaced a FIFO or symlink in its folder"
[ -p p-meta/meta.json ] && [ -p p-txt/topo.txt ] &&
	[ -L p-topo/topology.xml ] && [ -L p-report/report.md ] ||
	fail "a run replaced a FIFO or symlink in its folder"
[ "$(cat victim.json)" = keep ] || fail "victim.json was written through a symlink"
# ---- files: suites, topologies, plot folders ------------------------------------
for s in s-range s-command s-repeat s-out s-dry s-nosuite s-dup s-quote \
	s-dquote s-empty s-zcbench s-nul s-lines s-words s-hex s-topo s-events \
	s-help s-fifo s-plan huge.suite fifo dir.json /dev/null /dev/zero \
	link-fifo.json link-dangling.json; do
	[ "${s#/}" != "$s" ] || s=./$s
	bad 2 run "$s" --dry-run
	bad 2 run "$s" --out runs
done
for x in fifo.xml huge.xml notxml.xml truncated.xml empty-topo.xml dir.json \
	crash-os-index-4294967294.xml os-index-2000000000.xml os-index-cpuset.xml \
	crash-hwloc-cpuset-syntax.xml \
	/dev/null /dev/zero link-fifo.json link-dangling.json nosuch.xml; do
	bad 2 topo --topology "$x"
	bad 2 falseshare --dry-run --topology "$x"
done
for d in nosuch fifo /dev/null good/falseshare.json link-fifo.json; do
	bad 2 plot "$d"
done
bad 1 plot empty

# ---- standard output that cannot be written --------------------------------------
# (a full disk or a closed pipe must not pass for success)
for args in "topo" "topo -h" "compare -h" "doctor" "events" "falseshare --dry-run" \
	"ffi --dry-run" "ring --dry-run" "sendfile --dry-run" "wait --dry-run" \
	"topo --format json" "events --format csv" "doctor --format json" \
	"compare good good" "compare good good --format json" "export good" \
	"run --dry-run quick" "help" "help topo" "help --markdown" "--version"; do
	# shellcheck disable=SC2086
	STDOUT=/dev/full bad 1 $args
done
[ -c /dev/full ] || fail "/dev/full is no longer a character device"

echo "$n bad invocations checked" >&2
[ "$n" -ge 200 ] || fail "only $n invocations (the table should hold 200 or more)"
finish
