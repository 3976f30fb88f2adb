#!/usr/bin/env bash
# Header-exact compile check of ebr_trtllm.cpp against TensorRT-LLM's own headers at a pin,
# for a machine with network access (a CI runner); nothing of TensorRT-LLM is kept in the
# repository.
#
#   native/shim/trtllm-check-headers.sh <pin> [work folder]
#     pin: v0.12.0-jetson (commit 20a7cec991b83dace860bfc32e57eb59d65a6ad3, EBR_TRTLLM_API=12)
#          v1.2.1          (EBR_TRTLLM_API=1)
#          or any tag/commit, with EBR_TRTLLM_API set
#
# Fetches only cpp/include of NVIDIA/TensorRT-LLM at the pin (sparse, no LFS), compiles with
# g++ -std=c++17 -fsyntax-only -DENABLE_BF16 and CUDA's headers (CUDA_INCLUDE, default
# /usr/local/cuda/include), and prints one line per TensorRT-LLM header the compile read:
#   <pin> <commit> <path> <sha256>
# (the format of native/shim/trtllm-headers.sha256).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "native/shim/trtllm-check-headers.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: native/shim/trtllm-check-headers.sh <pin> [work folder]"
pin=$1
work=${2:-$(mktemp -d)}
case "$pin" in
  v0.12.0-jetson) ref=20a7cec991b83dace860bfc32e57eb59d65a6ad3; api=${EBR_TRTLLM_API:-12};;
  v1.2.1) ref=v1.2.1; api=${EBR_TRTLLM_API:-1};;
  *) ref=$pin; api=${EBR_TRTLLM_API:-}; [ -n "$api" ] || die "pin '$pin' is not known: set EBR_TRTLLM_API (12 or 1)";;
esac
cuda_inc=${CUDA_INCLUDE:-/usr/local/cuda/include}
[ -f "$cuda_inc/cuda_fp16.h" ] || die "no cuda_fp16.h in CUDA_INCLUDE='$cuda_inc'"
command -v git >/dev/null || die "git is not installed"
src="$work/TensorRT-LLM-$pin"
if [ ! -d "$src/.git" ]; then
  git init -q "$src"
  git -C "$src" remote add origin https://github.com/NVIDIA/TensorRT-LLM.git
  git -C "$src" sparse-checkout set --no-cone /cpp/include/
fi
GIT_LFS_SKIP_SMUDGE=1 git -C "$src" fetch -q --depth 1 origin "$ref"
GIT_LFS_SKIP_SMUDGE=1 git -C "$src" checkout -q FETCH_HEAD
commit=$(git -C "$src" rev-parse HEAD)
inc="$src/cpp/include"
deps="$work/deps-$pin.txt"
g++ -std=c++17 -fsyntax-only -H -Wall -Wextra -Werror -DENABLE_BF16 -DEBR_TRTLLM_API="$api" \
  -I"$here" -I"$inc" -I"$cuda_inc" "$here/ebr_trtllm.cpp" 2> "$deps" || { cat "$deps" >&2; die "ebr_trtllm.cpp does not compile against $pin ($commit)"; }
echo "native/shim: ebr_trtllm.cpp compiles against TensorRT-LLM $pin ($commit, EBR_TRTLLM_API=$api)" >&2
sed -n 's/^\.* //p' "$deps" | grep -F "$inc/" | sort -u | while read -r h; do
  printf '%s %s %s %s\n' "$pin" "$commit" "${h#"$inc"/}" "$(sha256sum "$h" | cut -d' ' -f1)"
done
