#!/usr/bin/env bash
# Installs what a fresh machine lacks. `setup.sh run`: what building and running Alongside
# needs (`make run`). `setup.sh test`: that, plus what the tests need (`make test`).
# Idempotent: each step checks first, so a warm machine passes through in seconds.
# Debian packages need root (or sudo); everything else goes into ~/.cargo and node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

level=${1:-run}
case "$level" in
  run | test) ;;
  *) echo "usage: scripts/setup.sh [run|test]" >&2; exit 2 ;;
esac

WASM_BINDGEN_VERSION=0.2.130
step() { printf '\n== setup: %s\n' "$*"; }

# Debian packages, as root or through sudo; `apt-get update` at most once per run.
apt_updated=false
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "Installing $* from Debian needs root. Run this as root, or install sudo." >&2
      exit 1
    fi
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $apt_updated; then
    $sudo apt-get update -qq
    apt_updated=true
  fi
  $sudo apt-get install -y -qq "$@" >/dev/null
}

have_wasm_bindgen() { [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; }
npm_stale() { [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; }
# The FHIR validator's virtualenv is current when it holds exactly the pinned requirements.
FHIR_VENV=.venv
fhir_venv_current() { [ -x "$FHIR_VENV/bin/python" ] && cmp -s scripts/fhir-requirements.txt "$FHIR_VENV/.requirements"; }

# Say up front what a first run costs, so nobody thinks it has hung.
missing=()
rustup target list --installed | grep -qx wasm32-unknown-unknown || missing+=("the wasm target (1 min)")
have_wasm_bindgen || missing+=("the wasm-bindgen CLI (3 to 11 min)")
pkg-config --exists openssl 2>/dev/null || missing+=("OpenSSL headers (1 min)")
npm_stale style && missing+=("Sass and wasm-opt from npm (1 min)")
if [ "$level" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=("Chromium (1 min)")
  command -v psql >/dev/null 2>&1 || missing+=("the PostgreSQL client (1 min)")
  npm_stale end2end && missing+=("Playwright, axe-core and Lighthouse from npm (1 min)")
  fhir_venv_current || missing+=("the FHIR validator (fhir.resources) from PyPI into .venv (under 1 min)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  list=$(printf '%s; ' "${missing[@]}")
  step "installing: ${list%; }"
  if [ "$level" = test ]; then
    echo "   A first 'make test' on a fresh machine takes 20 to 35 minutes on 2 cores (installs 3 to 15, builds and tests about 17); later runs take a few minutes."
  else
    echo "   A first 'make run' on a fresh machine takes 20 to 30 minutes on 2 cores (installs 3 to 15, the release build about 15); later runs start in seconds."
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate's version exactly. Its published lock
# pins a webpki-roots release the registry no longer serves, so install from its own source
# with that one entry moved back.
if ! have_wasm_bindgen; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (3 to 11 minutes on 2 cores)"
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
  apt_install libssl-dev pkg-config
fi

if [ "$level" = test ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    step "Chromium from Debian (Playwright cannot download its own browser here)"
    apt_install chromium chromium-driver
  fi
  # The database tests make their own PostgreSQL databases; scripts/check-postgres.sh asks
  # the server with psql first, so a missing server is one clear message.
  if ! command -v psql >/dev/null 2>&1; then
    step "PostgreSQL client from Debian"
    apt_install postgresql-client
  fi
  # The FHIR export is checked by a validator that is not ours (scripts/fhir_validate.py):
  # PyPI's fhir.resources, pinned in scripts/fhir-requirements.txt, in a virtualenv of the
  # project's own (.venv), so nothing is installed for the whole machine.
  if ! fhir_venv_current; then
    step "the FHIR validator: fhir.resources from PyPI into $FHIR_VENV"
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      apt_install python3 python3-venv
    fi
    rm -rf "$FHIR_VENV"
    python3 -m venv "$FHIR_VENV"
    "$FHIR_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r scripts/fhir-requirements.txt
    cp scripts/fhir-requirements.txt "$FHIR_VENV/.requirements"
  fi
fi

dirs=(style)
[ "$level" = test ] && dirs+=(end2end)
for dir in "${dirs[@]}"; do
  if npm_stale "$dir"; then
    step "npm packages in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
step "tools ready for make $level"
