#!/usr/bin/env bash
# Installs code-server (a real VS Code: the VS Code server plus the web workbench) into its
# own folder with its own npm prefix, without network access beyond the npm registry.
#
#   CODE_SERVER_DIR   install folder (default: <repo>/.vscode-test/code-server)
#   --no-browser      do not require Chromium (for `npm run demo`, which uses your own browser)
#
# Idempotent: when the pinned version is already installed and starts, it does nothing.
# Prints the path of the code-server executable as the last line of its output.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep inside code-server downloads this release from GitHub unless the tarball is
# already in its cache folder; the names come from @vscode/ripgrep 1.15.11's postinstall script.
RIPGREP_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

check_browser=true
for argument in "$@"; do
  case "$argument" in
    --no-browser) check_browser=false ;;
    *)
      echo "Unknown option '$argument'. The only option is --no-browser." >&2
      exit 2
      ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_dir="${CODE_SERVER_DIR:-$repo_root/.vscode-test/code-server}"
executable="$install_dir/node_modules/.bin/code-server"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }

installed_version() {
  [[ -x "$executable" ]] || return 1
  node -p "require('$install_dir/node_modules/code-server/package.json').version" 2>/dev/null
}

if [[ "$(installed_version || true)" == "$CODE_SERVER_VERSION" ]] && "$executable" --version >/dev/null 2>&1; then
  log "code-server $CODE_SERVER_VERSION is already installed in $install_dir"
  echo "$executable"
  exit 0
fi

# Prerequisites. Each entry: command-or-file to test, Debian package that provides it.
missing_packages=()
if $check_browser; then
  command -v chromium >/dev/null 2>&1 || missing_packages+=(chromium)
fi
command -v rg >/dev/null 2>&1 || missing_packages+=(ripgrep)
command -v g++ >/dev/null 2>&1 || missing_packages+=(build-essential)
command -v make >/dev/null 2>&1 || missing_packages+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing_packages+=(python3)
[[ -f /usr/include/gssapi/gssapi.h || -f /usr/include/krb5.h ]] || missing_packages+=(libkrb5-dev)
if ((${#missing_packages[@]} > 0)); then
  mapfile -t missing_packages < <(printf '%s\n' "${missing_packages[@]}" | sort -u)
  log "ERROR: missing Debian packages needed to install and run code-server: ${missing_packages[*]}"
  log "Install them with:"
  log "  apt-get update && apt-get install -y ${missing_packages[*]}"
  exit 1
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major != 20)); then
  log "WARNING: code-server $CODE_SERVER_VERSION is built for Node 20; this is Node $(node -v)."
fi

# Seed the ripgrep cache with Debian's rg. Only the tarball's existence is checked by
# @vscode/ripgrep, and a tarball with `rg` at its root extracts to a working binary.
ripgrep_cache="$(node -p "require('path').join(require('os').tmpdir(), '$RIPGREP_CACHE_NAME')")"
if [[ ! -s "$ripgrep_cache/$RIPGREP_TARBALL" ]]; then
  log "Seeding $ripgrep_cache/$RIPGREP_TARBALL with $(command -v rg)"
  mkdir -p "$ripgrep_cache"
  tar -czf "$ripgrep_cache/$RIPGREP_TARBALL.partial" -C "$(dirname "$(readlink -f "$(command -v rg)")")" rg
  mv "$ripgrep_cache/$RIPGREP_TARBALL.partial" "$ripgrep_cache/$RIPGREP_TARBALL"
fi

# A package.json of its own stops npm from walking up into the extension's package.json.
mkdir -p "$install_dir"
cat >"$install_dir/package.json" <<JSON
{
  "name": "code-server-for-tests",
  "private": true,
  "description": "code-server for the extension's tests; installed by scripts/setup-code-server.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" }
}
JSON

log "Installing code-server $CODE_SERVER_VERSION into $install_dir (about a minute, mostly native compiles)"
started=$SECONDS
(
  cd "$install_dir"
  # yes: node-pty's post-install runs `npx node-gyp`, which otherwise waits for a prompt.
  # unsafe_perm: code-server's post-install script stops when npm runs as root without it.
  npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --loglevel=error
) >&2

if [[ "$(installed_version || true)" != "$CODE_SERVER_VERSION" ]] || ! "$executable" --version >/dev/null 2>&1; then
  log "ERROR: code-server $CODE_SERVER_VERSION did not install correctly into $install_dir."
  log "Remove that folder and run this script again; the npm output above says what failed."
  exit 1
fi
log "Installed code-server $("$executable" --version | head -n 1) in $((SECONDS - started)) s"
echo "$executable"
