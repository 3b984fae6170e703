#!/usr/bin/env bash
# Runs every test: unit (model, validation, renderers, components under Pulumi
# mocks), integration (real Docker engine, Asterisk, SIP and IAX2 clients) and
# end to end (the deploy command on a private backend, then real calls).
# Pass vitest arguments to narrow the run, e.g. `bash scripts/test.sh --project unit`.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
INOVA_SETUP_TEST=1 bash "$INOVA_ROOT/scripts/setup.sh"
source "$INOVA_ROOT/scripts/lib/pulumi-env.sh"
cd "$INOVA_ROOT"

npx tsc --noEmit -p .
if [ $# -eq 0 ]; then
  (cd scripts/toolchain/pulumi-language-nodejs && go test ./...)
fi
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?

# One plain closing line with the counts, read from vitest's JSON report.
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  '
fi
exit "$status"
