#!/usr/bin/env bash
# Prints the model architectures (GGUF general.architecture values) a llama.cpp source tree can
# load, one per line: the LLM_ARCH_NAMES table of src/llama-arch.cpp, without its "(unknown)"
# entry and the entries it marks as dummies. native/build.sh keeps this list beside each build's
# manifest.json (architectures.txt) so that edgebench refuses other architectures up front.
#
#   native/architectures.sh <llama.cpp source folder>
set -euo pipefail
src=${1:?usage: native/architectures.sh <llama.cpp source folder>}
f="$src/src/llama-arch.cpp"
[ -f "$f" ] || { echo "native/architectures.sh: no $f (not a llama.cpp source tree of 2025 or later)" >&2; exit 2; }
names=$(awk '/LLM_ARCH_NAMES *= *\{/,/^\};/' "$f" | grep -v 'dummy' |
  sed -n 's/^ *{ *LLM_ARCH_[A-Z0-9_]*, *"\([^"]*\)" *}.*/\1/p' | grep -vx '(unknown)' || true)
[ -n "$names" ] || { echo "native/architectures.sh: found no LLM_ARCH_NAMES table in $f" >&2; exit 2; }
printf '%s\n' "$names"
