#!/usr/bin/env bash
# Checks the Jetson profiles as far as an x86-64 host without a board allows (make check-jetson):
#   1. cross-compiles the aarch64 CPU engine with each Jetson profile's CPU flags (Debian's
#      aarch64-linux-gnu toolchain): Orin armv8.2-a+dotprod+fp16, Thor armv9-a+i8mm+bf16;
#   2. runs both under qemu-aarch64 with a CPU model that exposes what the flags need and no more
#      than the board has (Orin: cortex-a76, Armv8.2-A with dot product and FP16, no SVE, no int8
#      matrix multiply; Thor: max with 128-bit SVE2 vectors, int8 matrix multiply, BF16, SME off):
#      the pinned llama-simple and llama-bench, test-backend-ops, and native/check/greedy-logits;
#      greedy choices must equal the x86-64 build's (or be ties), logits agree within a tolerance (below);
#   3. the struct layouts of the bindings on aarch64 (AbiLayoutTest, compiled for aarch64 and run
#      under the emulator, and for this host);
#   4. compiles ggml CUDA sources for sm_87 (Orin) and sm_110 (Thor) with the local nvcc, compile only.
#      ggml's CUDA headers include cuBLAS; without its headers (CUBLAS_INCLUDE, or the CUDA toolkit's
#      include folder) this step is reported as skipped, with the reason. The whole CUDA engine for
#      both architectures is built on a GPU host instead: scripts/gpu-session.sh jetson-cuda 87|110.
# An emulator proves that the code runs and computes the same numbers; it says nothing about speed.
# JETSON_CHECKS picks the parts (default "cross emulate abi cuda"); e.g. JETSON_CHECKS=cuda on a GPU host.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
t_start=$(date +%s)
results=()
record() { results+=("$1|$2|$3"); }
work="$root/native/build/jetson-check"
mkdir -p "$work"
checks=" ${JETSON_CHECKS:-cross emulate abi cuda} "
wanted() { [[ "$checks" == *" $1 "* ]]; }

# Greedy decoding of the tiny model, as llama-simple and LlamaSimpleParityNativeTest do it.
PROMPT="The quick brown fox jumps over"
N_PREDICT=16
MODEL_TYPES=${MODEL_TYPES:-"Q4_0 Q8_0 F16"}
# Logits are compared in the same context: the aarch64 run is fed the x86-64 run's tokens
# (greedy-logits run ... FORCED) and its own greedy choices are compared with x86-64's.
# Accepted difference, relative to a step's largest |logit|: twice what the x86-64 build itself
# moves when attention is computed the other of its two ways (the fused flash-attention kernel,
# whose V accumulator is half precision, or two matrix products); llama.cpp treats both as the
# same model. Floor STRICT_TOL. ARM's half-precision kernels round in one of the two ways (the
# Orin build's FP16 vector arithmetic in the matrix products, the Thor build's SVE in the fused
# kernel's V accumulation, where the softmax weight is rounded to half), and the q8_0 re-quantization
# of activations before every quantized product turns such roundings into whole quantization steps
# (1/127 of a block's largest value): the same size as x86-64's own two ways. For quantized models,
# at least one attention path must also agree within STRICT_TOL (float32 summation order only).
# A differing greedy choice is accepted only as a tie: where x86-64's two best logits were closer
# than twice that step's largest difference.
# F16 weights on the Orin build add one more: its FP16 vector arithmetic accumulates the weight
# products themselves in half precision (32 partial sums of up to n_ff/32 = 8 terms for the tiny
# model, each addition rounded to 2^-11), so there the floor is 8 * 2^-11 = 3.9e-3.
STRICT_TOL=${STRICT_TOL:-1e-5}
F16_ACC_TOL=${F16_ACC_TOL:-3.9e-3}
declare -A CPU_MODEL=([armv8.2]=cortex-a76 [armv9]="max,sve128=on,sme=off")
declare -A PROFILE_OF=([armv8.2]=jetson-orin [armv9]=jetson-thor)

have_cross=1
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || have_cross=0
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
sysroot=${QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}
emu() { local cpu=$1; shift; "$qemu" -cpu "$cpu" -L "$sysroot" "$@"; }

# 1. cross-compiled CPU builds
for isa in armv8.2 armv9; do
  wanted cross || break
  profile=${PROFILE_OF[$isa]}
  name="cpu-$isa-aarch64"
  if [ "$have_cross" = 0 ]; then
    record "$profile CPU cross-build ($isa)" SKIP "no aarch64-linux-gnu-g++ (scripts/ensure-tools.sh jetson)"
    continue
  fi
  start=$(date +%s)
  if CROSS=aarch64 CPU_ISA=$isa BUILD_NAME=$name TARGETS="llama ggml llama-simple llama-bench test-backend-ops" native/build.sh cpu; then
    secs=$(( $(date +%s) - start ))
    lib=$(readlink -f "native/build/$name/lib/libllama.so")
    flags=$(sed -n 's/.*"cpuBackendFlags": "\(.*\)",/\1/p' "native/build/$name/manifest.json" | grep -o -- '-march=[^ ]*' || true)
    if file -b "$lib" | grep -q 'ARM aarch64' && file -b "native/build/$name/bin/llama-bench" | grep -q 'ARM aarch64'; then
      built=$(sed -n 's/.*"buildSeconds": \([0-9]*\).*/\1/p' "native/build/$name/manifest.json")
      record "$profile CPU cross-build ($isa)" PASS "ARM aarch64 ELF, $flags, built in ${built}s (manifest), checked in ${secs}s, native/build/$name"
    else
      record "$profile CPU cross-build ($isa)" FAIL "unexpected architecture: $(file -b "$lib")"
    fi
  else
    record "$profile CPU cross-build ($isa)" FAIL "build failed (native/build/$name/build.log)"
  fi
done

# 2. the aarch64 builds executed under emulation, compared with the x86-64 build
emulate() {
  local ref="$root/native/build/cpu" s rc
  if [ -z "$qemu" ] || [ "$have_cross" = 0 ]; then
    record "emulated runs" SKIP "needs qemu-aarch64(-static) and the aarch64 cross toolchain (scripts/ensure-tools.sh jetson)"
    return
  fi
  if [ ! -f "$ref/lib/libllama.so" ]; then
    native/build.sh cpu || { record "emulated runs" FAIL "the x86-64 reference build (native/build.sh cpu) failed"; return; }
  fi
  local jar="$root/target/benchmarks.jar"
  [ -f "$jar" ] || { record "emulated runs" FAIL "$jar is missing (make build)"; return; }
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  local inc=(-I "$root/native/src/llama.cpp/include" -I "$root/native/src/llama.cpp/ggml/include")
  gcc -std=c11 -O2 -o "$work/greedy-logits-x86_64" native/check/greedy-logits.c "${inc[@]}" \
    -L "$ref/lib" -Wl,-rpath,"$ref/lib" -lllama -lggml -lggml-base -lm ||
    { record "emulated runs" FAIL "native/check/greedy-logits.c did not compile for x86-64"; return; }
  aarch64-linux-gnu-gcc -O2 -static -o "$work/arm-features" native/check/arm-features.c ||
    { record "emulated runs" FAIL "native/check/arm-features.c did not compile for aarch64"; return; }

  local t models=()
  local -A tol=()
  for t in $MODEL_TYPES; do
    local m
    m=$("$java" --enable-native-access=ALL-UNNAMED -Dedgebench.profile=cpu -jar "$jar" forge "edgebench-tiny:$t" | grep -o '[^[:space:]]*\.gguf' | tail -1)
    [ -f "$m" ] || { record "forge edgebench-tiny:$t" FAIL "no model file (forge printed '${m}')"; continue; }
    # the x86-64 reference: llama-simple's text, greedy-logits' tokens and logits
    "$ref/bin/llama-simple" -m "$m" -n "$N_PREDICT" "$PROMPT" > "$work/simple-x86_64-$t.txt" 2>/dev/null
    if ! { "$work/greedy-logits-x86_64" run "$m" "$N_PREDICT" "$work/logits-x86_64-$t-fa.bin" "$PROMPT" > "$work/tokens-x86_64-$t-fa.txt" &&
           "$work/greedy-logits-x86_64" run --no-flash-attn "$m" "$N_PREDICT" "$work/logits-x86_64-$t-mm.bin" "$PROMPT" > "$work/tokens-x86_64-$t-mm.txt" &&
           "$work/greedy-logits-x86_64" run --no-flash-attn "$m" "$N_PREDICT" "$work/logits-x86_64-$t-self.bin" "$PROMPT" \
             "$work/tokens-x86_64-$t-fa.txt" > /dev/null; }; then
      record "x86-64 reference $t" FAIL "greedy-logits failed"
      continue
    fi
    # the x86-64 build against itself: fused attention vs matrix products, same tokens
    "$work/greedy-logits-x86_64" diff "$work/logits-x86_64-$t-fa.bin" "$work/logits-x86_64-$t-self.bin" > "$work/logits-diff-x86_64-$t-self.txt"
    local self
    self=$(tail -1 "$work/logits-diff-x86_64-$t-self.txt" | awk '{print $4}')
    tol[$t]=$(awk -v s="$self" -v f="$STRICT_TOL" 'BEGIN { t = 2 * s; if (t < f) t = f; printf "%.2e", t }')
    models+=("$t=$m")
    record "x86-64 $t: fused vs matrix-product attention" INFO "max_rel $self: tolerance for $t ${tol[$t]}"
  done

  local isa cpu dir feats
  for isa in armv8.2 armv9; do
    cpu=${CPU_MODEL[$isa]}
    dir="$root/native/build/cpu-$isa-aarch64"
    [ -f "$dir/lib/libllama.so" ] || { record "$isa emulated" SKIP "no cross build at $dir"; continue; }
    feats=$(emu "$cpu" "$work/arm-features")
    record "$isa qemu -cpu $cpu" INFO "exposes: $feats"
    aarch64-linux-gnu-gcc -std=c11 -O2 -o "$work/greedy-logits-$isa" native/check/greedy-logits.c "${inc[@]}" \
      -L "$dir/lib" -Wl,-rpath,"$dir/lib" -lllama -lggml -lggml-base -lm ||
      { record "$isa greedy-logits" FAIL "native/check/greedy-logits.c did not compile for aarch64"; continue; }
    local entry
    for entry in "${models[@]}"; do
      t=${entry%%=*}
      local m=${entry#*=} mode strict=9 tie_step=""
      for mode in fa mm; do
        local opt=() base="$isa-$t-$mode"
        [ $mode = mm ] && opt=(--no-flash-attn)
        emu "$cpu" "$work/greedy-logits-$isa" run "${opt[@]}" "$m" "$N_PREDICT" "$work/logits-$base.bin" "$PROMPT" \
          "$work/tokens-x86_64-$t-$mode.txt" > "$work/tokens-$base.txt" 2> "$work/tokens-$base.err"
        rc=$?
        if [ $rc -ne 0 ]; then
          record "$isa $t ($mode attention)" FAIL "greedy-logits exit $rc: $(tail -2 "$work/tokens-$base.err" | tr '\n' ' ')"
          continue
        fi
        "$work/greedy-logits-x86_64" diff "$work/logits-x86_64-$t-$mode.bin" "$work/logits-$base.bin" > "$work/logits-diff-$base.txt"
        local summary rel verdict ties
        summary=$(tail -1 "$work/logits-diff-$base.txt")
        rel=$(echo "$summary" | awk '{print $4}')
        strict=$(awk -v a="$strict" -v b="$rel" 'BEGIN { print (b + 0 < a + 0) ? b : a }')
        # greedy choices: equal, or ties (x86-64's top-2 margin below twice the step's difference)
        ties=$(paste <(sed -n 's/^generated //p' "$work/tokens-x86_64-$t-$mode.txt" | tr ' ' '\n') \
                     <(sed -n 's/^generated //p' "$work/tokens-$base.txt" | tr ' ' '\n') |
               awk -v diff="$work/logits-diff-$base.txt" '
                 BEGIN { while ((getline l < diff) > 0) { split(l, f, " "); if (f[1] == "step") { abs[f[2]] = f[4]; margin[f[2]] = f[10] } } }
                 { if ($1 != $2) { s = NR - 1; printf "%s%s", (n++ ? "," : ""), s; if (margin[s] + 0 > 2 * abs[s]) bad = 1 } }
                 END { if (bad) printf " UNEXPLAINED" }')
        verdict=PASS
        local limit=${tol[$t]}
        [ "$isa" = armv8.2 ] && [ "$t" = F16 ] && limit=$(awk -v a="$limit" -v b="$F16_ACC_TOL" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
        awk -v r="$rel" -v t="$limit" 'BEGIN { exit !(r + 0 <= t + 0) }' || verdict=FAIL
        case "$ties" in
          *UNEXPLAINED) verdict=FAIL;;
          "") ;;
          *) [ $verdict = PASS ] && verdict=TIE; tie_step=${tie_step:-${ties%%,*}};;
        esac
        record "$isa $t ($mode attention)" $verdict "max_rel $rel (tolerance $limit), greedy choices $( [ -z "$ties" ] && echo "equal x86-64's" || echo "differ at step(s) $ties, each a tie"); $(echo "$summary" | cut -d' ' -f1-2,7-8)"
      done
      if [ "$t" != F16 ]; then
        if awk -v r="$strict" -v t="$STRICT_TOL" 'BEGIN { exit !(r + 0 <= t + 0) }'; then
          record "$isa $t strict" PASS "one attention path agrees with x86-64's within $STRICT_TOL (max_rel $strict)"
        else
          record "$isa $t strict" FAIL "neither attention path agrees with x86-64's within $STRICT_TOL (best max_rel $strict)"
        fi
      fi
      # llama-simple as pinned, free running: its text equals x86-64's unless a tie was found above
      s=$(date +%s)
      emu "$cpu" "$dir/bin/llama-simple" -m "$m" -n "$N_PREDICT" "$PROMPT" > "$work/simple-$isa-$t.txt" 2> "$work/simple-$isa-$t.err"
      rc=$?
      if [ $rc -ne 0 ]; then
        record "$isa llama-simple $t" FAIL "exit $rc under -cpu $cpu: $(tail -2 "$work/simple-$isa-$t.err" | tr '\n' ' ')"
      elif cmp -s "$work/simple-x86_64-$t.txt" "$work/simple-$isa-$t.txt"; then
        record "$isa llama-simple $t" PASS "text equals x86-64's ($(( $(date +%s) - s ))s emulated)"
      elif [ -n "$tie_step" ]; then
        record "$isa llama-simple $t" TIE "text parts from x86-64's after the tie at step $tie_step (see above)"
      else
        record "$isa llama-simple $t" FAIL "text differs from x86-64's: $(diff "$work/simple-x86_64-$t.txt" "$work/simple-$isa-$t.txt" | head -4 | tr '\n' ' ')"
      fi
    done
    # llama-bench: that it runs through its prompt and generation tests; its speed is the emulator's
    local m=${models[0]#*=}
    if emu "$cpu" "$dir/bin/llama-bench" -m "$m" -p 32 -n 8 -r 1 -t 4 -o csv > "$work/bench-$isa.csv" 2> "$work/bench-$isa.err" &&
       [ "$(grep -c '^"' "$work/bench-$isa.csv")" -ge 2 ]; then
      record "$isa llama-bench" PASS "pp32 and tg8 ran on ${models[0]%%=*} (tok/s under emulation are not a speed)"
    else
      record "$isa llama-bench" FAIL "$(tail -2 "$work/bench-$isa.err" | tr '\n' ' ')"
    fi
    # test-backend-ops compares each backend with the CPU backend; this build has only the CPU one
    emu "$cpu" "$dir/bin/test-backend-ops" test > "$work/test-backend-ops-$isa.txt" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q 'Skipping CPU backend' "$work/test-backend-ops-$isa.txt"; then
      record "$isa test-backend-ops test" INFO "ran; one backend (CPU) only, so it compared nothing: $(grep -m1 'backends passed' "$work/test-backend-ops-$isa.txt")"
    else
      record "$isa test-backend-ops test" FAIL "exit $rc: $(tail -3 "$work/test-backend-ops-$isa.txt" | tr '\n' ' ')"
    fi
  done

  # negative control: the Thor build on the Orin CPU model must stop on an instruction that CPU lacks,
  # which shows the CPU models above really limit what the code may use
  if [ -x "$work/greedy-logits-armv9" ] && [ ${#models[@]} -gt 0 ]; then
    emu "${CPU_MODEL[armv8.2]}" "$work/greedy-logits-armv9" run "${models[0]#*=}" 2 "$work/control.bin" "$PROMPT" > /dev/null 2> "$work/control.err"
    rc=$?
    if [ $rc -ne 0 ]; then
      record "control: armv9 build on -cpu ${CPU_MODEL[armv8.2]}" PASS "refused as it must (exit $rc: $(grep -m1 -io 'illegal instruction' "$work/control.err" || tail -1 "$work/control.err"))"
    else
      record "control: armv9 build on -cpu ${CPU_MODEL[armv8.2]}" FAIL "ran although the CPU model lacks SVE2/i8mm: the CPU model does not limit the code"
    fi
  fi
}
if wanted emulate; then
  emulate
fi

# 3. struct layouts of the bindings, aarch64 under emulation and this host
if wanted abi; then
  mvn=${MVN:-mvn}
  if "$mvn" -q -B -o -Dtest=AbiLayoutTest -Dsurefire.failIfNoSpecifiedTests=false -Dedgebench.abi.require=true test > "$work/abi.log" 2>&1 ||
     "$mvn" -q -B -Dtest=AbiLayoutTest -Dsurefire.failIfNoSpecifiedTests=false -Dedgebench.abi.require=true test > "$work/abi.log" 2>&1; then
    record "struct layouts (AbiLayoutTest)" PASS "$(grep -h '^abi-layout' target/surefire-reports/*AbiLayoutTest-output.txt 2>/dev/null | sed 's/ (.*//' | paste -sd';')"
  else
    record "struct layouts (AbiLayoutTest)" FAIL "see $work/abi.log and target/abi/"
  fi
fi

# 4. CUDA compile-only for the Jetson architectures
src=${LLAMA_CPP_SRC:-$root/native/src/llama.cpp}
nvcc=$(command -v nvcc || true)
if ! wanted cuda; then
  :
elif [ -z "$nvcc" ]; then
  record "CUDA compile sm_87/sm_110" SKIP "no nvcc on PATH"
else
  cuda_inc="$(dirname "$(readlink -f "$(command -v nvcc)")")/../include"
  [ -f "$cuda_inc/cuda_runtime.h" ] || cuda_inc=$(dirname "$(find /usr/local/cuda* -name cuda_runtime.h 2>/dev/null | head -1)" 2>/dev/null)
  cublas_inc=${CUBLAS_INCLUDE:-}
  if [ -z "$cublas_inc" ]; then
    for d in "$cuda_inc" /usr/local/cuda/include /usr/include $(python3 -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "include"))' 2>/dev/null); do
      [ -f "$d/cublas_v2.h" ] && { cublas_inc=$d; break; }
    done
  fi
  nvcc_version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  if [ -z "$cublas_inc" ]; then
    record "CUDA compile sm_87/sm_110" SKIP "nvcc $nvcc_version found, but no cuBLAS headers (ggml-cuda includes cublas_v2.h); set CUBLAS_INCLUDE"
  else
    out=$(mktemp -d)
    for arch in 87 110; do
      for f in mmvq.cu norm.cu rope.cu softmax.cu template-instances/mmq-instance-q4_0.cu template-instances/fattn-vec-instance-f16-f16.cu; do
        [ -f "$src/ggml/src/ggml-cuda/$f" ] || { record "CUDA sm_$arch $f" SKIP "not in this llama.cpp"; continue; }
        start=$(date +%s)
        if "$nvcc" -std=c++17 -O3 -c -use_fast_math -extended-lambda -Xcompiler -fPIC \
            -gencode "arch=compute_$arch,code=sm_$arch" -DGGML_USE_CUDA -DGGML_CUDA_USE_GRAPHS -DGGML_SCHED_MAX_COPIES=4 \
            -I "$src/ggml/include" -I "$src/ggml/src" -I "$src/ggml/src/ggml-cuda" -I "$cublas_inc" \
            "$src/ggml/src/ggml-cuda/$f" -o "$out/$(basename "$f").sm$arch.o" 2>"$out/err"; then
          kb=$(( $(stat -c %s "$out/$(basename "$f").sm$arch.o") / 1024 ))
          record "CUDA sm_$arch $f" PASS "nvcc $nvcc_version, ${kb} KiB object, $(( $(date +%s) - start ))s"
        else
          record "CUDA sm_$arch $f" FAIL "$(head -3 "$out/err" | tr '\n' ' ')"
        fi
      done
    done
    rm -rf "$out"
  fi
fi

echo
printf '%-44s %-5s %s\n' check result detail
fail=0
for r in "${results[@]}"; do
  IFS='|' read -r what res detail <<<"$r"
  printf '%-44s %-5s %s\n' "$what" "$res" "$detail"
  [ "$res" = FAIL ] && fail=1
done
echo
echo "check-jetson: $(( $(date +%s) - t_start ))s; outputs in native/build/jetson-check/ and target/abi/"
echo "An emulated run shows that the code runs and computes what the x86-64 build computes; it says nothing about speed."
echo "The whole CUDA engine for sm_87/sm_110 is built on a GPU host (scripts/gpu-session.sh jetson-cuda 87|110); JetPack's"
echo "CUDA libraries, the kernels on the boards' GPUs and the speed need a board."
exit $fail
