#!/usr/bin/env bash
# Builds the Pulumi toolchain from Go modules, for machines that reach package
# registries but not Pulumi's download site, and writes scripts/toolchain/env.sh.
#
#   bash scripts/toolchain/build.sh
#
# Binaries go to ${INOVA_CACHE_DIR:-$HOME/.cache/inova-pbx}/toolchain/<version>/bin:
#   pulumi                         the CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   pulumi-language-nodejs         this repository's Node.js language host
#   pulumi-resource-pulumi-nodejs  the dynamic provider launcher
# Each binary is rebuilt only when its inputs (version, go.mod, go.sum, sources)
# change. When a `pulumi` of the pinned version is already on PATH together
# with its Node.js language host, nothing is built and env.sh uses that install.
set -euo pipefail

TOOLCHAIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$TOOLCHAIN_DIR/../.." && pwd)
ENV_FILE=$TOOLCHAIN_DIR/env.sh

# shellcheck source-path=SCRIPTDIR source=versions.env
source "$TOOLCHAIN_DIR/versions.env"
: "${PULUMI_VERSION:?PULUMI_VERSION is missing from versions.env}"

CACHE_DIR=${INOVA_CACHE_DIR:-$HOME/.cache/inova-pbx}
BIN_DIR=$CACHE_DIR/toolchain/$PULUMI_VERSION/bin
# PULUMI_HOME contains plugins, the backend login and workspace settings. The
# default keeps them in the cache directory, apart from a developer's own
# ~/.pulumi. A PULUMI_HOME set by the caller wins.
DEFAULT_PULUMI_HOME=$CACHE_DIR/pulumi-home

log() { echo "setup: $*" >&2; }
fail() {
  echo "setup: error: $*" >&2
  exit 1
}

# Prints the version that go.mod in $1 requires for module $2.
go_mod_requirement() {
  awk -v mod="$2" '$1 == mod { print $2 } $1 == "require" && $2 == mod { print $3 }' "$1/go.mod"
}

check_pinned_versions() {
  local npm_version go_version dir module
  npm_version=$(node -p "require('$REPO_DIR/package.json').dependencies['@pulumi/pulumi'] || ''")
  if [ "$npm_version" != "$PULUMI_VERSION" ]; then
    fail "package.json pins @pulumi/pulumi to '$npm_version' but versions.env has PULUMI_VERSION=$PULUMI_VERSION; make them equal"
  fi

  local installed=$REPO_DIR/node_modules/@pulumi/pulumi/package.json
  if [ -f "$installed" ]; then
    npm_version=$(node -p "require('$installed').version")
    [ "$npm_version" = "$PULUMI_VERSION" ] ||
      fail "node_modules has @pulumi/pulumi $npm_version, expected $PULUMI_VERSION; run npm ci"
  fi

  for pair in "pulumi-cli github.com/pulumi/pulumi/pkg/v3" \
    "pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3"; do
    dir=${pair%% *}
    module=${pair#* }
    go_version=$(go_mod_requirement "$TOOLCHAIN_DIR/$dir" "$module")
    if [ "$go_version" != "v$PULUMI_VERSION" ]; then
      fail "$dir/go.mod requires $module $go_version, expected v$PULUMI_VERSION;" \
        "run: (cd scripts/toolchain/$dir && go get $module@v$PULUMI_VERSION && go mod tidy)"
    fi
  done
}

# Succeeds when a regular Pulumi install of the pinned version is on PATH:
# a pulumi binary outside our cache with pulumi-language-nodejs beside it or
# on PATH.
system_pulumi_usable() {
  local pulumi_bin pulumi_dir
  pulumi_bin=$(command -v pulumi) || return 1
  case "$pulumi_bin" in "$CACHE_DIR"/*) return 1 ;; esac
  [ "$("$pulumi_bin" version 2>/dev/null)" = "v$PULUMI_VERSION" ] || return 1
  pulumi_dir=$(dirname "$(readlink -f "$pulumi_bin")")
  [ -x "$pulumi_dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null
}

find_go() {
  if command -v go >/dev/null; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  else
    fail "go not found on PATH or in /usr/local/go/bin; install Go 1.25 or later (https://go.dev/doc/install)"
  fi
}

# Prints one hash over the files named by the remaining arguments, which are
# paths or glob patterns relative to directory $1.
hash_inputs() {
  local dir=$1
  shift
  # The patterns stay unquoted so that they expand inside $dir.
  # shellcheck disable=SC2068
  (cd "$dir" && shopt -s nullglob && sha256sum $@ | sha256sum | cut -d' ' -f1)
}

# Succeeds when $BIN_DIR/$1 exists and was built from inputs with hash $2.
is_current() {
  [ -x "$BIN_DIR/$1" ] && [ "$(cat "$BIN_DIR/.$1.inputs" 2>/dev/null)" = "$2" ]
}

mark_current() {
  echo "$2" >"$BIN_DIR/.$1.inputs"
}

build_cli() {
  local inputs started
  inputs="$PULUMI_VERSION $(hash_inputs "$TOOLCHAIN_DIR/pulumi-cli" go.mod go.sum tools.go)"
  is_current pulumi "$inputs" && return 0

  log "building pulumi CLI v$PULUMI_VERSION from Go modules (first time: several minutes)"
  started=$SECONDS
  (cd "$TOOLCHAIN_DIR/pulumi-cli" && "$GO" build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$BIN_DIR/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$BIN_DIR/pulumi.partial" "$BIN_DIR/pulumi"

  local built_version
  built_version=$("$BIN_DIR/pulumi" version)
  [ "$built_version" = "v$PULUMI_VERSION" ] ||
    fail "the built pulumi reports version $built_version, expected v$PULUMI_VERSION"
  mark_current pulumi "$inputs"
  log "built pulumi CLI in $((SECONDS - started))s"
}

build_language_host() {
  local src=$TOOLCHAIN_DIR/pulumi-language-nodejs inputs started
  inputs="$PULUMI_VERSION $(hash_inputs "$src" go.mod go.sum '*.go')"
  is_current pulumi-language-nodejs "$inputs" && return 0

  log "building pulumi-language-nodejs (first time: under a minute)"
  started=$SECONDS
  (cd "$src" && "$GO" build -mod=readonly -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$PULUMI_VERSION" \
    -o "$BIN_DIR/pulumi-language-nodejs.partial" .)
  mv "$BIN_DIR/pulumi-language-nodejs.partial" "$BIN_DIR/pulumi-language-nodejs"
  mark_current pulumi-language-nodejs "$inputs"
  log "built pulumi-language-nodejs in $((SECONDS - started))s"
}

install_dynamic_provider() {
  install -m 0755 "$TOOLCHAIN_DIR/pulumi-resource-pulumi-nodejs" "$BIN_DIR/pulumi-resource-pulumi-nodejs"
}

# Writes env.sh; $1 is the directory to put first on PATH, or empty.
write_env_file() {
  local path_dir=$1
  {
    echo "# Generated by scripts/toolchain/build.sh for this machine; do not edit or commit."
    echo "# Source it to use the project's Pulumi toolchain: . scripts/toolchain/env.sh"
    if [ -n "$path_dir" ]; then
      echo "case \":\$PATH:\" in"
      echo "  *\":$path_dir:\"*) ;;"
      echo "  *) export PATH=\"$path_dir:\$PATH\" ;;"
      echo "esac"
    fi
    echo "export PULUMI_HOME=\"\${PULUMI_HOME:-$DEFAULT_PULUMI_HOME}\""
    echo "export PULUMI_SKIP_UPDATE_CHECK=true"
    echo "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"
  } >"$ENV_FILE.partial"
  mv "$ENV_FILE.partial" "$ENV_FILE"
}

main() {
  command -v node >/dev/null || fail "node not found on PATH; install Node.js 20 or later"
  check_pinned_versions

  if system_pulumi_usable; then
    log "using $(command -v pulumi) ($(pulumi version)); nothing to build"
    write_env_file ""
    return 0
  fi

  GO=$(find_go)
  mkdir -p "$BIN_DIR" "$DEFAULT_PULUMI_HOME"
  # Concurrent runs (parallel CI jobs, two terminals) wait for each other
  # instead of writing the same files.
  exec 9>"$CACHE_DIR/toolchain/.build.lock"
  flock 9

  build_cli
  build_language_host
  install_dynamic_provider
  write_env_file "$BIN_DIR"
  log "pulumi v$PULUMI_VERSION toolchain ready in $BIN_DIR"
}

# "exit" on the same line stops bash from reading on if this file is edited
# while it runs.
main "$@"; exit
