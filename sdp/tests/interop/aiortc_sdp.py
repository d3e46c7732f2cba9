"""aiortc as a real SDP peer (and parser) for the rtcam SDP interop tests.

Run with the venv python made by scripts/install.sh, inside netns.sh:

  aiortc_sdp.py offer --out FILE [MEDIA]
  aiortc_sdp.py answer --offer FILE --out FILE
  aiortc_sdp.py offer-accept --offer-out FILE --answer-in FILE [MEDIA] [--wait SECS]
  aiortc_sdp.py parse FILE [FILE...]

MEDIA: --video none|recvonly|sendonly|sendrecv (default recvonly), --audio likewise,
       --data (a data channel "kvsDataChannel"), --codec H264|VP8|any (video preference).

Every mode prints JSON on stdout: {"ok": true, ...} or {"ok": false, "step": ..., "error": ...}
(exit 1). `parse` uses aiortc.sdp.SessionDescription.parse, aiortc's own parser, and prints a
summary of the session (one JSON line per file).

Loopback only: no ICE servers at all (aiortc would otherwise add a public STUN server), and host
candidates are gathered on 127.0.0.1 only (aioice skips loopback by default, which in an lo-only
namespace would leave the SDP without any candidate).
"""

import argparse
import asyncio
import json
import os
import sys
import traceback

STEP_TIMEOUT = 10.0


def out(obj):
    print(json.dumps(obj), flush=True)


def fail(step, error, code=1):
    out({"ok": False, "step": step, "error": error})
    sys.exit(code)


try:
    import aioice.ice
    from aiortc import (
        RTCConfiguration,
        RTCPeerConnection,
        RTCRtpSender,
        RTCSessionDescription,
    )
    from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
    from aiortc.sdp import SessionDescription
except ImportError as e:  # pragma: no cover - depends on the machine
    fail("setup", f"aiortc is not importable ({e}): run scripts/install.sh", 3)


def _loopback_only(use_ipv4, use_ipv6):
    addrs = []
    if use_ipv4:
        addrs.append("127.0.0.1")
    return addrs


aioice.ice.get_host_addresses = _loopback_only


def only_loopback():
    with open("/proc/net/dev") as f:
        names = [line.split(":")[0].strip() for line in f.readlines()[2:]]
    return all(n == "lo" for n in names if n)


def new_pc():
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def step(name, coro):
    try:
        return await asyncio.wait_for(coro, STEP_TIMEOUT)
    except asyncio.TimeoutError:
        fail(name, f"timed out after {STEP_TIMEOUT} s")
    except Exception as e:  # noqa: BLE001 - report any failure of the peer
        fail(name, f"{type(e).__name__}: {e}")


async def close(pc):
    try:
        await asyncio.wait_for(pc.close(), STEP_TIMEOUT)
    except asyncio.TimeoutError:
        print(f"RTCPeerConnection.close() took over {STEP_TIMEOUT} s", file=sys.stderr)


def setup(pc, a):
    for kind in ("video", "audio"):
        direction = getattr(a, kind)
        if direction == "none":
            continue
        if direction in ("sendonly", "sendrecv"):
            track = VideoStreamTrack() if kind == "video" else AudioStreamTrack()
            t = pc.addTransceiver(track, direction=direction)
        else:
            t = pc.addTransceiver(kind, direction=direction)
        if kind == "video" and a.codec != "any":
            caps = RTCRtpSender.getCapabilities("video").codecs
            want = [c for c in caps if c.mimeType.lower() == "video/" + a.codec.lower()]
            if not want:
                fail("setup", f"codec {a.codec} not supported by aiortc")
            rtx = [c for c in caps if c.mimeType.lower() == "video/rtx"]
            t.setCodecPreferences(want + rtx)
    if a.data:
        pc.createDataChannel("kvsDataChannel")


def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def codec_json(c):
    return {
        "mimeType": c.mimeType,
        "payloadType": c.payloadType,
        "clockRate": c.clockRate,
        "channels": c.channels,
        "parameters": {k: str(v) for k, v in (c.parameters or {}).items()},
    }


def summary(sdp_text):
    s = SessionDescription.parse(sdp_text)
    media = []
    for m in s.media:
        media.append(
            {
                "kind": m.kind,
                "port": m.port,
                "profile": m.profile,
                "mid": m.rtp.muxId,
                "direction": m.direction,
                "rtcpMux": m.rtcp_mux,
                "setup": m.dtls.role if m.dtls else None,
                "fingerprints": [f.algorithm for f in (m.dtls.fingerprints if m.dtls else [])],
                "iceUfrag": m.ice.usernameFragment if m.ice else None,
                "candidates": len(m.ice_candidates),
                "candidateTypes": sorted({c.type for c in m.ice_candidates}),
                "codecs": [codec_json(c) for c in m.rtp.codecs],
                "headerExtensions": [h.uri for h in m.rtp.headerExtensions],
                "sctpPort": m.sctp_port,
                "maxMessageSize": m.sctpCapabilities.maxMessageSize if m.sctpCapabilities else None,
            }
        )
    return {
        "ok": True,
        "origin": s.origin,
        "bundle": [list(g.items) for g in s.group if g.semantic == "BUNDLE"],
        "media": media,
    }


async def run_offer(a):
    pc = new_pc()
    try:
        setup(pc, a)
        offer = await step("createOffer", pc.createOffer())
        await step("setLocalDescription", pc.setLocalDescription(offer))
        write_atomic(a.out, pc.localDescription.sdp)
        out({"ok": True})
    finally:
        await close(pc)


async def run_answer(a):
    with open(a.offer) as f:
        offer = f.read()
    pc = new_pc()
    try:
        await step(
            "setRemoteDescription", pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        )
        answer = await step("createAnswer", pc.createAnswer())
        await step("setLocalDescription", pc.setLocalDescription(answer))
        write_atomic(a.out, pc.localDescription.sdp)
        out({"ok": True})
    finally:
        await close(pc)


async def run_offer_accept(a):
    pc = new_pc()
    try:
        setup(pc, a)
        offer = await step("createOffer", pc.createOffer())
        await step("setLocalDescription", pc.setLocalDescription(offer))
        write_atomic(a.offer_out, pc.localDescription.sdp)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + a.wait
        while not os.path.exists(a.answer_in):
            if loop.time() > deadline:
                fail("waitAnswer", f"no answer in {a.answer_in} after {a.wait} s")
            await asyncio.sleep(0.05)
        with open(a.answer_in) as f:
            answer = f.read()
        await step(
            "setRemoteDescription", pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        )
        transceivers = []
        for t in pc.getTransceivers():
            transceivers.append(
                {
                    "mid": t.mid,
                    "kind": t.kind,
                    "direction": t.direction,
                    "currentDirection": t.currentDirection,
                    "codecs": [codec_json(c) for c in getattr(t, "_codecs", [])],
                }
            )
        out(
            {
                "ok": True,
                "signalingState": pc.signalingState,
                "transceivers": transceivers,
                "sctp": pc.sctp is not None,
            }
        )
    finally:
        await close(pc)


def run_parse(files):
    bad = False
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
            res = summary(text)
            res["file"] = path
            out(res)
        except Exception as e:  # noqa: BLE001 - report any parse failure
            bad = True
            tb = traceback.extract_tb(e.__traceback__)
            where = f"{tb[-1].filename}:{tb[-1].lineno}" if tb else "?"
            out(
                {
                    "ok": False,
                    "step": "parse",
                    "file": path,
                    "error": f"{type(e).__name__}: {e} (at {where})",
                }
            )
    sys.exit(1 if bad else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["offer", "answer", "offer-accept", "parse"])
    p.add_argument("files", nargs="*", help="parse: SDP files")
    p.add_argument("--out")
    p.add_argument("--offer")
    p.add_argument("--offer-out")
    p.add_argument("--answer-in")
    p.add_argument("--wait", type=float, default=30.0)
    dirs = ["none", "recvonly", "sendonly", "sendrecv", "inactive"]
    p.add_argument("--video", choices=dirs, default="recvonly")
    p.add_argument("--audio", choices=dirs, default="recvonly")
    p.add_argument("--data", action="store_true")
    p.add_argument("--codec", default="any")
    a = p.parse_args()
    if a.mode == "parse":
        if not a.files:
            fail("args", "parse needs FILE", 2)
        run_parse(a.files)
        return
    if not only_loopback() and os.environ.get("RTCAM_ALLOW_HOST_NET") != "1":
        fail("setup", "aiortc must run in a network namespace that has only lo (use netns.sh)", 3)
    if a.mode == "offer":
        if not a.out:
            fail("args", "offer needs --out FILE", 2)
        asyncio.run(run_offer(a))
    elif a.mode == "answer":
        if not (a.offer and a.out):
            fail("args", "answer needs --offer FILE --out FILE", 2)
        asyncio.run(run_answer(a))
    else:
        if not (a.offer_out and a.answer_in):
            fail("args", "offer-accept needs --offer-out FILE --answer-in FILE", 2)
        asyncio.run(run_offer_accept(a))


if __name__ == "__main__":
    main()
