#!/usr/bin/env bash
# Builds the request-engine libraries (edgebench_request.h) of one engine build folder.
# native/build.sh calls it after building llama.cpp; it can also run on its own:
#
#   native/shim/build.sh <build folder> <llama.cpp source>
#
# Reads <build folder>/lib/libllama.so and writes <build folder>/shim/:
#   libedgebench_request_llama.so     the llama.cpp implementation (linked to that libllama), and the
#                                     log gate of ebr_log.h
#   libedgebench_request_scripted.so  the test double (tests only)
#   libedgebench_request_trtllm.so    only when TensorRT-LLM is given (below)
# and <build folder>/shim/request-engines.json (what was built, what was skipped and why).
#
# Environment:
#   CC, CXX          compilers (native/build.sh passes the ones CMake chose for the engine)
#   TRTLLM_ROOT      a TensorRT-LLM installation: headers in $TRTLLM_ROOT/include (a wheel's
#                    tensorrt_llm/include) or $TRTLLM_ROOT/cpp/include (a source tree), libraries
#                    in $TRTLLM_ROOT/lib, $TRTLLM_ROOT/libs or $TRTLLM_ROOT/cpp/build/tensorrt_llm
#   TRTLLM_INCLUDE, TRTLLM_LIB  the same, given one by one (override TRTLLM_ROOT)
#   TRTLLM_API       12 (v0.12.0-jetson) or 1 (1.x, e.g. v1.2.1); default: read from executor.h
#   TRTLLM_CXX11_ABI 0 or 1; default: read from libtensorrt_llm.so's symbols (1 when unknown)
#   CUDA_INCLUDE     CUDA headers for TensorRT-LLM's (default /usr/local/cuda/include)
# A library is rebuilt only when one of its inputs is newer than it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "native/shim/build.sh: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: native/shim/build.sh <build folder> <llama.cpp source>"
out=$(cd "$1" 2>/dev/null && pwd) || die "build folder '$1' does not exist"
src=$(cd "$2" 2>/dev/null && pwd) || die "llama.cpp source '$2' does not exist"
cc=${CC:-cc}
cxx=${CXX:-c++}
dst="$out/shim"
mkdir -p "$dst"
map="$here/ebr.map"
common=("$here/edgebench_request.h" "$here/ebr_common.h" "$map" "$here/build.sh")
# shellcheck disable=SC2054  # commas inside linker options, not separators
flags=(-O2 -g -fPIC -fvisibility=hidden -shared -Wall -Wextra -Werror -Wl,--version-script="$map" -Wl,-z,defs)

if [ ! -f "$dst/.abi-checked" ] || [ "$here/edgebench_request.h" -nt "$dst/.abi-checked" ] || [ "$here/test/abi_layout.c" -nt "$dst/.abi-checked" ]; then
  CC=$cc CXX=$cxx "$here/check-abi.sh" >/dev/null || die "edgebench_request.h no longer compiles as C11/C++17 (run native/shim/check-abi.sh)"
  touch "$dst/.abi-checked"
fi

# stale <output> <inputs...>: true when the output is missing or older than an input
stale() {
  local o=$1 i
  shift
  [ -f "$o" ] || return 0
  for i in "$@"; do [ "$i" -nt "$o" ] && return 0; done
  return 1
}

built=()
skipped=()

lib="$dst/libedgebench_request_scripted.so"
if stale "$lib" "$here/ebr_scripted.c" "${common[@]}"; then
  "$cc" -std=c11 -pedantic "${flags[@]}" -I"$here" "$here/ebr_scripted.c" -o "$lib.tmp" -lpthread
  mv "$lib.tmp" "$lib"
fi
built+=(scripted)

lib="$dst/libedgebench_request_llama.so"
if [ -e "$out/lib/libllama.so" ]; then
  if stale "$lib" "$here/ebr_llama.cpp" "$here/ebr_argmax.h" "$here/ebr_log.c" "$here/ebr_log.h" "$out/lib/libllama.so" \
      "$src/include/llama.h" "${common[@]}"; then
    # the log gate (ebr_log.h) lives in this library: the JVM loads it with llama.cpp in every profile
    "$cc" -std=c11 -pedantic -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I"$here" -c "$here/ebr_log.c" -o "$dst/ebr_log.o"
    "$cxx" -std=c++17 "${flags[@]}" -I"$here" -I"$src/include" -I"$src/ggml/include" "$here/ebr_llama.cpp" "$dst/ebr_log.o" \
      -L"$out/lib" -lllama -lggml-cpu -lggml-base -Wl,-rpath,"\$ORIGIN" -o "$lib.tmp" -lpthread
    mv "$lib.tmp" "$lib"
  fi
  built+=(llama)
else
  skipped+=("llama: no $out/lib/libllama.so (build the llama target first)")
fi

trt_inc=${TRTLLM_INCLUDE:-}
trt_lib=${TRTLLM_LIB:-}
if [ -n "${TRTLLM_ROOT:-}" ]; then
  [ -d "$TRTLLM_ROOT" ] || die "TRTLLM_ROOT='$TRTLLM_ROOT' is not a directory"
  for d in "$TRTLLM_ROOT/include" "$TRTLLM_ROOT/cpp/include"; do
    [ -z "$trt_inc" ] && [ -f "$d/tensorrt_llm/executor/executor.h" ] && trt_inc=$d
  done
  for d in "$TRTLLM_ROOT/lib" "$TRTLLM_ROOT/libs" "$TRTLLM_ROOT/cpp/build/tensorrt_llm"; do
    [ -z "$trt_lib" ] && [ -e "$d/libtensorrt_llm.so" ] && trt_lib=$d
  done
fi
lib="$dst/libedgebench_request_trtllm.so"
if [ -z "$trt_inc" ] && [ -z "$trt_lib" ] && [ -z "${TRTLLM_ROOT:-}" ]; then
  rm -f "$lib"
  skipped+=("trtllm: TRTLLM_ROOT (or TRTLLM_INCLUDE and TRTLLM_LIB) is not set")
  echo "native: trtllm request engine skipped: TRTLLM_ROOT (or TRTLLM_INCLUDE and TRTLLM_LIB) is not set" >&2
else
  executor_h="$trt_inc/tensorrt_llm/executor/executor.h"
  { [ -n "$trt_inc" ] && [ -f "$executor_h" ]; } || die "no tensorrt_llm/executor/executor.h under TRTLLM_INCLUDE/TRTLLM_ROOT ('${trt_inc:-${TRTLLM_ROOT:-}}')"
  { [ -n "$trt_lib" ] && [ -e "$trt_lib/libtensorrt_llm.so" ]; } || die "no libtensorrt_llm.so under TRTLLM_LIB/TRTLLM_ROOT ('${trt_lib:-${TRTLLM_ROOT:-}}'; tried lib, libs, cpp/build/tensorrt_llm)"
  plugin_dir=$trt_lib
  # a wheel keeps the plugin library next to libtensorrt_llm.so, a source build in plugins/
  [ -e "$plugin_dir/libnvinfer_plugin_tensorrt_llm.so" ] || plugin_dir="$trt_lib/plugins"
  [ -e "$plugin_dir/libnvinfer_plugin_tensorrt_llm.so" ] || die "no libnvinfer_plugin_tensorrt_llm.so in $trt_lib or $trt_lib/plugins"
  api=${TRTLLM_API:-}
  if [ -z "$api" ]; then
    if grep -q 'SizeType32 maxNewTokens' "$executor_h"; then api=12; else api=1; fi
  fi
  case "$api" in 12|1) ;; *) die "TRTLLM_API='$api' is not 12 (v0.12.0-jetson) or 1 (1.x)";; esac
  abi=${TRTLLM_CXX11_ABI:-}
  if [ -z "$abi" ]; then
    abi=1
    if command -v nm >/dev/null && ! nm -D --defined-only "$trt_lib/libtensorrt_llm.so" 2>/dev/null | grep -q __cxx11; then abi=0; fi
  fi
  cuda_inc=${CUDA_INCLUDE:-/usr/local/cuda/include}
  [ -f "$cuda_inc/cuda_fp16.h" ] || die "no cuda_fp16.h in CUDA_INCLUDE='$cuda_inc' (TensorRT-LLM's headers include it)"
  if stale "$lib" "$here/ebr_trtllm.cpp" "$executor_h" "$trt_lib/libtensorrt_llm.so" "${common[@]}"; then
    "$cxx" -std=c++17 "${flags[@]}" -DENABLE_BF16 -DEBR_TRTLLM_API="$api" -D_GLIBCXX_USE_CXX11_ABI="$abi" \
      -I"$here" -I"$trt_inc" -I"$cuda_inc" "$here/ebr_trtllm.cpp" \
      -L"$trt_lib" -L"$plugin_dir" -ltensorrt_llm -lnvinfer_plugin_tensorrt_llm \
      -Wl,-rpath,"$trt_lib" -Wl,-rpath,"$plugin_dir" -o "$lib.tmp" -lpthread
    mv "$lib.tmp" "$lib"
  fi
  built+=("trtllm (API $api, CXX11 ABI $abi, $trt_inc)")
fi

{
  printf '{"built": ['
  sep=""
  for b in "${built[@]}"; do printf '%s"%s"' "$sep" "$b"; sep=", "; done
  printf '], "skipped": ['
  sep=""
  for s in "${skipped[@]+"${skipped[@]}"}"; do printf '%s"%s"' "$sep" "$(printf '%s' "$s" | sed 's/\\/\\\\/g; s/"/\\"/g')"; sep=", "; done
  printf ']}\n'
} > "$dst/request-engines.json.tmp"
if cmp -s "$dst/request-engines.json.tmp" "$dst/request-engines.json"; then
  rm -f "$dst/request-engines.json.tmp"
else
  mv "$dst/request-engines.json.tmp" "$dst/request-engines.json"
fi
