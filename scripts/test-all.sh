#!/usr/bin/env bash
# The README's test command (`npm test`): typecheck, lint (biome; ruff for the Python), import-cycle check, then unit and
# integration tests against the real local stack with v8 coverage (thresholds in
# vitest.config.ts), then the Python integration's tests in the stack's venv. A stack this script
# started is stopped at the end; one that was already running is left as it was.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

step() { printf '\n==> %s\n' "$*"; }

step "typecheck (tsc -b)"
npx tsc -b tsconfig.json
step "lint (biome)"
npx biome check .
step "import cycles (madge)"
npx madge --circular --extensions ts --ts-config tsconfig.base.json libs apps infra tests/support

started_stack=0
cleanup() { if [ "$started_stack" = 1 ]; then node infra/local/stack.ts down || true; fi; }
trap cleanup EXIT
if ! node infra/local/stack.ts status >/dev/null 2>&1; then
  step "starting the local stack"
  started_stack=1 # set first: a start that fails halfway must still stop what it started
  node infra/local/stack.ts up
fi

step "lint python (ruff, from the stack's venv)"
ruff="$(dirname "$(node -p 'require("./.stack/env.json").python')")/ruff"
"$ruff" check integrations/dagster tests/support/py tests/e2e/support
"$ruff" format --check integrations/dagster tests/support/py tests/e2e/support

mkdir -p .coverage
step "unit + integration tests (vitest, v8 coverage)"
vitest_status=0
npx vitest run --coverage --reporter=default --reporter=json --outputFile=.coverage/vitest-results.json \
  || vitest_status=$?

py_status=0
py_passed=0
py_failed=0
if compgen -G "integrations/dagster/tests/test_*.py" >/dev/null; then
  step "python tests (pytest in the stack venv)"
  python="$(node -p 'require("./.stack/env.json").python')"
  set +e
  (cd integrations/dagster && PYTHONPATH=. PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider tests) \
    | tee .coverage/pytest.log
  py_status=${PIPESTATUS[0]}
  set -e
  py_passed=$( (grep -oE '[0-9]+ passed' .coverage/pytest.log || true) | tail -1 | grep -oE '[0-9]+' || echo 0)
  py_failed=$( (grep -oE '[0-9]+ (failed|errors?)' .coverage/pytest.log || true) | awk '{s+=$1} END {print s+0}')
fi

read -r js_passed js_failed js_skipped < <(node -e '
  const r = require("./.coverage/vitest-results.json");
  console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), r.numPendingTests + r.numTodoTests);')
passed=$((js_passed + py_passed))
failed=$((js_failed + py_failed))
echo
echo "tests: ${passed} passed, ${failed} failed, ${js_skipped} skipped"
if [ "$js_skipped" != 0 ]; then echo "skipped tests are not passing tests: remove the skip" >&2; exit 1; fi
[ "$vitest_status" = 0 ] && [ "$py_status" = 0 ]
