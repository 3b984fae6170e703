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
rm -f test-results/*.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?

# The records service is its own Node package with its own suite, including
# its image and its page in Chromium. It runs with the full test command only.
if [ $# -eq 0 ]; then
  (
    cd services/cdr-api
    bash build-image.sh >/dev/null
    npx vitest run --reporter=default --reporter=json --outputFile.json=../../test-results/cdr-api.json
  ) || status=$?
fi

# One plain closing line with the counts of every suite, read from vitest's JSON reports.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of fs.readdirSync("test-results").filter((name) => name.endsWith(".json"))) {
    const report = JSON.parse(fs.readFileSync(`test-results/${file}`, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
'
exit "$status"
