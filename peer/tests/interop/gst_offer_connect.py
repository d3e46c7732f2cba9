#!/usr/bin/python3
"""GStreamer webrtcbin offers (video recvonly + a data channel, its default RSA-2048 DTLS
certificate), applies the answer, waits for the connection, and reports.

  /usr/bin/python3 gst_offer_connect.py --offer-out FILE --answer-in FILE [--wait S] [--connect-wait S]

Files are plain SDP, written to a temp name and renamed. Only 127.0.0.1 candidates are offered
(libnice skips loopback unless told: add_local_address). Prints one JSON line
{"ok", "connectionState", "iceConnectionState", "dtlsState", "localCertificate",
"remoteCertificate": {"fingerprint", "keyType"}, "ms"}; ok is true (exit 0) when the peer
connection reached "connected". Any failure prints {"ok": false, "step", "error"} and exits 1.
Must run in an lo-only network namespace (tests/support: netns.sh). Debian's /usr/bin/python3
(python3-gi with the gir1.2-gst-plugins-bad-1.0 and gir1.2-nice-0.1 typelibs).
"""
import argparse
import hashlib
import json
import os
import ssl
import sys
import time


def fail(step, error, code=1):
    print(json.dumps({"ok": False, "step": step, "error": str(error)}), flush=True)
    sys.exit(code)


try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstWebRTC", "1.0")
    gi.require_version("GstSdp", "1.0")
    gi.require_version("Nice", "0.1")
    from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice
except (ImportError, ValueError) as e:
    fail("setup", f"GStreamer introspection missing ({e}): run scripts/install.sh", 3)

p = argparse.ArgumentParser()
p.add_argument("--offer-out", required=True)
p.add_argument("--answer-in", required=True)
p.add_argument("--wait", type=float, default=25)
p.add_argument("--connect-wait", type=float, default=20)
a = p.parse_args()

Gst.init(None)
if Gst.ElementFactory.find("webrtcbin") is None or Gst.ElementFactory.find("nicesrc") is None:
    fail("setup", "webrtcbin or the libnice elements are missing (gstreamer1.0-plugins-bad, "
         "gstreamer1.0-nice): run scripts/install.sh", 3)

pipe = Gst.Pipeline.new("p")
w = Gst.ElementFactory.make("webrtcbin", "w")
w.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
pipe.add(w)
# Keep the Python reference alive (dropping it unrefs webrtcbin's ICE object).
ice = w.get_property("ice-agent")
agent = ice.get_property("agent")
lo = Nice.Address.new()
lo.set_from_string("127.0.0.1")
agent.add_local_address(lo)

caps = Gst.Caps.from_string(
    "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f")
w.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)
loop = GLib.MainLoop()
state = {"t0": None, "dc": None}


def cert_info(pem):
    if not pem:
        return None
    der = ssl.PEM_cert_to_DER_cert(pem[pem.index("-----BEGIN CERTIFICATE-----"):])
    fp = hashlib.sha256(der).hexdigest().upper()
    # rsaEncryption OID 1.2.840.113549.1.1.1 / id-ecPublicKey 1.2.840.10045.2.1, DER-encoded.
    key = "rsa" if bytes.fromhex("2a864886f70d010101") in der else (
        "ec" if bytes.fromhex("2a8648ce3d0201") in der else "?")
    return {"fingerprint": ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)), "keyType": key}


def report(final):
    t = w.emit("get-transceiver", 0)
    dtls = t.get_property("receiver").get_property("transport") if t else None
    res = {
        "ok": final == "connected",
        "connectionState": final,
        "iceConnectionState": w.get_property("ice-connection-state").value_nick,
        "dtlsState": dtls.get_property("state").value_nick if dtls else None,
        "localCertificate": cert_info(dtls.get_property("certificate")) if dtls else None,
        "remoteCertificate": cert_info(dtls.get_property("remote-certificate")) if dtls else None,
        "ms": round((time.monotonic() - state["t0"]) * 1000) if state["t0"] else None,
    }
    if not res["ok"]:
        res["step"] = "connect"
        res["error"] = f"connection-state {final}"
    print(json.dumps(res), flush=True)
    state["result"] = res
    loop.quit()


def on_connection_state(*_):
    s = w.get_property("connection-state").value_nick
    if s in ("connected", "failed", "closed") and "result" not in state:
        GLib.idle_add(lambda: report(s) and False)


def write_offer():
    sdp = w.get_property("local-description").sdp.as_text()
    sdp = "\r\n".join(l for l in sdp.splitlines()
                      if not l.startswith("a=candidate:") or " 127.0.0.1 " in l) + "\r\n"
    tmp = a.offer_out + ".tmp"
    with open(tmp, "w") as f:
        f.write(sdp)
    os.replace(tmp, a.offer_out)
    state["deadline"] = time.monotonic() + a.wait
    GLib.timeout_add(50, poll_answer)


def on_gathering(*_):
    if w.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE \
            and "offered" not in state:
        state["offered"] = True
        GLib.idle_add(lambda: write_offer() and False)


def poll_answer():
    if not os.path.exists(a.answer_in):
        if time.monotonic() > state["deadline"]:
            fail("waitAnswer", f"no answer in {a.answer_in} after {a.wait} s")
        return True
    with open(a.answer_in) as f:
        text = f.read()
    ok, msg = GstSdp.SDPMessage.new_from_text(text)
    if ok != GstSdp.SDPResult.OK:
        fail("setRemoteDescription", "answer does not parse")
    ans = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, msg)
    state["t0"] = time.monotonic()
    w.emit("set-remote-description", ans, Gst.Promise.new())
    GLib.timeout_add(int(a.connect_wait * 1000),
                     lambda: "result" in state or report(w.get_property("connection-state").value_nick))
    return False


def on_offer(promise, _):
    reply = promise.get_reply()
    offer = reply.get_value("offer")
    w.emit("set-local-description", offer, Gst.Promise.new())


def on_negotiation_needed(_):
    if "negotiating" in state:
        return
    state["negotiating"] = True
    w.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))


w.connect("on-negotiation-needed", on_negotiation_needed)
w.connect("notify::ice-gathering-state", on_gathering)
w.connect("notify::connection-state", on_connection_state)
pipe.set_state(Gst.State.PLAYING)
state["dc"] = w.emit("create-data-channel", "rtcam", None)
GLib.timeout_add(int((a.wait + a.connect_wait + 5) * 1000), lambda: fail("driver", "overall timeout"))
loop.run()
pipe.set_state(Gst.State.NULL)
sys.exit(0 if state.get("result", {}).get("ok") else 1)
