#!/usr/bin/env bash
# Installs what scripts/test.sh needs on a fresh Debian 12 machine that has only rustup's
# Rust toolchain. Idempotent: when everything is present it only checks (a second or so).
#
#   scripts/install.sh              everything below
#   scripts/install.sh apt PKG...   just these Debian packages (if missing)
#   scripts/install.sh rust         rustfmt and clippy components, cargo-fuzz
#
# Debian packages:
#   coturn                  the TURN/STUN server the STUN/TURN interop tests run on loopback
#   libsrtp2-dev pkg-config  libsrtp2, which the SRTP interop test builds its C peer against
#   gcc g++                 linking, and libFuzzer's C++ sources (libfuzzer-sys)
#   rustc-web cargo-web rust-web-src gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user
#                           the MIPS (T31) toolchain: see scripts/mips.sh
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

# The comment block above.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

HOST_PKGS="coturn gcc g++ libsrtp2-dev pkg-config"
# Keep in sync with MIPS_PKGS in scripts/mips.sh.
MIPS_PKGS="rustc-web cargo-web rust-web-src gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user"

say() { printf 'install: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "need root (or sudo) to run: $*"
    return 1
  fi
}

# Installs the Debian packages among "$@" that are not installed yet.
apt_install() {
  local missing=() p
  for p in "$@"; do
    case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
      *" ok installed") ;;
      *) missing+=("$p") ;;
    esac
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  local attempt
  for attempt in 1 2; do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; then
      return 0
    fi
    [ "$attempt" -eq 1 ] && { say "apt-get failed; retrying in 10 s"; sleep 10; }
  done
  say "could not install: ${missing[*]}"
  return 1
}

rust_tools() {
  local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if [ -d "$cargo_bin" ] && [[ ":$PATH:" != *":$cargo_bin:"* ]]; then
    export PATH="$cargo_bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "no cargo on PATH: install Rust with rustup first"
    return 1
  fi
  local comps=()
  cargo fmt --version >/dev/null 2>&1 || comps+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || comps+=(clippy)
  if [ "${#comps[@]}" -gt 0 ]; then
    say "rustup component add ${comps[*]}"
    rustup component add "${comps[@]}"
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "cargo install cargo-fuzz --locked"
    cargo install cargo-fuzz --locked \
      || { say "cargo install failed; retrying"; sleep 5; cargo install cargo-fuzz --locked; }
  fi
}

case "${1:-all}" in
  all)
    # shellcheck disable=SC2086 # word splitting of the package lists is intended
    apt_install $HOST_PKGS $MIPS_PKGS
    rust_tools
    ;;
  apt)
    shift
    apt_install "$@"
    ;;
  rust) rust_tools ;;
  -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
