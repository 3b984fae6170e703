#!/usr/bin/env bash
# One idempotent set-up step for a fresh machine, run first by both the deploy
# and the test command. Every part is skipped when it is already in place, and
# what is built is cached in $INOVA_CACHE_DIR (default ~/.cache/inova-pbx):
#   1. Node dependencies, as pinned in package-lock.json;
#   2. the Pulumi CLI, its Node.js language host and plugins, and actionlint,
#      which checks .github/workflows (scripts/toolchain);
#   3. a Docker engine: the configured one if it responds, otherwise Debian's docker.io;
#   4. the Debian base image that the project's images build FROM;
#   5. the company secret, from which the sites derive the passwords they
#      share (INOVA_COMPANY_SECRET_FILE, default $INOVA_CACHE_DIR/company-secret).
# Set INOVA_SETUP_TEST=1 to also install what the tests need (SIP clients,
# Chromium, audio tools).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$INOVA_ROOT/scripts/lib/engine.sh"
source "$INOVA_ROOT/scripts/lib/base-image.sh"
mkdir -p "$INOVA_CACHE_DIR"
cd "$INOVA_ROOT"

install_node_dependencies() {
  local stamp="node_modules/.inova-lock-sha256"
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  # A copy of the project whose node_modules links to another checkout's uses
  # that checkout's packages; npm ci here would empty them.
  if [ -L node_modules ]; then
    progress "node_modules links to $(readlink node_modules); using those packages as installed"
    return 0
  fi
  progress "installing Node dependencies (npm ci)"
  # Install scripts stay disabled: the ones of @pulumi/* packages download
  # provider plugins, which this project builds itself.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
}

# Creates the company secret once: 32 random bytes in base64, readable by the
# owner only. Every machine that deploys a site needs the same file, so copy
# it from the first machine rather than running this on the others.
ensure_company_secret() {
  local file=${INOVA_COMPANY_SECRET_FILE:-$INOVA_CACHE_DIR/company-secret}
  if [ -s "$file" ]; then
    return 0
  fi
  progress "creating the company secret in $file"
  mkdir -p "$(dirname "$file")"
  (umask 077 && head -c 32 /dev/urandom | base64 >"$file.tmp") || die "cannot write $file"
  mv "$file.tmp" "$file"
}

install_test_tools() {
  apt_install sip-tester baresip-core sox libsox-fmt-mp3 espeak-ng faketime mariadb-client mariadb-server chromium iproute2
}

install_node_dependencies
bash "$INOVA_ROOT/scripts/toolchain/build.sh"
bash "$INOVA_ROOT/scripts/toolchain/actionlint.sh"
ensure_docker_engine
ensure_base_image
ensure_company_secret
progress "staging the records API image context"
bash "$INOVA_ROOT/services/cdr-api/stage-context.sh"
if [ "${INOVA_SETUP_TEST:-}" = 1 ]; then
  install_test_tools
fi
progress "ready"
