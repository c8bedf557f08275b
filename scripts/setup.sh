#!/usr/bin/env bash
# Installs everything a fresh machine lacks to build, run and test Alongside.
# Idempotent: each step checks first, so a warm machine passes through in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
step() { printf '\n== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate's version exactly. Its published lock
# pins a webpki-roots release the registry no longer serves, so install from its own source
# with that one entry moved back (see shared TOOLCHAIN notes).
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 11 minutes on 2 cores)"
  src=$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-$WASM_BINDGEN_VERSION 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # Fails on the lock, but leaves the source in the registry cache.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked >/dev/null 2>&1 || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-$WASM_BINDGEN_VERSION | head -n1)
  fi
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  (cd "$work" && cargo update -p webpki-roots --precise 1.0.10 && \
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --path . --locked --force)
  rm -rf "$work"
fi

# Web push encryption (the ece crate) links OpenSSL.
if ! pkg-config --exists openssl 2>/dev/null; then
  step "OpenSSL headers and pkg-config from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libssl-dev pkg-config >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  step "Chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

for dir in style end2end; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "npm packages in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
step "tools ready"
