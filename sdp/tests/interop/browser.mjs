// Headless Chromium as a real SDP peer for the rtcam SDP interop tests.
//
//   node browser.mjs offer --out FILE [MEDIA]
//   node browser.mjs answer --offer FILE --out FILE [--offer FILE --out FILE ...]
//   node browser.mjs offer-accept --offer-out FILE --answer-in FILE [MEDIA] [--wait SECS]
//   node browser.mjs offer-connect --offer-out FILE --answer-in FILE [MEDIA] [--wait SECS]
//                    [--connect-wait SECS]
//
// MEDIA: --video none|recvonly|sendonly|sendrecv (default recvonly)
//        --audio none|recvonly|sendonly|sendrecv (default recvonly)
//        --data                   also open a data channel (label "kvsDataChannel", like the KVS viewer)
//        --codec H264|VP8|VP9|AV1|any   setCodecPreferences on the video transceiver (default any)
//
// offer:        createOffer, setLocalDescription, wait (<= 5 s) for ICE gathering, write the SDP.
// answer:       per pair: setRemoteDescription(offer), createAnswer, setLocalDescription, write the
//               answer. Prints one JSON line per pair; exit 1 if any failed.
// offer-accept: as offer (the file is written to a temp name, then renamed), then waits for the
//               answer file (<= --wait, default 30 s), setRemoteDescription(answer), prints
//               {"ok":true,"signalingState",...,"transceivers":[{mid,direction,currentDirection,codecs}],"sctp"}.
// offer-connect: as offer-accept, then waits (<= --connect-wait, default 20 s) for
//               connectionState connected (or failed) — a real ICE + DTLS connection with the
//               answerer — and prints {"ok":true,"connectionState","ms",...,"transport":{dtlsState,
//               tlsVersion,dtlsCipher,srtpCipher,dtlsRole,selectedCandidatePairId,...},
//               "selectedPair","localCertificate","remoteCertificate":{fingerprint,...}}; on
//               failure the same fields with ok:false, step "connect". Then closes the peer
//               connection (Chromium sends DTLS close_notify) and exits.
// Any failure prints {"ok":false,"step":...,"error":...} and exits 1.
//
// Must run inside an lo-only network namespace (netns.sh): it refuses otherwise, unless
// RTCAM_ALLOW_HOST_NET=1. Browser: $RTCAM_CHROMIUM or /usr/bin/chromium (never downloaded).
// playwright-core: $RTCAM_NODE_DIR/node_modules (default ${XDG_CACHE_HOME:-~/.cache}/rtcam/node).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const nodeDir = process.env.RTCAM_NODE_DIR
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rtcam', 'node');

function fail(step, error, code = 1) {
  console.log(JSON.stringify({ ok: false, step, error: String(error) }));
  process.exit(code);
}

let chromium;
try {
  ({ chromium } = createRequire(path.join(nodeDir, 'node_modules', 'x.js'))('playwright-core'));
} catch (e) {
  fail('setup', `playwright-core not found under ${nodeDir}: run scripts/install.sh (${e.message})`, 3);
}

function onlyLoopback() {
  const names = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)
    .map((l) => l.split(':')[0].trim()).filter((n) => n);
  return names.every((n) => n === 'lo');
}

function parseArgs(argv) {
  const a = { mode: argv[0], video: 'recvonly', audio: 'recvonly', data: false, codec: 'any',
    offers: [], outs: [], wait: 30, connectWait: 20 };
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) fail('args', `${k} needs a value`, 2);
      return argv[++i];
    };
    switch (k) {
      case '--out': a.outs.push(v()); break;
      case '--offer': a.offers.push(v()); break;
      case '--offer-out': a.offerOut = v(); break;
      case '--answer-in': a.answerIn = v(); break;
      case '--video': a.video = v(); break;
      case '--audio': a.audio = v(); break;
      case '--data': a.data = true; break;
      case '--codec': a.codec = v(); break;
      case '--wait': a.wait = +v(); break;
      case '--connect-wait': a.connectWait = +v(); break;
      default: fail('args', `unknown argument ${k}`, 2);
    }
  }
  const dirs = ['none', 'recvonly', 'sendonly', 'sendrecv', 'inactive'];
  if (!dirs.includes(a.video) || !dirs.includes(a.audio)) fail('args', 'bad --video/--audio', 2);
  return a;
}

// Runs in the page. Builds the transceivers/data channel of `m`, returns nothing; keeps the
// peer connection in window.__pc.
async function pageSetup(m) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pc = pc;
  window.__gathered = new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  async function track(kind) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ [kind]: true });
      return s.getTracks()[0];
    } catch (e) {
      // No fake device (not a secure context, or no permission): synthesize one.
      if (kind === 'video') {
        const c = document.createElement('canvas');
        c.width = 320; c.height = 240;
        const g = c.getContext('2d');
        setInterval(() => { g.fillStyle = `hsl(${Date.now() % 360},80%,50%)`; g.fillRect(0, 0, 320, 240); }, 50);
        return c.captureStream(20).getVideoTracks()[0];
      }
      const ac = new AudioContext();
      const o = ac.createOscillator();
      const d = ac.createMediaStreamDestination();
      o.connect(d); o.start();
      return d.stream.getAudioTracks()[0];
    }
  }
  const stream = new MediaStream();
  for (const kind of ['video', 'audio']) {
    const dir = m[kind];
    if (dir === 'none') continue;
    let t;
    if (dir === 'sendonly' || dir === 'sendrecv') {
      const tr = await track(kind);
      stream.addTrack(tr);
      t = pc.addTransceiver(tr, { direction: dir, streams: [stream] });
    } else {
      t = pc.addTransceiver(kind, { direction: dir });
    }
    if (kind === 'video' && m.codec !== 'any') {
      const all = RTCRtpReceiver.getCapabilities('video').codecs;
      const want = all.filter((c) => c.mimeType.toLowerCase() === `video/${m.codec.toLowerCase()}`);
      if (want.length === 0) throw new Error(`codec ${m.codec} not supported by this browser`);
      const rest = all.filter((c) => /\/(rtx|red|ulpfec|flexfec-03)$/i.test(c.mimeType));
      t.setCodecPreferences(want.concat(rest));
    }
  }
  if (m.data) pc.createDataChannel('kvsDataChannel');
}

async function pageOffer() {
  const pc = window.__pc;
  await pc.setLocalDescription(await pc.createOffer());
  await Promise.race([window.__gathered, new Promise((r) => setTimeout(r, 5000))]);
  return pc.localDescription.sdp;
}

// Returns {ok, sdp} or {ok:false, step, error}.
async function pageAnswer(offer) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const gathered = new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  let step = 'setRemoteDescription';
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    step = 'createAnswer';
    const ans = await pc.createAnswer();
    step = 'setLocalDescription';
    await pc.setLocalDescription(ans);
    await Promise.race([gathered, new Promise((r) => setTimeout(r, 5000))]);
    const sdp = pc.localDescription.sdp;
    pc.close();
    return { ok: true, sdp };
  } catch (e) {
    pc.close();
    return { ok: false, step, error: `${e.name}: ${e.message}` };
  }
}

async function pageAccept(answer) {
  const pc = window.__pc;
  try {
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  } catch (e) {
    return { ok: false, step: 'setRemoteDescription', error: `${e.name}: ${e.message}` };
  }
  const transceivers = pc.getTransceivers().map((t) => ({
    mid: t.mid,
    kind: t.receiver.track ? t.receiver.track.kind : null,
    direction: t.direction,
    currentDirection: t.currentDirection,
    codecs: (() => {
      const p = t.currentDirection === 'sendonly' ? t.sender.getParameters() : t.receiver.getParameters();
      return (p.codecs || []).map((c) => ({
        mimeType: c.mimeType, payloadType: c.payloadType, clockRate: c.clockRate,
        channels: c.channels, sdpFmtpLine: c.sdpFmtpLine,
      }));
    })(),
  }));
  const res = { ok: true, signalingState: pc.signalingState, transceivers, sctp: pc.sctp !== null };
  pc.close();
  return res;
}

// Applies the answer, waits for the connection (<= secs), reports getStats() of the transport.
async function pageConnect({ answer, secs }) {
  const pc = window.__pc;
  try {
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  } catch (e) {
    return { ok: false, step: 'setRemoteDescription', error: `${e.name}: ${e.message}` };
  }
  const t0 = performance.now();
  const states = [];
  const done = (s) => s === 'connected' || s === 'failed' || s === 'closed';
  await new Promise((resolve) => {
    pc.addEventListener('connectionstatechange', () => {
      states.push(pc.connectionState);
      if (done(pc.connectionState)) resolve();
    });
    if (done(pc.connectionState)) resolve();
    setTimeout(resolve, secs * 1000);
  });
  const ms = Math.round(performance.now() - t0);
  const byId = new Map();
  (await pc.getStats()).forEach((r) => byId.set(r.id, r));
  const all = [...byId.values()];
  const transport = all.find((r) => r.type === 'transport') || null;
  const pick = (r, keys) => (r ? Object.fromEntries(keys.map((k) => [k, r[k] ?? null])) : null);
  const cert = (id) => pick(byId.get(id), ['fingerprint', 'fingerprintAlgorithm']);
  const pair = transport && byId.get(transport.selectedCandidatePairId);
  const cand = (id) => pick(byId.get(id), ['address', 'port', 'protocol', 'candidateType']);
  const res = {
    ok: pc.connectionState === 'connected',
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    states,
    ms,
    transport: pick(transport, ['dtlsState', 'tlsVersion', 'dtlsCipher', 'srtpCipher', 'dtlsRole',
      'iceRole', 'iceState', 'selectedCandidatePairId', 'packetsSent', 'packetsReceived']),
    selectedPair: pair ? {
      state: pair.state, nominated: pair.nominated, responsesReceived: pair.responsesReceived ?? null,
      local: cand(pair.localCandidateId), remote: cand(pair.remoteCandidateId),
    } : null,
    localCertificate: transport ? cert(transport.localCertificateId) : null,
    remoteCertificate: transport ? cert(transport.remoteCertificateId) : null,
  };
  if (!res.ok) {
    res.step = 'connect';
    res.error = `connectionState ${pc.connectionState} after ${ms} ms (states: ${states.join(',')})`;
  }
  pc.close();
  return res;
}

async function waitForFile(file, secs) {
  const end = Date.now() + secs * 1000;
  while (Date.now() < end) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

function writeAtomic(file, text) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!onlyLoopback() && process.env.RTCAM_ALLOW_HOST_NET !== '1') {
    fail('setup', 'Chromium must run in a network namespace that has only lo (use netns.sh)', 3);
  }
  const exe = process.env.RTCAM_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(exe)) fail('setup', `${exe} not found: run scripts/install.sh (Debian package chromium)`, 3);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rtcam-chromium-'));
  let browser;
  try {
    // launchPersistentContext is how playwright takes a --user-data-dir of our own.
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: exe,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      ],
    });
    browser = ctx;
    const page = ctx.pages()[0] || await ctx.newPage();
    page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e}\n`));
    // A secure context (http://localhost) without a server: playwright answers the request.
    // getUserMedia needs one, and once it has been granted Chromium gathers host candidates on
    // every interface (lo included) instead of only the default route, which an lo-only
    // namespace does not have.
    await page.route('http://localhost/rtcam.html', (r) => r.fulfill({
      contentType: 'text/html', body: '<!doctype html><title>rtcam sdp interop</title>',
    }));
    await page.goto('http://localhost/rtcam.html');
    await page.evaluate(async () => {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        s.getTracks().forEach((t) => t.stop());
      } catch (e) {
        console.log(`getUserMedia failed (no loopback candidates then): ${e}`);
      }
    });
    const media = { video: a.video, audio: a.audio, data: a.data, codec: a.codec };

    if (a.mode === 'offer') {
      if (a.outs.length !== 1) fail('args', 'offer needs --out FILE', 2);
      await page.evaluate(pageSetup, media).catch((e) => fail('setup', e.message));
      const sdp = await page.evaluate(pageOffer).catch((e) => fail('createOffer', e.message));
      writeAtomic(a.outs[0], sdp);
      console.log(JSON.stringify({ ok: true }));
    } else if (a.mode === 'answer') {
      if (a.offers.length === 0 || a.offers.length !== a.outs.length) {
        fail('args', 'answer needs --offer FILE --out FILE (pairs)', 2);
      }
      let allOk = true;
      for (let i = 0; i < a.offers.length; i++) {
        const offer = fs.readFileSync(a.offers[i], 'utf8');
        const r = await page.evaluate(pageAnswer, offer);
        if (r.ok) {
          writeAtomic(a.outs[i], r.sdp);
          console.log(JSON.stringify({ ok: true, offer: a.offers[i] }));
        } else {
          allOk = false;
          console.log(JSON.stringify({ ...r, offer: a.offers[i] }));
        }
      }
      if (!allOk) { await ctx.close(); process.exit(1); }
    } else if (a.mode === 'offer-accept') {
      if (!a.offerOut || !a.answerIn) fail('args', 'offer-accept needs --offer-out and --answer-in', 2);
      await page.evaluate(pageSetup, media).catch((e) => fail('setup', e.message));
      const sdp = await page.evaluate(pageOffer).catch((e) => fail('createOffer', e.message));
      writeAtomic(a.offerOut, sdp);
      const answer = await waitForFile(a.answerIn, a.wait);
      if (answer === null) fail('waitAnswer', `no answer in ${a.answerIn} after ${a.wait} s`);
      const r = await page.evaluate(pageAccept, answer);
      console.log(JSON.stringify(r));
      if (!r.ok) { await ctx.close(); process.exit(1); }
    } else if (a.mode === 'offer-connect') {
      if (!a.offerOut || !a.answerIn) fail('args', 'offer-connect needs --offer-out and --answer-in', 2);
      await page.evaluate(pageSetup, media).catch((e) => fail('setup', e.message));
      const sdp = await page.evaluate(pageOffer).catch((e) => fail('createOffer', e.message));
      writeAtomic(a.offerOut, sdp);
      const answer = await waitForFile(a.answerIn, a.wait);
      if (answer === null) fail('waitAnswer', `no answer in ${a.answerIn} after ${a.wait} s`);
      const r = await page.evaluate(pageConnect, { answer, secs: a.connectWait });
      console.log(JSON.stringify(r));
      if (!r.ok) { await ctx.close(); process.exit(1); }
    } else {
      fail('args', `unknown mode ${a.mode} (offer | answer | offer-accept | offer-connect)`, 2);
    }
    await ctx.close();
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => fail('driver', e && e.stack ? e.stack : e));
