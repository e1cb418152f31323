#!/usr/bin/env bash
# The whole suite: system prerequisites, type check, lint, build, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm run typecheck
npm run lint
npm run build
status=0
for tier in unit core integration e2e; do
  echo "=== $tier tests"
  bash scripts/run-tests.sh "$tier" || status=1
done
exit $status
