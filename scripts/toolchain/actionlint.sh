#!/usr/bin/env bash
# Builds actionlint, the GitHub Actions workflow checker, from the Go module
# proxy into the cache, once per version:
#
#   bash scripts/toolchain/actionlint.sh     # prints nothing when already built
#
# The binary goes to ${INOVA_CACHE_DIR:-$HOME/.cache/inova-pbx}/tools/actionlint-<version>/actionlint;
# scripts/toolchain/versions.env pins the version (ACTIONLINT_VERSION).
set -euo pipefail

TOOLCHAIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.env
source "$TOOLCHAIN_DIR/versions.env"
: "${ACTIONLINT_VERSION:?ACTIONLINT_VERSION is missing from versions.env}"

CACHE_DIR=${INOVA_CACHE_DIR:-$HOME/.cache/inova-pbx}
TOOL_DIR=$CACHE_DIR/tools/actionlint-$ACTIONLINT_VERSION

if [ -x "$TOOL_DIR/actionlint" ]; then
  exit 0
fi

if command -v go >/dev/null; then
  GO=$(command -v go)
elif [ -x /usr/local/go/bin/go ]; then
  GO=/usr/local/go/bin/go
else
  echo "setup: error: go not found on PATH or in /usr/local/go/bin; install Go 1.25 or later" >&2
  exit 1
fi

mkdir -p "$TOOL_DIR"
# Two set-up runs at once wait for each other instead of writing the same file.
exec 9>"$TOOL_DIR/.build.lock"
flock 9
if [ -x "$TOOL_DIR/actionlint" ]; then
  exit 0
fi

echo "setup: building actionlint $ACTIONLINT_VERSION from Go modules" >&2
# go install writes into GOBIN, so it builds into a scratch directory and the
# finished binary is moved in place, so an interrupted build leaves no binary.
scratch=$(mktemp -d "$TOOL_DIR/.build.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
GOBIN=$scratch "$GO" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
mv "$scratch/actionlint" "$TOOL_DIR/actionlint"
