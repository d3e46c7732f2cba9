#!/usr/bin/env bash
# Re-captures the Chromium and aiortc SDP fixtures in sdp/tests/fixtures/ on this machine (needs
# what scripts/install.sh installs; Firefox's offer has its own script, capture_firefox.sh, and
# must exist first because Chromium's answer to it is captured here). Not part of CI.
#
#   sdp/tests/interop/capture_fixtures.sh
#
# Everything runs inside one private lo-only network namespace (netns.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fx=$(cd "$here/../fixtures" && pwd)
if [ "${1:-}" != --inside ]; then
  exec "$here/netns.sh" bash "$0" --inside
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rtcam
py=$cache/venv/bin/python
br() { TMPDIR=$work node "$here/browser.mjs" "$@" >/dev/null; }
ai() { "$py" -B "$here/aiortc_sdp.py" "$@" >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ver=$(/usr/bin/chromium --version | awk '{print $2}' | cut -d. -f1)

br offer --out "$fx/chromium$ver-viewer-offer.sdp" --video recvonly --audio recvonly --data
br offer --out "$fx/chromium$ver-h264-viewer-offer.sdp" --video recvonly --audio recvonly --data \
  --codec H264
br offer --out "$fx/chromium$ver-sendrecv-offer.sdp" --video sendrecv --audio sendrecv
ai offer --out "$fx/aiortc116-viewer-offer.sdp" --video recvonly --audio recvonly --data
ai offer --out "$fx/aiortc116-sendrecv-offer.sdp" --video sendrecv --audio sendrecv --codec H264
ai answer --offer "$fx/chromium$ver-viewer-offer.sdp" --out "$fx/aiortc116-answer-to-chromium.sdp"
br answer --offer "$fx/aiortc116-sendrecv-offer.sdp" --out "$fx/chromium$ver-answer-to-aiortc.sdp"
if [ -f "$fx/firefox-esr-viewer-offer.sdp" ]; then
  br answer --offer "$fx/firefox-esr-viewer-offer.sdp" \
    --out "$fx/chromium$ver-answer-to-firefox.sdp"
fi
ls -l "$fx"/*.sdp >&2
