#!/usr/bin/env bash
# Runs the C tests of the request engines against a build folder's libraries:
#
#   native/shim/test.sh [build folder] [model.gguf]
#
# build folder: default native/build/cpu; the scripted test always runs, the greedy-token test
# when the llama.cpp source is there (LLAMA_CPP_SRC, default native/src/llama.cpp), the llama test
# when a GGUF model is given (e.g. edgebench-tiny from the model forge). With a model of a large
# vocabulary (Llama-3.2-1B: 128,256) the greedy test prints what choosing a token costs each way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build/cpu}
model=${2:-}
lib=$(cd "$build/lib" 2>/dev/null && pwd) || { echo "native/shim/test.sh: no lib/ in '$build' (run native/build.sh)" >&2; exit 2; }
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/check-abi.sh"
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -I"$here" "$here/test/scripted_test.c" \
  -L"$lib" -ledgebench_request_scripted -Wl,-rpath,"$lib" -o "$tmp/scripted_test"
"$tmp/scripted_test" "$tmp"
# greedy tokens: ebr_first_argmax against llama.cpp's own greedy sampler (drawn vectors; with a
# model, its real logits and the cost per token of each, interleaved)
src=${LLAMA_CPP_SRC:-$here/../src/llama.cpp}
if [ -f "$src/include/llama.h" ] && [ -e "$lib/libllama.so" ]; then
  "$cc" -std=c11 -O2 -Wall -Wextra -pedantic -Werror -I"$here" -I"$src/include" -I"$src/ggml/include" "$here/test/greedy_test.c" \
    -L"$lib" -lllama -lggml-base -lm -Wl,-rpath,"$lib" -o "$tmp/greedy_test"
  if ! "$tmp/greedy_test" ${model:+"$model"} 2>"$tmp/greedy.log"; then
    tail -40 "$tmp/greedy.log" >&2
    exit 1
  fi
else
  echo "native/shim/test.sh: greedy test skipped (no llama.cpp source at $src or no libllama.so in $lib)"
fi
if [ -n "$model" ]; then
  [ -f "$model" ] || { echo "native/shim/test.sh: no model file '$model'" >&2; exit 2; }
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -I"$here" "$here/test/llama_test.c" \
    -L"$lib" -ledgebench_request_llama -Wl,-rpath,"$lib" -o "$tmp/llama_test"
  # the engine's own log goes to a file; it is shown when the test fails
  if ! "$tmp/llama_test" "$model" 2>"$tmp/llama.log"; then
    tail -40 "$tmp/llama.log" >&2
    exit 1
  fi
else
  echo "native/shim/test.sh: llama test skipped (no model given)"
fi
