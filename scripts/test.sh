#!/usr/bin/env bash
# The README's test command: set-up, then every check in order, stopping at the first failure.
# Build, type-check and lint the extension, run its unit and integration tests (real sshd, real gdb),
# package the .vsix, then run it inside code-server in Chromium (test/e2e).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

started=$SECONDS
summary=()

# run_step NAME COMMAND...: runs one step, timing it; on failure names the step and stops.
# Test counts are summed from node:test's closing lines ("# pass N" from TAP, "ℹ pass N" from spec).
passed=0 failed=0
step_log="$(mktemp)"
trap 'rm -f "$step_log"' EXIT
run_step() {
  local name="$1" step_started=$SECONDS
  shift
  printf '\n==> test: %s\n' "$name"
  if ! "$@" 2>&1 | tee "$step_log"; then
    printf '\ntest FAILED at step "%s" after %d s (command: %s)\n' "$name" "$((SECONDS - started))" "$*" >&2
    exit 1
  fi
  local count
  count=$(sed -nE 's/^(# |ℹ )pass ([0-9]+)$/\2/p' "$step_log" | tail -n 1)
  passed=$((passed + ${count:-0}))
  count=$(sed -nE 's/^(# |ℹ )fail ([0-9]+)$/\2/p' "$step_log" | tail -n 1)
  failed=$((failed + ${count:-0}))
  summary+=("$(printf '%-18s %4d s' "$name" "$((SECONDS - step_started))")")
}

run_step "set-up" bash scripts/setup.sh
run_step "build" npm run build
run_step "typecheck" npm run typecheck
run_step "lint" npm run lint
run_step "unit tests" npm run test:unit
run_step "integration tests" npm run test:integration
run_step "package" npm run package
run_step "e2e typecheck" node_modules/.bin/tsc -p test/e2e
# npm puts test/e2e/node_modules/.bin first on PATH, so `node` there is the Node 24 code-server needs.
run_step "e2e tests" npm --prefix test/e2e test

printf '\n==> test: summary\n'
printf '    %s\n' "${summary[@]}"
printf 'test.sh: all %d steps passed in %d s\n' "${#summary[@]}" "$((SECONDS - started))"
printf 'tests: %d passed, %d failed\n' "$passed" "$failed"
