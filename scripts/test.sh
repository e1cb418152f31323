#!/usr/bin/env bash
# The whole suite: system prerequisites, type check, lint, build, then every test tier on each runtime:
# the `node` on PATH (Node 20) and Node 24 (installed into .runtimes/ by scripts/node24.sh from the npm
# registry when missing). A runtime's pass puts that runtime first on PATH, so the test runner, tsx and
# everything the tests spawn (process.execPath) run under it. Summary lines name the runtime; the last
# line, `all:`, counts both passes; the exit status fails when any tier fails on either runtime.
#   ROTOR_TEST_RUNTIMES="system 24"   the passes to run (default both; `system` is the `node` on PATH)
#   ROTOR_TEST_TIERS="unit core"      the tiers to run (default all four)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# Before the long part: a missing Node 24 that cannot be installed fails here, not after the first pass.
runtimes=()
for r in ${ROTOR_TEST_RUNTIMES:-system 24}; do
  case "$r" in
    system) runtimes+=("$(command -v node)") ;;
    24) runtimes+=("$(bash scripts/node24.sh)") ;;
    *) echo "ROTOR_TEST_RUNTIMES: unknown runtime '$r' (known: system 24)" >&2; exit 2 ;;
  esac
done
npm run typecheck
npm run lint
npm run build
status=0
read -r -a tiers <<<"${ROTOR_TEST_TIERS:-unit core integration e2e}"
taps=()
seen=()
for bin in "${runtimes[@]}"; do
  version="$("$bin" -p process.versions.node)"
  # The same major twice (the system node is already 24) would only overwrite its own results.
  if [[ " ${seen[*]} " == *" ${version%%.*} "* ]]; then echo "=== node $version: already run"; continue; fi
  seen+=("${version%%.*}")
  results="test-results/node${version%%.*}"
  rm -f "$results"/*.tap
  for tier in "${tiers[@]}"; do
    echo "=== $tier tests [node $version]"
    PATH="$(dirname "$bin"):$PATH" bash scripts/run-tests.sh "$tier" || status=1
    taps+=("$results/$tier.tap")
    if [ "$tier" = core ] && [ ${#seen[@]} -eq 1 ] && [[ " ${tiers[*]} " == *" unit "* ]]; then
      # Line coverage of src/ by the in-process tiers must not fall below test/coverage-floor.json;
      # checked on the first runtime only (V8 versions count lines differently: the floor is Node 20's).
      node scripts/coverage-check.mjs in-process "$results/unit.tap" "$results/core.tap" || status=1
    fi
  done
  echo "=== all tiers [node $version]"
  node scripts/test-summary.mjs "all [node $version]" $(printf "$results/%s.tap " "${tiers[@]}")
done
echo "=== all tiers, all runtimes (node ${seen[*]})"
node scripts/test-summary.mjs all "${taps[@]}"
exit $status
