#!/usr/bin/env bash
# Every check and test of the repository, in the order CI runs them. The README's test command
# (`npx -y pnpm@10.34.9 test`) and `.ci/run` both call exactly this.
#
# 1. install (frozen lockfile)   2. real peers from Debian (tshark, tcpdump, tftp-hpa, ...)
# 3. lint + typecheck            4. vitest over every package (source), JSON report
# 5. build + publint + attw      6. the closing "N passed, N failed" line from the report
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM=(npx -y pnpm@10.34.9)
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

step() { printf '\n==> %s\n' "$*"; }

step install
"${PNPM[@]}" install --frozen-lockfile

step "peers (Debian packages the interop tests use)"
bash scripts/setup-peers.sh || echo "setup-peers failed: tests that need the peers will say they skip"

step lint
"${PNPM[@]}" run lint
step typecheck
"${PNPM[@]}" run typecheck

step build
"${PNPM[@]}" run build
step "publint + are-the-types-wrong"
"${PNPM[@]}" run check:pkg >/dev/null
"${PNPM[@]}" run check:types >/dev/null
echo "publint and attw: clean"

step "tests (vitest)"
mkdir -p .ci
rc=0
"${PNPM[@]}" exec vitest run --reporter=default --reporter=json --outputFile.json=.ci/vitest.json || rc=$?
node -e '
const r = require("./.ci/vitest.json");
const skipped = r.numPendingTests + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0) process.exit(1);
' || rc=1
exit "$rc"
