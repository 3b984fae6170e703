#!/usr/bin/env bash
# Runs the deployment benchmarks, keeps each one's raw numbers in
# bench/results/<name>.json and writes bench/RESULTS.md.
#
#   bash bench/run.sh [--fresh] [BENCHMARK...]
#
# BENCHMARK is deploy-time, preview, update, records, rebuild or
# trunk-capacity; the default is all six, in that order. rebuild deploys mochis
# and tabasco, so no inova-tabasco-* container may exist either. The first three take about 10 minutes on 2 cores and
# records about 3 more; RESULTS.md gives the last run's times. Each of the first five deploys the real mochis stack
# (container inova-mochis-pbx) from a private copy of the project and destroys
# it at the end, so they run one after the other.
# trunk-capacity deploys nothing: it starts test PBXs named
# phone-test-bench-trunk-* on 127.0.110.0/24 and 127.0.111.0/24.
# --fresh also measures a build of the whole toolchain and of the images from
# nothing (deploy-time only). It keeps both cores busy for about 7 minutes.
# ci-fresh is never run by default. It times the test command on a clean clone
# with empty caches (about 70 minutes), and it removes the engine's inova/* images first.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/../scripts/lib/common.sh"
cd "$INOVA_ROOT"

fail() {
  printf 'bench: error: %s\n' "$*" >&2
  exit 1
}

ALL_BENCHMARKS=(deploy-time preview update records rebuild trunk-capacity)
fresh=0
benchmarks=()
for argument in "$@"; do
  case "$argument" in
    --fresh) fresh=1 ;;
    deploy-time | preview | update | records | rebuild | trunk-capacity | ci-fresh) benchmarks+=("$argument") ;;
    *) fail "unknown argument '$argument'; use --fresh and benchmark names: ${ALL_BENCHMARKS[*]} ci-fresh" ;;
  esac
done
if [ ${#benchmarks[@]} -eq 0 ]; then
  benchmarks=("${ALL_BENCHMARKS[@]}")
fi

bash "$INOVA_ROOT/scripts/setup.sh"
# The update and trunk-capacity benchmarks make their calls with sipp; trunk-capacity makes its audio with sox.
apt_install sip-tester sox

# Every benchmark uses its own backend; this private one only keeps the
# pulumi commands run here away from the repository's .pulumi-state.
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/inova-bench-run.XXXXXX")
trap 'rm -rf "$run_dir"' EXIT
export PULUMI_BACKEND_URL="file://$run_dir/state"
source "$INOVA_ROOT/scripts/lib/pulumi-env.sh"

ts_node=("$INOVA_ROOT/node_modules/.bin/ts-node" --transpile-only --project "$INOVA_ROOT/tsconfig.json")
mkdir -p "$BENCH_DIR/results"
failed=()
for name in "${benchmarks[@]}"; do
  arguments=()
  if [ "$name" = deploy-time ] && [ "$fresh" = 1 ]; then
    arguments+=(--fresh)
  fi
  # A stale result must not stand in for a run that fails.
  rm -f "$BENCH_DIR/results/$name.json"
  printf 'bench: running %s\n' "$name" >&2
  if ! "${ts_node[@]}" "$BENCH_DIR/$name.ts" "${arguments[@]}"; then
    failed+=("$name")
  fi
done

"${ts_node[@]}" "$BENCH_DIR/report.ts"
if [ ${#failed[@]} -gt 0 ]; then
  fail "benchmarks failed: ${failed[*]}; their output is above, and RESULTS.md shows them as missing"
fi
