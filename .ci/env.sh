# Shared settings: the cargo target folder lives outside the clone so a fresh clone (CI) builds
# incrementally; the release binary and site paths follow from it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/academy/target}"
export ACADEMY_BIN="$CARGO_TARGET_DIR/release/academy"
export ACADEMY_SITE_ROOT="${ACADEMY_SITE_ROOT:-$PWD/target/site}"
export LEPTOS_WASM_OPT_VERSION=version_132
