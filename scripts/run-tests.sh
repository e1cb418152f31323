#!/usr/bin/env bash
# Runs one test tier with node's built-in test runner (TypeScript through tsx).
#   unit         src/**/*.test.ts            pure, in-process
#   core         test/core/**/*.test.ts      Client + Node in process: manual clock, fake transports, memory engine
#   integration  test/integration/**/*.test.ts real HTTP / WebSocket on loopback, spawned redis/nats
#   e2e          test/e2e/**/*.test.ts        the built server in a child process + the centrifuge SDK / Chromium
#
# The in-process tiers (unit, core) run two files at a time and measure line coverage of src/ (node's
# built-in coverage, in their TAP files; scripts/test.sh checks it against test/coverage-floor.json).
# Tiers with real servers run one file at a time (ports, timing).
#
# The runtime is the `node` first on PATH (scripts/test.sh puts Node 24 there for its second pass);
# everything the tests spawn uses process.execPath, so it runs under that same runtime. The TAP goes
# to test-results/node<major>/<tier>.tap and the summary line names the runtime: `unit [node 24.x.y]: …`.
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
# Dots while it runs, the full TAP in test-results/node<major>/<tier>.tap, then a short summary of the
# failures and totals (scripts/test-summary.mjs). The exit status is the test runner's.
version="$(node -p process.versions.node)"
dir="test-results/node${version%%.*}"
mkdir -p "$dir"
tap="$dir/$tier.tap"
rm -f "$tap"
status=0
extra=(--test-concurrency=1)
case "$tier" in
  unit | core) extra=(--test-concurrency=2 --experimental-test-coverage) ;;
esac
node --import tsx --test "${extra[@]}" --test-timeout=120000 \
  --test-reporter=dot --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}" || status=$?
echo
node scripts/test-summary.mjs "$tier [node $version]" "$tap"
exit $status
