#!/usr/bin/env bash
# Builds the inova/cdr-api image (or $IMAGE) with the legacy builder from the context that
# stage-context.sh stages in .image-context/: compiled code, production dependencies and
# Mermaid's browser bundle.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
image="${IMAGE:-inova/cdr-api:dev}"

bash stage-context.sh
DOCKER_BUILDKIT=0 docker build -t "$image" .image-context
echo "built $image"
