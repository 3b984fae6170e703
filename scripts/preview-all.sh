#!/usr/bin/env bash
# Previews every stack (or the named ones) with the policy pack in policy/ and
# the check that no config change replaces a container or volume, and prints
# a Markdown summary (also written to FILE with --output FILE):
#
#   bash scripts/preview-all.sh [--output FILE] [STACK...]     # npm run preview:all
#
# Uses PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE when set, otherwise the
# local defaults of scripts/lib/pulumi-env.sh. Needs the toolchain built by
# scripts/setup.sh (or scripts/toolchain/build.sh).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$INOVA_ROOT/scripts/lib/pulumi-env.sh"
cd "$INOVA_ROOT"
exec node -r ts-node/register/transpile-only scripts/preview/preview-all.ts "$@"
