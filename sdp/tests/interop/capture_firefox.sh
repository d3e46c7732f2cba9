#!/usr/bin/env bash
# Captures Firefox ESR's offer (KVS-viewer style: video + audio recvonly, plus a data channel)
# as an SDP fixture. Not part of CI: run it by hand when a fixture should be refreshed.
#
#   sdp/tests/interop/capture_firefox.sh [OUT]    (default sdp/tests/fixtures/firefox-esr-viewer-offer.sdp)
#
# Installs the Debian package firefox-esr if it is missing. Everything runs in a private lo-only
# network namespace (netns.sh): a tiny HTTP server on 127.0.0.1 serves the page, headless Firefox
# (fresh profile) opens it, the page creates the offer, waits for ICE gathering (at most 5 s) and
# POSTs the SDP back; the server writes it to OUT and the script stops Firefox.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != --inside ]; then
  out=$(realpath -m "${1:-$here/../fixtures/firefox-esr-viewer-offer.sdp}")
  if ! command -v firefox-esr >/dev/null 2>&1; then
    "$here/../../../scripts/install.sh" apt firefox-esr
  fi
  exec "$here/netns.sh" bash "$0" --inside "$out"
fi
out=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile=$work/profile
mkdir -p "$profile"
# Loopback candidates without mDNS names, and nothing that would try to reach the Internet.
cat >"$profile/user.js" <<'EOF'
user_pref("media.peerconnection.ice.loopback", true);
user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);
user_pref("media.peerconnection.ice.default_address_only", false);
user_pref("media.peerconnection.ice.no_host", false);
user_pref("media.navigator.permission.disabled", true);
user_pref("media.navigator.streams.fake", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
EOF

cat >"$work/page.html" <<'EOF'
<!doctype html><title>firefox offer</title><script>
(async () => {
  let body;
  try {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.createDataChannel('kvsDataChannel');
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const done = new Promise((r) => pc.addEventListener('icegatheringstatechange',
      () => pc.iceGatheringState === 'complete' && r()));
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    body = pc.localDescription.sdp;
  } catch (e) {
    body = 'ERROR ' + e;
  }
  await fetch('/result', { method: 'POST', body });
})();
</script>
EOF

cat >"$work/server.py" <<'EOF'
import http.server, sys
work, out = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path != "/page.html":
            self.send_response(404); self.end_headers(); return
        data = open(f"{work}/page.html", "rb").read()
        self.send_response(200); self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_POST(self):
        n = int(self.headers["Content-Length"]); sdp = self.rfile.read(n).decode()
        self.send_response(204); self.end_headers()
        if sdp.startswith("ERROR"):
            print(sdp, file=sys.stderr); sys.exit(1)
        with open(out, "w", newline="") as f: f.write(sdp)
        print(f"wrote {out}", file=sys.stderr); sys.exit(0)
import time
s = http.server.HTTPServer(("127.0.0.1", 8765), H)
s.timeout = 5
end = time.monotonic() + 60
while time.monotonic() < end:  # GETs (page, favicon) until the POST exits
    s.handle_request()
print("no offer posted within 60 s", file=sys.stderr)
sys.exit(1)
EOF

/usr/bin/python3 "$work/server.py" "$work" "$out" &
srv=$!
sleep 0.3
HOME=$work MOZ_HEADLESS=1 firefox-esr --headless --new-instance --no-remote --profile "$profile" \
  http://127.0.0.1:8765/page.html >"$work/firefox.log" 2>&1 &
ff=$!
rc=0
wait "$srv" || rc=$?
kill "$ff" 2>/dev/null || true
wait "$ff" 2>/dev/null || true
if [ "$rc" -ne 0 ]; then
  echo "capture failed; firefox log:" >&2
  tail -n 20 "$work/firefox.log" >&2
  exit 1
fi
grep -c '^m=' "$out" >/dev/null
echo "$(firefox-esr --version 2>/dev/null): $(grep -c '' "$out") lines in $out" >&2
