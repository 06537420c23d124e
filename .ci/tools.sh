#!/usr/bin/env bash
# Installs the pinned build tools into a per-user cache outside the clone, once a machine.
# Sourced by .ci/dev and .ci/test; safe to run again (every step skips what is present).
set -euo pipefail

TOOLS="${ACADEMY_TOOLS:-$HOME/.cache/academy/tools}"
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
mkdir -p "$TOOLS"

log() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc ] || need_apt+=(fonts-noto-cjk-extra)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Build a registry crate whose own lock file needs a pin to compile on this rustc.
install_pinned() { # name version bin pin-crate pin-version [features]
  local name=$1 version=$2 bin=$3 pin=$4 pinv=$5 features=${6:-}
  local dest="$TOOLS/$name-$version"
  if [ -x "$dest/bin/$bin" ]; then return; fi
  log "building $name $version once for this machine (several minutes)"
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$name-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # A throw-away manifest makes cargo fetch the crate's source from the registry.
    local probe
    probe=$(mktemp -d)
    mkdir -p "$probe/src" && echo 'fn main(){}' >"$probe/src/main.rs"
    printf '[package]\nname="fetch-probe"\nversion="0.0.0"\nedition="2021"\n[dependencies]\n%s="=%s"\n' "$name" "$version" >"$probe/Cargo.toml"
    (cd "$probe" && cargo fetch -q) || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$name-$version" 2>/dev/null | head -n1 || true)
    rm -rf "$probe"
  fi
  if [ -z "$src" ]; then
    log "could not fetch $name $version from the registry"; exit 1
  fi
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/src"
  (cd "$work/src" && cargo update -q -p "$pin" --precise "$pinv")
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_DIR="$work/target" \
    cargo install -q --path "$work/src" --locked --root "$dest" $features
  rm -rf "$work"
}

install_pinned wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen webpki-roots 1.0.10
install_pinned cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos cargo-util-schemas 0.14.1 "--features no_downloads"

if [ ! -x "$TOOLS/binaryen-$BINARYEN_VERSION/node_modules/.bin/wasm-opt" ]; then
  log "installing binaryen $BINARYEN_VERSION from npm (Debian's breaks hydration)"
  mkdir -p "$TOOLS/binaryen-$BINARYEN_VERSION"
  (cd "$TOOLS/binaryen-$BINARYEN_VERSION" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null)
fi

export PATH="$TOOLS/cargo-leptos-$CARGO_LEPTOS_VERSION/bin:$TOOLS/wasm-bindgen-cli-$WASM_BINDGEN_VERSION/bin:$TOOLS/binaryen-$BINARYEN_VERSION/node_modules/.bin:$PATH"
