#!/usr/bin/env bash
# Deploys sites with the embedded defaults: the local file backend, the local
# Docker engine, each site on its own loopback address. With no argument it
# deploys every site that has a Pulumi.<site>.yaml; otherwise the sites named.
#   bash scripts/deploy.sh            # all sites
#   bash scripts/deploy.sh mochis     # HQ only
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bash "$INOVA_ROOT/scripts/setup.sh"
source "$INOVA_ROOT/scripts/lib/pulumi-env.sh"
cd "$INOVA_ROOT"

sites=("$@")
if [ ${#sites[@]} -eq 0 ]; then
  for file in Pulumi.*.yaml; do
    site=${file#Pulumi.}
    sites+=("${site%.yaml}")
  done
fi

for site in "${sites[@]}"; do
  [ -f "Pulumi.$site.yaml" ] || die "no stack file Pulumi.$site.yaml; sites are: $(ls Pulumi.*.yaml | sed 's/Pulumi\.\(.*\)\.yaml/\1/' | tr '\n' ' ')"
  pulumi stack select --create "$site" >/dev/null
  progress "deploying $site"
  # --refresh reads the real containers, volumes and databases first, so the same
  # command also rebuilds a site whose containers or volumes were removed.
  pulumi up --refresh --stack "$site" --yes --skip-preview --suppress-progress
done
