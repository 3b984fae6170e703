#!/usr/bin/env bash
# Stages the Docker build context of the cdr-api image in .image-context/: the compiled
# dist/, web/, the Dockerfile, the production dependencies only, and Mermaid's browser
# bundle at vendor/mermaid.min.js, copied from the mermaid development dependency. The
# Pulumi stacks build the image from that folder. It is rebuilt only when a source, web or
# dependency file changed since the last run, which .image-context/.source-sha256 records.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
target=.image-context

source_hash() {
  find src web Dockerfile package.json package-lock.json tsconfig.json tsconfig.build.json -type f -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

want=$(source_hash)
if [ -f "$target/.source-sha256" ] && [ "$(cat "$target/.source-sha256")" = "$want" ]; then
  exit 0
fi

# The development install compiles the TypeScript; it is reused while package-lock.json is unchanged.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.inova-lock-sha256 ] || [ "$(cat node_modules/.inova-lock-sha256)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_hash" >node_modules/.inova-lock-sha256
fi
npm run --silent build

stage="$(mktemp -d "$PWD/.image-context.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp -r dist web package.json package-lock.json Dockerfile "$stage/"
mkdir "$stage/vendor"
cp node_modules/mermaid/dist/mermaid.min.js "$stage/vendor/"
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" >"$stage/.source-sha256"
rm -rf "$target"
mv "$stage" "$target"
trap - EXIT
