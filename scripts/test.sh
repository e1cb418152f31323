#!/usr/bin/env bash
# The whole suite: system prerequisites, type check, lint, build, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm run typecheck
npm run lint
npm run build
status=0
tiers=(unit core integration e2e)
rm -f test-results/*.tap
for tier in "${tiers[@]}"; do
  echo "=== $tier tests"
  bash scripts/run-tests.sh "$tier" || status=1
  if [ "$tier" = core ]; then
    # Line coverage of src/ by the in-process tiers must not fall below test/coverage-floor.json.
    node scripts/coverage-check.mjs in-process test-results/unit.tap test-results/core.tap || status=1
  fi
done
echo "=== all tiers"
node scripts/test-summary.mjs all $(printf 'test-results/%s.tap ' "${tiers[@]}")
exit $status
