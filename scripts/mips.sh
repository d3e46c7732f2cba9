#!/usr/bin/env bash
# Build, test and run rtcam for the Ingenic T31 (MIPS32r2, little-endian) on Debian 12.
#
# MIPS targets are tier 3: rustup has no prebuilt std for them. Debian ships rustc-web
# (1.96) with its library source (rust-web-src), so `-Zbuild-std` builds core/std for
# MIPS (RUSTC_BOOTSTRAP=1 unlocks -Z on this stable compiler); gcc-mipsel-linux-gnu
# links and qemu-user runs the result. Debian's cargo and rustc are used, never rustup's:
# the std source must match the compiler. Builds go to target/mips (target/mips-static
# for `release`), away from the host's cache.
#
#   mips.sh install               install the toolchain (idempotent; root or sudo)
#   mips.sh env                   print the environment: eval "$(scripts/mips.sh env)"
#   mips.sh cargo ARGS...         Debian's cargo with that environment
#   mips.sh nostd [CRATE...]      no_std proof: build the protocol crates (default: all)
#                                 for mipsel-unknown-none with core only (no alloc)
#   mips.sh test [CRATE...] [-- CARGO-ARGS...]
#                                 their unit and integration tests under qemu-mipsel
#                                 (doctests do not run under the cross runner)
#   mips.sh release ARGS...       a static release build for the board: cargo build
#                                 --release -Zbuild-std=std,panic_abort with +crt-static
#                                 and mips32r2, e.g. `mips.sh release -p rtcam-platform-t31`
#   mips.sh run BINARY [ARGS...]  run a mipsel Linux binary under qemu-mipsel
#
# CRATE is a directory name (stun) or a package name (rtcam-stun).
# Big-endian MIPS (catches byte-order bugs): install gcc-mips-linux-gnu and
# libc6-dev-mips-cross, then `mips.sh cargo test ... --target mips-unknown-linux-gnu`.
set -euo pipefail

# The comment block above.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

# Keep in sync with MIPS_PKGS in scripts/install.sh.
MIPS_PKGS="rustc-web cargo-web rust-web-src gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user"
# The no_std, no-alloc protocol crates (DESIGN.md, "Memory").
PROTOCOL_CRATES="stun turn ice dtls-srtp sctp rtp sdp peer signaling"

LINUX_TARGET=mipsel-unknown-linux-gnu
BARE_TARGET=mipsel-unknown-none
STATIC_RUSTFLAGS="-C target-feature=+crt-static -C target-cpu=mips32r2"



menv() {
  cat <<ENV
export RUSTC_BOOTSTRAP=1
export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_DIR="\${CARGO_TARGET_DIR:-$root/target/mips}"
export CARGO_TARGET_MIPSEL_UNKNOWN_LINUX_GNU_LINKER=mipsel-linux-gnu-gcc
export CARGO_TARGET_MIPSEL_UNKNOWN_LINUX_GNU_RUNNER="qemu-mipsel -L /usr/mipsel-linux-gnu"
export CARGO_TARGET_MIPS_UNKNOWN_LINUX_GNU_LINKER=mips-linux-gnu-gcc
export CARGO_TARGET_MIPS_UNKNOWN_LINUX_GNU_RUNNER="qemu-mips -L /usr/mips-linux-gnu"
ENV
}

need_toolchain() {
  local t
  for t in /usr/bin/cargo /usr/bin/rustc mipsel-linux-gnu-gcc qemu-mipsel; do
    command -v "$t" >/dev/null 2>&1 || {
      echo "mips.sh: $t not found; run: scripts/mips.sh install" >&2
      exit 1
    }
  done
  [ -d /usr/lib/rustlib/src/rust/library ] || {
    echo "mips.sh: no std source (rust-web-src); run: scripts/mips.sh install" >&2
    exit 1
  }
}

mcargo() {
  need_toolchain
  eval "$(menv)"
  /usr/bin/cargo "$@"
}

# Debian's cargo on rtcam's own workspace, from any directory.
wcargo() {
  (cd "$root" && mcargo "$@")
}

# Package flags (-p rtcam-X ...) for the crates named in "$@", or all protocol crates.
pkg_flags() {
  local c
  # shellcheck disable=SC2086
  [ "$#" -gt 0 ] || set -- $PROTOCOL_CRATES
  for c in "$@"; do
    case "$c" in
      rtcam-*) printf -- '-p %s ' "$c" ;;
      *) printf -- '-p rtcam-%s ' "$c" ;;
    esac
  done
}

cmd="${1:-}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  install)
    # shellcheck disable=SC2086
    "$here/install.sh" apt $MIPS_PKGS
    /usr/bin/rustc --version
    ;;
  env) menv ;;
  cargo) mcargo "$@" ;;
  nostd)
    # shellcheck disable=SC2046 # pkg_flags prints separate words on purpose
    wcargo build $(pkg_flags "$@") -Zbuild-std=core --target "$BARE_TARGET"
    ;;
  test)
    crates=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
      crates+=("$1")
      shift
    done
    [ "${1:-}" = "--" ] && shift
    # shellcheck disable=SC2046
    wcargo test $(pkg_flags "${crates[@]}") -Zbuild-std --target "$LINUX_TARGET" \
      --lib --tests "$@"
    ;;
  release)
    # Different RUSTFLAGS would rebuild std in the shared cache: use a directory of its own.
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/mips-static}" \
      RUSTFLAGS="$STATIC_RUSTFLAGS ${RUSTFLAGS:-}" \
      mcargo build --release -Zbuild-std=std,panic_abort --target "$LINUX_TARGET" "$@"
    echo "mips.sh: binaries in ${CARGO_TARGET_DIR:-$root/target/mips-static}/$LINUX_TARGET/release" >&2
    ;;
  run)
    need_toolchain
    exec qemu-mipsel -L /usr/mipsel-linux-gnu "$@"
    ;;
  -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
