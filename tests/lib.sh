# Shared helpers for the CLI tests (sourced). Needs ZCBENCH.
set -u
: "${ZCBENCH:?ZCBENCH must name the zcbench binary}"
fails=0
tmp=$(mktemp -d /tmp/zc-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect_exit CODE CMD...: run, check the exit status, keep stdout/stderr.
expect_exit() {
	local want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		fail "'$*' exited $got, expected $want"
		sed 's/^/    | /' "$tmp/err" | head -20 >&2
	fi
}

# expect_usage CMD...: exit 2, a one-line 'zcbench' message, nothing left.
expect_usage() {
	local before after
	before=$(find "$tmp" -mindepth 1 -not -name out -not -name err | sort)
	expect_exit 2 "$@"
	grep -q '^zcbench' "$tmp/err" || fail "'$*': no 'zcbench ...' message"
	after=$(find "$tmp" -mindepth 1 -not -name out -not -name err | sort)
	[ "$before" = "$after" ] || fail "'$*' left files behind: $after"
}

expect_grep() { # PATTERN FILE
	grep -q -- "$1" "$2" || { fail "'$1' not in $2"; sed 's/^/    | /' "$2" | head -30 >&2; }
}

json_ok() { # FILE: parses with a real JSON parser
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" ||
		fail "$1 is not valid JSON"
}

png_ok() { # FILE: non-empty PNG
	[ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "$1 is not a non-empty PNG"
}

no_temps() { # DIR: no temporary files left
	local t
	t=$(find "$1" -name '.*.tmp.*')
	[ -z "$t" ] || fail "temporary files left: $t"
}

# need_cpus N: what follows measures on N CPUs; on a smaller machine the
# test ends here, skipped (77) when nothing failed so far, never passed.
need_cpus() {
	local have
	have=$(nproc)
	[ "$have" -ge "$1" ] && return 0
	[ "$fails" -gt 0 ] && finish
	echo "skipped: the rest needs $1 CPUs, this machine has $have" >&2
	exit 77
}

# expect_sigint DIR SECONDS CMD...: CMD, writing its results into DIR, is
# sent SIGINT after SECONDS: it exits 130, meta.json says interrupted, and
# no temporary file is left.
expect_sigint() {
	local dir=$1 secs=$2 pid rc
	shift 2
	"$@" >/dev/null 2>"$tmp/err" &
	pid=$!
	sleep "$secs"
	kill -INT $pid
	wait $pid
	rc=$?
	[ $rc = 130 ] || fail "SIGINT: '$*' exited $rc, expected 130"
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1] + "/meta.json"))
assert m["status"] == "interrupted", m["status"]' "$dir" ||
		fail "$dir/meta.json does not say interrupted"
	no_temps "$dir"
}

finish() {
	if [ "$fails" -gt 0 ]; then
		echo "$fails failure(s)" >&2
		exit 1
	fi
	exit 0
}

# slow_build FILE FACTOR [CASE]: a "build" that runs $ZCBENCH and then
# multiplies every falseshare ns_per_op sample it wrote (falseshare.json in
# the folder named last on its command line) by FACTOR, only in the cases
# whose name holds CASE when given: a doctored regression.
slow_build() {
	cat >"$1" <<SH
#!/bin/sh
[ "\$1" = --version ] && exec $ZCBENCH --version
$ZCBENCH "\$@" || exit \$?
for a in "\$@"; do out=\$a; done
[ -f "\$out/falseshare.json" ] || exit 0 # a dry run, or no falseshare
python3 - "\$out/falseshare.json" <<'PY'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
for c in j["zcbench"]["cases"]:
    s = c.get("samples", {})
    if "ns_per_op" in s and "${3:-}" in c["name"]:
        s["ns_per_op"] = [v * $2 if v is not None else v for v in s["ns_per_op"]]
json.dump(j, open(p, "w"))
PY
SH
	chmod +x "$1"
}
