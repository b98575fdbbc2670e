#!/usr/bin/env bash
# Runs every test tier (`npm test`). On a fresh Debian machine run as root, it first installs
# the missing Debian packages, the npm dependencies and code-server. It runs every step even
# after a failure, prints a summary and exits non-zero when any step failed.
#
#   npm test                   all steps
#   npm test -- unit e2e       only the named steps (see STEPS below)
#
# Each step's output is also saved to test-output/logs/<step>.log.
# Environment: STEP_TIMEOUT (seconds per step, default 1200).
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

STEPS=(typecheck lint build unit webview vscode e2e package)
step_timeout="${STEP_TIMEOUT:-1200}"
log_dir="$repo_root/test-output/logs"

if (($# > 0)); then
  for requested in "$@"; do
    if [[ " ${STEPS[*]} " != *" $requested "* ]]; then
      echo "Unknown step '$requested'. Steps: ${STEPS[*]}" >&2
      exit 2
    fi
  done
  selected=("$@")
else
  selected=("${STEPS[@]}")
fi
wants() { [[ " ${selected[*]} " == *" $1 "* ]]; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- Prerequisites -------------------------------------------------------------------------
# Debian packages: chromium drives the workbench, ripgrep replaces the binary that code-server's
# install would download, and build-essential, python3 and libkrb5-dev build its native modules.
missing_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  { command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1; } || missing+=(build-essential)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [[ -f /usr/include/gssapi/gssapi.h || -f /usr/include/krb5.h ]] || missing+=(libkrb5-dev)
  echo "${missing[*]}"
}

needs_browser=false
if wants vscode || wants e2e || wants package; then needs_browser=true; fi

if $needs_browser; then
  missing="$(missing_packages)"
  if [[ -n "$missing" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      say "Installing Debian packages: $missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing || {
        echo "ERROR: apt-get install of '$missing' failed; see the output above." >&2
        exit 1
      }
    else
      echo "ERROR: missing Debian packages needed by the browser tests: $missing" >&2
      echo "Install them as root with:" >&2
      echo "  apt-get update && apt-get install -y $missing" >&2
      exit 1
    fi
  fi
fi

if [[ ! -d node_modules/.bin ]]; then
  say "Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund || { echo "ERROR: npm ci failed; see the output above." >&2; exit 1; }
fi

if $needs_browser; then
  say "Setting up code-server"
  bash scripts/setup-code-server.sh >/dev/null || { echo "ERROR: scripts/setup-code-server.sh failed; see the output above." >&2; exit 1; }
fi

# --- Steps ---------------------------------------------------------------------------------
# Screenshots and logs of an earlier run would be mistaken for this run's.
rm -rf "$repo_root/test-output"
mkdir -p "$log_dir"
results=()
failed=0
passed=0

run_step() {
  local name="$1"
  shift
  say "$name: $*"
  local started=$SECONDS
  timeout --kill-after=30 "$step_timeout" "$@" 2>&1 | tee "$log_dir/$name.log"
  local status=${PIPESTATUS[0]}
  local elapsed=$((SECONDS - started))
  if ((status == 0)); then
    passed=$((passed + 1))
    results+=("$(printf 'PASS  %-10s %4d s' "$name" "$elapsed")")
  else
    failed=$((failed + 1))
    local reason="exit $status"
    ((status == 124)) && reason="timed out after ${step_timeout} s"
    results+=("$(printf 'FAIL  %-10s %4d s  (%s; log: test-output/logs/%s.log)' "$name" "$elapsed" "$reason" "$name")")
  fi
}

has_tests() { [[ -d "$1" ]] && [[ -n "$(find "$1" -name '*.test.ts' -print -quit)" ]]; }

total_started=$SECONDS
for step in "${selected[@]}"; do
  case "$step" in
    typecheck) run_step typecheck npx tsc --noEmit -p . ;;
    lint) run_step lint npx eslint . ;;
    build) run_step build node scripts/build.mjs ;;
    unit) run_step unit node scripts/node-test.mjs test/unit ;;
    webview)
      if has_tests test/webview; then
        run_step webview node scripts/node-test.mjs test/webview --test-concurrency=1
      else
        results+=("$(printf 'NONE  %-10s        (no test/webview/*.test.ts yet)' webview)")
      fi
      ;;
    vscode) run_step vscode bash -c 'node scripts/build-tests.mjs && node --import tsx test/vscode/runTest.ts' ;;
    e2e) run_step e2e node scripts/node-test.mjs test/e2e --test-concurrency=1 ;;
    package) run_step package bash -c 'npm run --silent package && node scripts/node-test.mjs test/package --test-concurrency=1' ;;
  esac
done

say "Summary ($((SECONDS - total_started)) s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
