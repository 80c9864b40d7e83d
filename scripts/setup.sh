#!/usr/bin/env bash
# Install zcbench's build and run-time dependencies (Debian 12).
# Required: hwloc, libnuma, libpfm4, jansson, gnuplot, cmake, a C compiler.
# Optional peers (ck_ring, io_uring, python3) degrade cleanly when absent.
set -euo pipefail

pkgs=(build-essential cmake pkg-config git
      libhwloc-dev hwloc-nox libnuma-dev numactl libpfm4-dev
      libjansson-dev gnuplot-nox
      libck-dev liburing-dev python3 nettle-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
