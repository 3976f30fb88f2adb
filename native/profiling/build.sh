#!/usr/bin/env bash
# Builds libedgebench_nvtx.so (edgebench_nvtx.h over NVTX 3) into <build folder>/profiling/.
# native/build.sh calls it for the profiles with CUDA; it can also run on its own:
#
#   native/profiling/build.sh <build folder> [CUDA include folder]   (default /usr/local/cuda/include)
#
# NVTX 3 is header-only (nvtx3/nvToolsExt.h, shipped with every CUDA toolkit): the library needs
# the headers and libdl, not the CUDA runtime, so it loads on any machine. CPU builds have no
# library; the JVM side then refuses NVTX ranges with a message naming the file it looked for.
# Environment: CC (default cc). The library is rebuilt only when an input is newer than it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "native/profiling/build.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: native/profiling/build.sh <build folder> [CUDA include folder]"
out=$(cd "$1" 2>/dev/null && pwd) || die "build folder '$1' does not exist"
inc=${2:-${CUDA_INCLUDE:-/usr/local/cuda/include}}
[ -f "$inc/nvtx3/nvToolsExt.h" ] || die "no nvtx3/nvToolsExt.h under '$inc' (NVTX 3 comes with the CUDA toolkit)"
cc=${CC:-cc}
dst="$out/profiling"
lib="$dst/libedgebench_nvtx.so"
mkdir -p "$dst"
inputs=("$here/edgebench_nvtx.c" "$here/edgebench_nvtx.h" "$here/build.sh" "$inc/nvtx3/nvToolsExt.h")
for i in "${inputs[@]}"; do
  if [ ! -f "$lib" ] || [ "$i" -nt "$lib" ]; then
    "$cc" -std=c11 -O2 -g -fPIC -fvisibility=hidden -shared -Wall -Wextra -Werror -Wl,-z,defs \
      -I"$here" -I"$inc" "$here/edgebench_nvtx.c" -o "$lib.tmp" -ldl
    mv "$lib.tmp" "$lib"
    break
  fi
done
echo "$lib"
