#!/usr/bin/env bash
# Runs one test tier with node's built-in test runner (TypeScript through tsx).
#   unit         src/**/*.test.ts            pure, in-process
#   core         test/core/**/*.test.ts      Client + Node in process: manual clock, fake transports, memory engine
#   integration  test/integration/**/*.test.ts real HTTP / WebSocket on loopback, spawned redis/nats
#   e2e          test/e2e/**/*.test.ts        the built server in a child process + the centrifuge SDK / Chromium
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
tier="${1:-unit}"
case "$tier" in
  unit) files=(src/**/*.test.ts) ;;
  core) files=(test/core/**/*.test.ts) ;;
  integration) files=(test/integration/**/*.test.ts) ;;
  e2e) files=(test/e2e/**/*.test.ts) ;;
  *) echo "unknown tier: $tier" >&2; exit 2 ;;
esac
if [ ${#files[@]} -eq 0 ]; then echo "no $tier test files"; exit 0; fi
exec node --import tsx --test --test-concurrency=1 --test-timeout=120000 "${files[@]}"
