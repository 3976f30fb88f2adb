#!/usr/bin/env bash
# Tokenizes llama.cpp's own tokenizer test strings with Hugging Face's tokenizer implementation
# (@huggingface/tokenizers, tokenizers.js 0.2.0 from npm, pinned below) loading a tokenizer.json that
# edgebench wrote (forge --hf), and compares the ids with the ones llama.cpp expects:
#
#   scripts/check-hf-tokenizer.sh <dir with tokenizer.json> <vocab>.gguf.inp <vocab>.gguf.out
#
# The .inp/.out pairs sit beside llama.cpp's vocabulary files (models/ggml-vocab-*.gguf in the engine
# source): test strings separated by "\n__ggml_vocab_test__\n", and one line of ids per string.
# Prints "check-hf-tokenizer: N of N strings tokenized alike" and exits 0, or lists the first
# differences and exits 1; 2 for bad input or no npm.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: scripts/check-hf-tokenizer.sh <dir with tokenizer.json> <vocab.gguf.inp> <vocab.gguf.out>" >&2; exit 2; }
for f in "$1/tokenizer.json" "$1/tokenizer_config.json" "$2" "$3"; do
  [ -f "$f" ] || { echo "check-hf-tokenizer: no file $f" >&2; exit 2; }
done
dir=$(cd "$1" && pwd)
inp=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
out=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
tool_dir=${EDGEBENCH_TOOLS:-${HOME:-/tmp}/.cache/edgebench/tools}/hf-tokenizers-0.2.0
if [ ! -f "$tool_dir/node_modules/@huggingface/tokenizers/package.json" ]; then
  command -v npm >/dev/null || { echo "check-hf-tokenizer: npm is not installed (needed once to fetch @huggingface/tokenizers)" >&2; exit 2; }
  echo "check-hf-tokenizer: installing @huggingface/tokenizers@0.2.0 (npm)" >&2
  mkdir -p "$tool_dir"
  npm install --silent --no-audit --no-fund --prefix "$tool_dir" @huggingface/tokenizers@0.2.0 >/dev/null 2>&1 || {
    echo "check-hf-tokenizer: npm install @huggingface/tokenizers@0.2.0 failed" >&2; exit 2; }
fi
cd "$tool_dir"
node --input-type=module - "$dir" "$inp" "$out" <<'JS'
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "fs";
const [dir, inp, out] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(fs.readFileSync(dir + "/tokenizer.json", "utf8")),
                          JSON.parse(fs.readFileSync(dir + "/tokenizer_config.json", "utf8")));
const texts = fs.readFileSync(inp, "utf8").split("\n__ggml_vocab_test__\n");
if (texts.length && texts[texts.length - 1] === "") texts.pop();
const want = fs.readFileSync(out, "utf8").split("\n").slice(0, texts.length).map(l => l.trim() === "" ? [] : l.trim().split(/\s+/).map(Number));
let same = 0;
const diffs = [];
texts.forEach((t, i) => {
  const got = tok.encode(t, { add_special_tokens: false }).ids;
  if (JSON.stringify(got) === JSON.stringify(want[i])) same++;
  else if (diffs.length < 5) diffs.push(`  string ${i} ${JSON.stringify(t.slice(0, 40))}: llama.cpp ${JSON.stringify(want[i])}, tokenizers.js ${JSON.stringify(got)}`);
});
console.log(`check-hf-tokenizer: ${same} of ${texts.length} strings tokenized alike`);
for (const d of diffs) console.log(d);
process.exit(same === texts.length ? 0 : 1);
JS
