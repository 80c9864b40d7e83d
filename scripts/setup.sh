#!/usr/bin/env bash
# Install zcbench's build and run-time dependencies (Debian 12).
# Required: hwloc, libnuma, libpfm4, jansson, gnuplot, cmake, a C compiler.
# Optional, each degrading cleanly when absent (zcbench skips what needs
# it and says why): ck_ring and boost::lockfree (ring peers), io_uring,
# python3 with NumPy, Node.js with koffi (ffi hosts), rustc (ffi's Rust
# consumer).
#
# Debian packages go in with --no-install-recommends. Node.js and npm come
# from Debian unless a node/npm is already on PATH (an image may ship
# another build, whose packages conflict with Debian's npm). koffi comes
# from the npm registry into scripts/node_modules (project-local, never
# global); a failed download is a warning: the node paths are then skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

KOFFI=koffi@3.3.4 # pinned: the ffi numbers should not move with it

pkgs=(build-essential cmake pkg-config git
      libhwloc-dev hwloc-nox libnuma-dev numactl libpfm4-dev
      libjansson-dev gnuplot-nox
      libck-dev libboost-dev liburing-dev python3 python3-numpy rustc
      nettle-dev)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# koffi for zcbench ffi's Node.js host (scripts/ffi_host.js). Its native
# part is a prebuilt binary in a platform package that npm picks as an
# optional dependency, so no install script needs to run.
if [ ! -f scripts/node_modules/koffi/package.json ]; then
	if command -v npm >/dev/null 2>&1; then
		echo "setup: npm install $KOFFI into scripts/node_modules" >&2
		npm install --prefix scripts --no-save --no-package-lock \
			--ignore-scripts --no-audit --no-fund --loglevel=error \
			"$KOFFI" >/dev/null ||
			echo "setup: warning: koffi not installed; zcbench ffi's node paths will be skipped" >&2
	else
		echo "setup: warning: no npm; zcbench ffi's node paths will be skipped" >&2
	fi
fi
