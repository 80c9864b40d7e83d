#!/usr/bin/env bash
# Make sure clang can build libFuzzer programs (-fsanitize=fuzzer with ASan
# and UBSan), installing clang and its runtime (libclang-rt-<N>-dev on
# Debian 12) when it cannot. Exit 0 when it can, 1 (with the reason on
# stderr) when it still cannot. Separate from setup.sh: only the fuzz
# runs of scripts/test.sh and scripts/fuzz.sh need it.
set -uo pipefail

can_fuzz() {
	local d rc
	command -v clang >/dev/null 2>&1 || return 1
	d=$(mktemp -d) || return 1
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$d/t.c"
	clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" >/dev/null 2>&1 &&
		"$d/t" -runs=1 >/dev/null 2>&1
	rc=$?
	rm -rf "$d"
	return $rc
}

can_fuzz && exit 0
pkgs=(clang)
if command -v clang >/dev/null 2>&1; then
	major=$(clang -dumpversion | cut -d. -f1)
	pkgs+=("libclang-rt-$major-dev")
else
	pkgs+=(libclang-rt-dev)
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! command -v apt-get >/dev/null 2>&1 ||
	{ [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; }; then
	echo "setup-fuzz: clang with libFuzzer is missing and cannot be installed here (no apt-get or sudo)" >&2
	exit 1
fi
echo "setup-fuzz: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1
$sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1
can_fuzz && exit 0
echo "setup-fuzz: clang cannot build a libFuzzer program (installing ${pkgs[*]} did not help)" >&2
exit 1
