#!/usr/bin/env bash
# Regenerates bindings/src with the jextract on PATH (`make bindings`). Every library is
# generated into a temporary folder first; the committed bindings and header hashes are
# replaced only when all of them generated, so a jextract that fails (libclang 16 on nvml.h,
# a missing header) leaves them as they were.
#
#   scripts/generate-bindings.sh [NVML_INCLUDE]   NVML_INCLUDE: the folder holding nvml.h
#                                                 (default /usr/local/cuda/include; none: NVML kept)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
nvml_include=${1:-/usr/local/cuda/include}
pkg=dev/edgebench/bindings

# jextract is in no package registry: put one on PATH (https://jdk.java.net/jextract/).
command -v jextract >/dev/null || { echo "make bindings: jextract is not on PATH" >&2; exit 2; }
native/fetch-source.sh

mkdir -p target
tmp=$(mktemp -d "$root/target/bindings.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

generate() {
  local lib=$1; shift
  # the argument file as committed, writing into the temporary folder
  sed "s|^--output .*|--output $tmp/src|" "bindings/$lib.args" > "$tmp/$lib.args"
  if ! jextract "@$tmp/$lib.args" "$@"; then
    echo "make bindings: jextract failed on bindings/$lib.args${*:+ $*}; the committed bindings are unchanged" >&2
    exit 1
  fi
  [ -d "$tmp/src/$pkg/$lib" ] || { echo "make bindings: jextract wrote no $pkg/$lib; the committed bindings are unchanged" >&2; exit 1; }
}

libs=(llama ggml request)
generate llama
generate ggml
# the request-engine ABI is this project's own header (native/shim)
generate request
{ echo "# bindings/src/$pkg/request was generated (bindings/request.args) from this header; \`make bindings\` regenerates both."
  sha256sum native/shim/edgebench_request.h; } > "$tmp/request-header.sha256"
# and so is the NVTX wrapper the profilers' ranges go through (native/profiling)
generate nvtx
libs+=(nvtx)
{ echo "# bindings/src/$pkg/nvtx was generated (bindings/nvtx.args) from this header; \`make bindings\` regenerates both."
  sha256sum native/profiling/edgebench_nvtx.h; } > "$tmp/nvtx-header.sha256"
# nvml.h comes with CUDA (or NVML's dev package), not with the pinned engine source
if [ -f "$nvml_include/nvml.h" ]; then
  generate nvml "$nvml_include/nvml.h"
  libs+=(nvml)
  { echo "# bindings/src/$pkg/nvml was generated (bindings/nvml.args) from $nvml_include/nvml.h"
    (cd "$nvml_include" && sha256sum nvml.h); } > "$tmp/nvml-header.sha256"
else
  echo "bindings: no nvml.h in NVML_INCLUDE=$nvml_include: NVML bindings kept as committed" >&2
fi
scripts/header-hashes.sh > "$tmp/headers.sha256"

# everything generated: swap it in
for lib in "${libs[@]}"; do
  [ -d "bindings/src/$pkg/$lib" ] && mv "bindings/src/$pkg/$lib" "$tmp/committed-$lib"
  mv "$tmp/src/$pkg/$lib" "bindings/src/$pkg/$lib"
done
mv "$tmp/headers.sha256" bindings/headers.sha256
mv "$tmp/request-header.sha256" bindings/request-header.sha256
mv "$tmp/nvtx-header.sha256" bindings/nvtx-header.sha256
[ -f "$tmp/nvml-header.sha256" ] && mv "$tmp/nvml-header.sha256" bindings/nvml-header.sha256
echo "bindings: regenerated ${libs[*]}; header hashes in bindings/headers.sha256"
