#!/usr/bin/env bash
# Per-op A/B of two engine builds with llama.cpp's own test-backend-ops (perf mode), until
# edgebench's JMH kernel suite lands: runs the chosen op cases on build A and build B,
# interleaved (A B, B A, ...) for N rounds, and writes each side as a JMH JSON result file
# (one "fork" per round, µs per op run) that `compare` reads like any JMH result:
#
#   scripts/ab-kernels.sh BUILD_A BUILD_B OUT_DIR [ROUNDS] [CASE ...]
#   java -jar target/benchmarks.jar compare OUT_DIR/a.json OUT_DIR/b.json --suite jmh
#
# A CASE is "OP|PARAMS_REGEX" as test-backend-ops -o / -p take them; the default cases are
# Q4_0 matrix products (mat-vec n=1 and mat-mat n=512, 4096x14336) and two ops without a
# matrix product (a permuted f32 copy, an f32 argmax).
set -euo pipefail
a=${1:?usage: ab-kernels.sh BUILD_A BUILD_B OUT_DIR [ROUNDS] [CASE ...]}
b=${2:?}
out=${3:?}
rounds=${4:-5}
shift 4 2>/dev/null || shift $#
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(
  'MUL_MAT|type_a=q4_0,type_b=f32,m=4096,n=1,k=14336,'
  'MUL_MAT|type_a=q4_0,type_b=f32,m=4096,n=512,k=14336,'
  'CPY|type_src=f32,type_dst=f32,ne_src=\[8192,512,2,1\],permute_src=\[0,2,1,3\]'
  'ARGMAX|type=f32,ne=\[32000,512,1,1\]'
)
for d in "$a" "$b"; do
  [ -x "$d/bin/test-backend-ops" ] || { echo "ab-kernels: $d/bin/test-backend-ops not found (build it with native/build.sh)" >&2; exit 2; }
done
mkdir -p "$out"
: > "$out/a.sql"
: > "$out/b.sql"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then order="a b"; else order="b a"; fi
  for side in $order; do
    dir=$a; [ "$side" = b ] && dir=$b
    for c in "${cases[@]}"; do
      echo "ab-kernels: round $r/$rounds, $side: ${c%%|*} ${c#*|}" >&2
      "$dir/bin/test-backend-ops" perf -b CPU -o "${c%%|*}" -p "${c#*|}" --output sql 2>/dev/null \
        | { grep "^INSERT" || echo "ab-kernels: no result for ${c%%|*} ${c#*|} on $side (no such case?)" >&2; } | sed "s/^/$r\t/" >> "$out/$side.sql"
    done
  done
done
for side in a b; do
  dir=$a; [ "$side" = b ] && dir=$b
  python3 - "$out/$side.sql" "$dir" > "$out/$side.json" <<'PY'
import json, re, sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    rnd, sql = line.rstrip('\n').split('\t', 1)
    cols = re.search(r'\(([^)]*)\) VALUES', sql).group(1).split(', ')
    vals = re.findall(r"'((?:[^']|'')*)'", sql.split(' VALUES ', 1)[1])
    r = dict(zip(cols, vals))
    if r.get('supported') != '1' or not r.get('time_us'):
        continue
    key = (r['op_name'], r['op_params'])
    rows.setdefault(key, []).append([float(r['time_us'])])
out = []
for (op, params), forks in rows.items():
    out.append({"jmhVersion": "test-backend-ops", "benchmark": "test_backend_ops.perf", "mode": "avgt",
                "forks": len(forks), "params": {"op": op, "case": params, "build": sys.argv[2]},
                "primaryMetric": {"score": sum(f[0] for f in forks) / len(forks), "scoreUnit": "us/op", "rawData": forks},
                "secondaryMetrics": {}})
json.dump(out, sys.stdout, indent=1)
PY
done
# the build folder is a parameter on each side; drop it so the two sides match by op and case
python3 - "$out/a.json" "$out/b.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    for r in d:
        r["params"].pop("build", None)
    json.dump(d, open(f, "w"), indent=1)
PY
echo "ab-kernels: wrote $out/a.json and $out/b.json; compare them with: java -jar target/benchmarks.jar compare $out/a.json $out/b.json --suite jmh" >&2
