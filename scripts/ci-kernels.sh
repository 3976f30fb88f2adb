#!/usr/bin/env bash
# The kernel suite in CI: measures the ci model's decode and prefill steps op by op (CI-sized:
# kernels --quick, no node-by-node profile), compares each phase's ops with the platform's stored
# kernel baseline, and writes one markdown report of the ops that changed, then the step-level
# figures. Used by the Jetson and x86 CUDA workflows; runs the same on any machine.
#
#   scripts/ci-kernels.sh RUN_DIR PLATFORM        writes RUN_DIR/kernels-<phase>/ and RUN_DIR/kernels.md
#
# Environment: JAVA (java), JAR (target/benchmarks.jar), JAVA_OPTS, MODEL (Llama-3.2-1B:Q4_0, the
# ci preset's), BACKEND (CPU; gpu on a CUDA build), PHASES ("decode prefill"), KERNEL_OPTS (extra
# kernels options), BASELINES (results/baselines). Exit code: 0, 1 when an op regressed beyond
# compare's threshold, 2 when the suite could not run.
set -uo pipefail
run_dir=${1:?RUN_DIR}
platform=${2:?PLATFORM}
java=${JAVA:-java}
jar=${JAR:-target/benchmarks.jar}
model=${MODEL:-Llama-3.2-1B:Q4_0}
backend=${BACKEND:-CPU}
baselines=${BASELINES:-results/baselines}
read -r -a jopts <<< "${JAVA_OPTS:---enable-native-access=ALL-UNNAMED}"
read -r -a extra <<< "${KERNEL_OPTS:-}"
md="$run_dir/kernels.md"
mkdir -p "$run_dir"
rc=0
{
  echo "## Kernels: $model on $backend ($platform)"
  echo
} > "$md"
for phase in ${PHASES:-decode prefill}; do
  out="$run_dir/kernels-$phase"
  start=$(date +%s)
  if ! "$java" "${jopts[@]}" -jar "$jar" kernels --model "$model" --phase "$phase" --backend "$backend" --quick --no-profile \
      --out "$out" "${extra[@]}" > "$run_dir/kernels-$phase.log" 2>&1; then
    echo "ci-kernels: the $phase kernel suite failed; see $run_dir/kernels-$phase.log" >&2
    tail -20 "$run_dir/kernels-$phase.log" >&2
    { echo "### $phase: the kernel suite failed"; echo; echo '```'; tail -20 "$run_dir/kernels-$phase.log"; echo '```'; } >> "$md"
    rc=2
    continue
  fi
  seconds=$(( $(date +%s) - start ))
  base="$baselines/$platform/kernels-$phase-jmh.json"
  echo "### $phase ($seconds s)" >> "$md"
  echo >> "$md"
  if [ -f "$base" ]; then
    "$java" "${jopts[@]}" -jar "$jar" compare "$base" "$out/kernels-jmh.json" --out "$out/compare" --quiet
    c=$?
    if [ -f "$out/compare/compare.md" ]; then
      # the ops that moved first (compare's table lists each op with its type, shape, ratio and CI)
      grep -E "(slower|faster|failed) \\|$" "$out/compare/compare.md" > "$out/changed.md" || true
      if [ -s "$out/changed.md" ]; then
        echo "Ops that changed against the baseline (op, type and shape in the id; ratio current / baseline with its 95% CI):" >> "$md"
        echo >> "$md"
        sed -n '/^| Benchmark/{p;n;p;q}' "$out/compare/compare.md" >> "$md"
        cat "$out/changed.md" >> "$md"
      else
        echo "No op changed beyond the threshold." >> "$md"
      fi
      echo >> "$md"
    fi
    [ "$c" = 1 ] && rc=$(( rc > 1 ? rc : 1 ))
    [ "$c" = 2 ] && rc=2
  else
    echo "No kernel baseline at $base yet: nothing compared (store one with \`cp $out/kernels-jmh.json $base\`)." >> "$md"
    echo >> "$md"
  fi
  # the step-level figures: the real step and the predicted one
  { echo "Step:"; echo; echo '```'; grep -E '^step |predicted step|real step|measured step|engine step' "$run_dir/kernels-$phase.log" | head -6; echo '```'; echo; } >> "$md"
done
cat "$md"
exit $rc
