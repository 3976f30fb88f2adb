#!/usr/bin/env bash
# A real change for the results history to find: the kernel suite of one model measured on two
# builds of the CPU engine that differ only in instruction set (CPU_ISA avx2, the default, and
# avx512), ingested as consecutive commits, then `history changes` over them. The matrix products
# should be flagged with their ratio; ops whose code does not depend on the vector width should not.
#
#   scripts/isa-history.sh [ROUNDS] [OUT]      default 6 rounds, OUT results/runs/isa-history
#
# Builds what is missing (make native; CPU_ISA=avx512 native/build.sh cpu: a machine whose CPU has
# AVX-512). Each round measures both builds, the order alternating (avx2 first in odd rounds), so
# drift in the machine's state falls on both; the runs are then ingested into a history of their
# own (OUT/history.sqlite) as commits isa-avx2-1..R, then isa-avx512-1..R, one minute apart. Rounds
# already in OUT are kept, so a larger ROUNDS extends an earlier history.
# Environment: JAVA (java), JAR (target/benchmarks.jar), MODEL (edgebench-tiny:Q8_0), THREADS (2),
# KERNEL_OPTS (extra kernels options).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-6}
out=${2:-$root/results/runs/isa-history}
java=${JAVA:-java}
jar=${JAR:-$root/target/benchmarks.jar}
model=${MODEL:-edgebench-tiny:Q8_0}
threads=${THREADS:-2}
read -r -a extra <<< "${KERNEL_OPTS:-}"
case "$rounds" in ''|*[!0-9]*|0|1) echo "isa-history: ROUNDS must be a number of at least 2 (a series needs points on both sides), was '$rounds'" >&2; exit 2;; esac
grep -qw avx512f /proc/cpuinfo || { echo "isa-history: this CPU has no AVX-512" >&2; exit 2; }
[ -f "$jar" ] || { echo "isa-history: no $jar (make build)" >&2; exit 2; }
[ -d "$root/native/build/cpu/lib" ] || make -C "$root" native PROFILE=cpu
[ -d "$root/native/build/cpu-avx512/lib" ] || CPU_ISA=avx512 "$root/native/build.sh" cpu
mkdir -p "$out"
measure() {   # isa round; a round already measured in OUT is kept (a run cut short resumes where it stopped)
  local lib=$root/native/build/cpu/lib
  [ "$1" = avx512 ] && lib=$root/native/build/cpu-avx512/lib
  if [ -f "$out/$1-$2/kernels-jmh.json" ]; then echo "isa-history: round $2, $1: measured before, kept"; return; fi
  echo "isa-history: round $2, $1"
  "$java" --enable-native-access=ALL-UNNAMED -Dedgebench.native.lib="$lib" -jar "$jar" kernels --model "$model" --no-step \
    --cold-mib 0 --quick --threads "$threads" --out "$out/$1-$2" "${extra[@]}" > "$out/$1-$2.log" 2>&1 \
    || { echo "isa-history: kernels failed on $1, round $2; see $out/$1-$2.log" >&2; tail -20 "$out/$1-$2.log" >&2; exit 1; }
}
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then measure avx2 "$r"; measure avx512 "$r"; else measure avx512 "$r"; measure avx2 "$r"; fi
done
hist="jdbc:sqlite:$out/history.sqlite"
rm -f "$out/history.sqlite"
n=0
for isa in avx2 avx512; do
  for r in $(seq 1 "$rounds"); do
    n=$((n + 1))
    "$java" -jar "$jar" history ingest "$out/$isa-$r/kernels-jmh.json" --history "$hist" --run-id "isa-$isa-$r" \
      --commit "isa-$isa-$r" --started-at "$(date -u -d "2026-01-01T00:00:00Z + $n minutes" +%FT%TZ)" --configuration "kernels-$model"
  done
done
"$java" -jar "$jar" history changes --history "$hist" | tee "$out/changes.txt"
