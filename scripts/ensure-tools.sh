#!/usr/bin/env bash
# Makes sure the build tools are there: cmake, a C/C++ compiler, git, make, and (unless
# LLAMA_CPP_SRC names a checkout) npm; with `maven` as first argument, Maven too; with `browser`,
# only Debian's chromium and shellcheck (compare's HTML report test, make lint-ci); with
# `jetson-abi`, the aarch64 C cross compiler and the user-mode emulator (the struct-layout test);
# with `jetson`, also the C++ cross compiler and the aarch64 runtime libraries the engine needs
# under emulation (glibc, libstdc++, libgomp for its OpenMP; make check-jetson). Missing ones
# are installed from Debian's packages when this runs as root with apt-get; otherwise the
# script names what to install and fails.
set -euo pipefail
want=(cmake:cmake c++:g++ git:git make:make)
[ -n "${LLAMA_CPP_SRC:-}" ] || want+=(npm:npm)
case "${1:-}" in
  maven) want+=(mvn:maven);;
  # the HTML report's browser test and the workflow lint's shellcheck pass
  browser) want=(chromium:chromium shellcheck:shellcheck);;
  # qemu-user-static: statically linked, so it needs no host libraries beyond the kernel
  jetson-abi) want=(aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu qemu-aarch64-static:qemu-user-static
                    /usr/aarch64-linux-gnu/lib/libc.a:libc6-dev-arm64-cross);;
  jetson) want=(aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu aarch64-linux-gnu-g++:g++-aarch64-linux-gnu
                qemu-aarch64-static:qemu-user-static
                /usr/aarch64-linux-gnu/lib/libc.a:libc6-dev-arm64-cross
                /usr/aarch64-linux-gnu/lib/libc.so.6:libc6-arm64-cross
                /usr/aarch64-linux-gnu/lib/libstdc++.so.6:libstdc++6-arm64-cross
                /usr/aarch64-linux-gnu/lib/libgomp.so.1:libgomp1-arm64-cross);;
esac
missing=()
for w in "${want[@]}"; do
  what=${w%%:*}
  case "$what" in
    /*) [ -e "$what" ] || missing+=("${w#*:}");;
    *) command -v "$what" >/dev/null 2>&1 || missing+=("${w#*:}");;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: installing ${missing[*]} (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "ensure-tools: missing ${missing[*]}; install them (Debian/Ubuntu: apt-get install ${missing[*]})" >&2
exit 2
