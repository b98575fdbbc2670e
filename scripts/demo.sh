#!/usr/bin/env bash
# The main job on the bundled examples (`npm run demo`): builds, checks every example plan
# with the CLI, then opens examples/ in code-server (VS Code in the browser) with the
# extension loaded and prints its URL. Stop it with Ctrl+C.
#
#   npm run demo                       CLI report, then the editor
#   npm run demo -- --no-editor        CLI report only
#   DEMO_PORT=8080 npm run demo        fixed port instead of a free one (127.0.0.1 only)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

editor=true
for argument in "$@"; do
  case "$argument" in
    --no-editor) editor=false ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "Unknown option '$argument'. Use --no-editor to skip the editor." >&2
      exit 2
      ;;
  esac
done

if [[ ! -d node_modules/.bin ]]; then
  echo "== Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

echo "== Building"
if ! build_output="$(node scripts/build.mjs --production 2>&1)"; then
  echo "$build_output" >&2
  echo "The build failed; see the esbuild errors above." >&2
  exit 1
fi

shopt -s nullglob
plans=(examples/*.plan.json examples/*.plan.yaml examples/*.plan.yml)
shopt -u nullglob
if ((${#plans[@]} == 0)); then
  echo "No example plans (examples/*.plan.json, *.plan.yaml, *.plan.yml) were found." >&2
  exit 1
fi

echo "== agent-deadlock check ${plans[*]}"
set +e
node dist/cli.js check "${plans[@]}"
status=$?
set -e
# Exit code 1 means findings, which the examples are meant to have; 2 is a usage or read error.
if ((status > 1)); then
  echo "The check failed with exit code $status; see the message above." >&2
  exit "$status"
fi

$editor || exit 0

echo
echo "== Opening examples/ in code-server"
if ! code_server="$(bash scripts/setup-code-server.sh --no-browser | tail -n 1)"; then
  echo "code-server is not available, so the editor part is skipped (the CLI report above is complete)." >&2
  echo "Fix what scripts/setup-code-server.sh reported, or run with --no-editor." >&2
  exit 1
fi

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/agent-deadlock-demo-XXXXXX")"
port="${DEMO_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
mkdir -p "$run_dir/user-data/User" "$run_dir/extensions" "$run_dir/home"
echo '{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "update.mode": "none" }' \
  >"$run_dir/user-data/User/settings.json"
echo 'auth: none' >"$run_dir/config.yaml"

if ! package_output="$(npm run --silent package 2>&1)"; then
  echo "$package_output" >&2
  echo "Packaging the extension failed; see the output above." >&2
  exit 1
fi
HOME="$run_dir/home" "$code_server" --user-data-dir "$run_dir/user-data" --extensions-dir "$run_dir/extensions" \
  --install-extension dist-package/agent-deadlock-debugger.vsix --force >/dev/null

cleanup() {
  [[ -n "${server_pid:-}" ]] && kill -- "-$server_pid" 2>/dev/null
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# setsid gives code-server its own process group, so cleanup stops its extension host too.
HOME="$run_dir/home" XDG_CONFIG_HOME="$run_dir/home/.config" XDG_DATA_HOME="$run_dir/home/.local/share" \
  XDG_CACHE_HOME="$run_dir/home/.cache" \
  setsid "$code_server" --auth none --bind-addr "127.0.0.1:$port" --disable-workspace-trust \
  --disable-telemetry --disable-update-check --ignore-last-opened \
  --user-data-dir "$run_dir/user-data" --extensions-dir "$run_dir/extensions" \
  --config "$run_dir/config.yaml" "$repo_root/examples" >"$run_dir/code-server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 ||
    node -e "fetch('http://127.0.0.1:$port/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    ready=true
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if [[ "${ready:-false}" != true ]]; then
  echo "code-server did not start; its output:" >&2
  cat "$run_dir/code-server.log" >&2
  exit 1
fi

folder_query="$(node -p 'encodeURIComponent(process.argv[1])' "$repo_root/examples")"
echo "VS Code (code-server) is running with the extension installed and examples/ open:"
echo
echo "    http://127.0.0.1:$port/?folder=$folder_query"
echo
echo "It listens on 127.0.0.1 only; forward the port to reach it from another machine."
echo "Press Ctrl+C to stop it."
wait "$server_pid"
