#!/usr/bin/env bash
# The whole test suite: setup (idempotent), type check and build, lint, then
# every unit and integration test with Node's test runner. As root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH=$(pwd)/.tools/node_modules/node/bin:$PATH
npx biome check src test bench scripts
# Leftovers of daemons killed in earlier runs (stale DNAT rules, bridges) must not meet this run's tests.
bash scripts/clean-leftovers.sh
# Test images are made once per run (test/helpers/daemon.ts caches them here).
export BERTH_TEST_CACHE=$(mktemp -d /tmp/berth-test-cache.XXXXXX)
trap 'rm -rf "$BERTH_TEST_CACHE"' EXIT
mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort)
node --test --test-concurrency="${BERTH_TEST_CONCURRENCY:-2}" --test-timeout=600000 "${files[@]}"
