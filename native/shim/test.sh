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
# ebr_first_argmax on each path: the host's, the portable lanes, and NEON under qemu where it can
"$cc" -std=c11 -O2 -Wall -Wextra -pedantic -Werror -I"$here" "$here/test/argmax_test.c" -lm -o "$tmp/argmax_test"
"$tmp/argmax_test"
"$cc" -std=c11 -O2 -Wall -Wextra -pedantic -Werror -U__SSE2__ -I"$here" "$here/test/argmax_test.c" -lm -o "$tmp/argmax_test_portable"
"$tmp/argmax_test_portable"
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64-static >/dev/null; then
  aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -pedantic -Werror -static -I"$here" "$here/test/argmax_test.c" -lm -o "$tmp/argmax_test_a64"
  qemu-aarch64-static "$tmp/argmax_test_a64"
else
  echo "native/shim/test.sh: argmax NEON path not checked (no aarch64-linux-gnu-gcc or qemu-aarch64-static)"
fi
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
  # the log gate, directly and as llama.cpp's callback
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -I"$here" -I"$src/include" -I"$src/ggml/include" "$here/test/log_gate_test.c" \
    -L"$lib" -ledgebench_request_llama -lllama -lggml-base -Wl,-rpath,"$lib" -o "$tmp/log_gate_test"
  "$tmp/log_gate_test"
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
    grep '^FAIL' "$tmp/llama.log" >&2
    exit 1
  fi
  # the decode-step diagnostic (llama-bench's batch against edgebench's) builds and runs
  "$cc" -std=c11 -O2 -Wall -Wextra -pedantic -Werror -I"$src/include" -I"$src/ggml/include" "$here/test/decode_loop.c" \
    -L"$lib" -lllama -lggml-base -lggml-cpu -Wl,-rpath,"$lib" -o "$tmp/decode_loop"
  "$tmp/decode_loop" "$model" 1 16 2 0 | tail -1
  # the prefill-after-a-pause probe builds and runs
  "$cc" -std=c11 -O2 -Wall -Wextra -pedantic -Werror -I"$src/include" -I"$src/ggml/include" "$here/test/prefill_gap.c" \
    -L"$lib" -lllama -lggml-base -lggml-cpu -Wl,-rpath,"$lib" -o "$tmp/prefill_gap"
  "$tmp/prefill_gap" "$model" 1 16 2 0 0,5 | tail -1
else
  echo "native/shim/test.sh: llama test skipped (no model given)"
fi
