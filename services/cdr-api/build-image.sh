#!/usr/bin/env bash
# Builds the inova/cdr-api image (or $IMAGE): compiles on the host, installs production
# dependencies into a staging folder, copies Mermaid's browser bundle from the development
# install to vendor/ there, and builds from that folder with the legacy builder.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
image="${IMAGE:-inova/cdr-api:dev}"

npm ci --no-audit --no-fund
npm run build

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r dist web package.json package-lock.json Dockerfile "$stage/"
mkdir "$stage/vendor"
cp node_modules/mermaid/dist/mermaid.min.js "$stage/vendor/"
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund)

DOCKER_BUILDKIT=0 docker build -t "$image" "$stage"
echo "built $image"
