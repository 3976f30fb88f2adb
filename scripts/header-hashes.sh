#!/usr/bin/env bash
# Prints the sha256 of every header the bindings are generated from, paths relative to the
# llama.cpp source root: the record that tests compare the pinned source against.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${LLAMA_CPP_SRC:-$root/native/src/llama.cpp}
cd "$src"
for h in include/llama.h ggml/include/ggml.h ggml/include/ggml-alloc.h ggml/include/ggml-backend.h \
         ggml/include/ggml-cpu.h ggml/include/ggml-opt.h ggml/include/gguf.h; do
  sha256sum "$h"
done
