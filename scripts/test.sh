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
npx vitest run "$@"
