// Signaling through the official KVS WebRTC JS SDK (amazon-kinesis-video-streams-webrtc) against
// the local KVS server, the way the SDK's own examples do it: DescribeSignalingChannel,
// GetSignalingChannelEndpoint for the role, GetIceServerConfig on the HTTPS endpoint, then a
// SignalingClient on the WSS endpoint signed with the clock offset the AWS SDK learned.
//
//   node signal.mjs '{"mode":"pair"|"master"|"viewer","endpoint":"https://127.0.0.1:PORT",
//                     "region":"us-west-2","accessKeyId":"..","secretAccessKey":"..",
//                     "channelName":"..","create":false,"viewers":[{"clientId":"v1","offer":"<json>",
//                     "candidates":["<json>",..],"answer":"<json>","masterCandidates":[..]}]}'
//
// Payloads are given as compact JSON text (what the SDK would send for that object); every
// received payload must arrive as exactly that text (checked on the raw WebSocket frame, after
// base64) and the SDK's event must carry the same object.
//
// create: the master first creates the channel (pair and master modes).
// pair:   a JS master and one JS viewer per entry, all in this process. Each viewer sends its
//         offer and candidates; the master answers each viewer (by senderClientId) with that
//         viewer's answer and candidates. Then a viewer sends an oversized offer with a
//         correlation id and must get the STATUS_RESPONSE for it. Last, viewers with a wrong
//         key, a skewed clock, a bad client id or an unknown channel must be refused.
// master: only the JS master (the viewers are someone else, e.g. our Rust client). Prints
//         {"ready":true} once its WebSocket is open, then serves the viewers as in pair, and
//         stays connected until its stdin ends.
// viewer: only the JS viewers (the master is someone else, already connected).
//
// Prints {"ok":true,...} last (after an optional {"ready":true} line), or {"ok":false,"step",
// "error"}; exit 0/1.
import { check, config, deadline, fail, installWebSocket, load, versionOf } from './common.mjs';

installWebSocket();
const kv = load('@aws-sdk/client-kinesis-video');
const kvs = load('@aws-sdk/client-kinesis-video-signaling');
const { SignalingClient, Role } = load('amazon-kinesis-video-streams-webrtc');
const cfg = config();
let step = 'setup';
deadline(cfg.timeoutMs ?? 30000, () => step);

const credentials = {
  accessKeyId: cfg.accessKeyId,
  secretAccessKey: cfg.secretAccessKey,
  ...(cfg.sessionToken ? { sessionToken: cfg.sessionToken } : {}),
};
const base = { region: cfg.region, endpoint: cfg.endpoint, credentials, maxAttempts: 1 };
const kinesisVideo = new kv.KinesisVideoClient(base);

for (const v of cfg.viewers) {
  for (const t of [v.offer, v.answer, ...v.candidates, ...v.masterCandidates]) {
    check(JSON.stringify(JSON.parse(t)) === t, `payload is compact JSON as the SDK writes it: ${t}`);
  }
}

/** Describe → endpoints → ICE servers → a SignalingClient (not opened), as the SDK examples do. */
async function connectInfo(role, clientId) {
  step = `${role} ${clientId ?? ''} DescribeSignalingChannel`;
  const { ChannelInfo } = await kinesisVideo.send(new kv.DescribeSignalingChannelCommand({
    ChannelName: cfg.channelName }));
  step = `${role} ${clientId ?? ''} GetSignalingChannelEndpoint`;
  const { ResourceEndpointList } = await kinesisVideo.send(
    new kv.GetSignalingChannelEndpointCommand({
      ChannelARN: ChannelInfo.ChannelARN,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: role },
    }));
  const ep = Object.fromEntries(ResourceEndpointList.map((e) => [e.Protocol, e.ResourceEndpoint]));
  step = `${role} ${clientId ?? ''} GetIceServerConfig`;
  const sig = new kvs.KinesisVideoSignalingClient({ ...base, endpoint: ep.HTTPS });
  const { IceServerList } = await sig.send(new kvs.GetIceServerConfigCommand({
    ChannelARN: ChannelInfo.ChannelARN, ...(clientId ? { ClientId: clientId } : {}) }));
  const client = new SignalingClient({
    channelARN: ChannelInfo.ChannelARN,
    channelEndpoint: ep.WSS,
    role,
    ...(clientId ? { clientId } : {}),
    region: cfg.region,
    credentials,
    systemClockOffset: kinesisVideo.config.systemClockOffset,
  });
  return { client, iceServers: IceServerList.length, wss: ep.WSS, arn: ChannelInfo.ChannelARN };
}

/**
 * Records every raw frame (the payload as the text it decodes to), and fails the driver on an
 * SDK `error` event or an unexpected close.
 */
function watch(client, who, log) {
  client.on('error', (e) => fail(`${who}: SignalingClient error`, e?.error ?? e?.message ?? e));
  client.on('close', () => { if (!done) fail(`${who}: WebSocket closed early`, 'close'); });
  client.once('open', () => {
    client.websocket.addEventListener('message', (ev) => {
      const m = JSON.parse(ev.data.toString());
      log.push({
        messageType: m.messageType,
        senderClientId: m.senderClientId,
        payload: m.messagePayload === undefined ? undefined
          : Buffer.from(m.messagePayload, 'base64').toString('utf8'),
        statusResponse: m.statusResponse,
      });
    });
  });
}

function opened(client) {
  return new Promise((resolve) => { client.once('open', resolve); client.open(); });
}

let done = false;
const raw = { master: [], viewers: {} };
/** Resolves when `pred()` holds (checked after every event), rejects after `ms`. */
function until(pred, what, ms = 15000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) return resolve(Date.now() - t0);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      return setTimeout(tick, 5);
    };
    tick();
  });
}

/** Checks that `frames` carried exactly these payload texts, in order, of this type. */
function checkRaw(frames, type, from, texts, who) {
  const got = frames.filter((f) => f.messageType === type && (from === null
    || f.senderClientId === from)).map((f) => f.payload);
  check(JSON.stringify(got) === JSON.stringify(texts),
    `${who}: raw ${type} payloads from ${from}: got ${JSON.stringify(got)}, want ${JSON.stringify(texts)}`);
}

async function runMaster() {
  if (cfg.create) {
    step = 'master CreateSignalingChannel';
    await kinesisVideo.send(new kv.CreateSignalingChannelCommand({ ChannelName: cfg.channelName,
      ChannelType: 'SINGLE_MASTER' }));
  }
  const { client, iceServers, wss, arn } = await connectInfo(Role.MASTER);
  const seen = {};
  for (const v of cfg.viewers) seen[v.clientId] = { offer: null, candidates: [] };
  watch(client, 'master', raw.master);
  client.on('sdpOffer', (offer, sender) => {
    const v = cfg.viewers.find((x) => x.clientId === sender);
    if (!v) return fail('master', `offer from an unexpected sender ${sender}`);
    seen[sender].offer = offer;
    client.sendSdpAnswer(JSON.parse(v.answer), sender);
    for (const c of v.masterCandidates) client.sendIceCandidate(JSON.parse(c), sender);
    return undefined;
  });
  client.on('iceCandidate', (c, sender) => seen[sender]?.candidates.push(c));
  step = 'master open';
  await opened(client);
  return { client, seen, iceServers, wss, arn };
}

/**
 * A viewer whose presigned URL the service must refuse: the SDK reports `error` and/or
 * `close` and never `open`. Returns what it saw.
 */
function refused(what, { wss, arn, clientId = 'js-refused', creds = credentials, offsetMs = 0 }) {
  return new Promise((resolve, reject) => {
    const c = new SignalingClient({ channelARN: arn, channelEndpoint: wss, role: Role.VIEWER,
      clientId, region: cfg.region, credentials: creds, systemClockOffset: offsetMs });
    const seen = { what, events: [] };
    const t = setTimeout(() => reject(new Error(`${what}: neither refused nor opened in 5 s`)),
      5000);
    c.on('open', () => { clearTimeout(t); reject(new Error(`${what}: the connection opened`)); });
    c.on('error', (e) => { seen.events.push('error'); seen.error = String(e?.message ?? e); });
    c.on('close', () => { seen.events.push('close'); clearTimeout(t); resolve(seen); });
    c.open();
  });
}

async function runViewer(v) {
  const { client, iceServers } = await connectInfo(Role.VIEWER, v.clientId);
  const seen = { answer: null, candidates: [], senders: new Set() };
  raw.viewers[v.clientId] = [];
  watch(client, v.clientId, raw.viewers[v.clientId]);
  client.on('sdpAnswer', (a, sender) => { seen.answer = a; seen.senders.add(sender ?? null); });
  client.on('iceCandidate', (c, sender) => { seen.candidates.push(c); seen.senders.add(sender ?? null); });
  step = `viewer ${v.clientId} open`;
  await opened(client);
  client.sendSdpOffer(JSON.parse(v.offer));
  for (const c of v.candidates) client.sendIceCandidate(JSON.parse(c));
  return { client, seen, iceServers };
}

async function main() {
  const report = { ok: true, mode: cfg.mode, versions: {} };
  for (const n of ['amazon-kinesis-video-streams-webrtc', '@aws-sdk/client-kinesis-video',
    '@aws-sdk/client-kinesis-video-signaling', 'ws']) report.versions[n] = versionOf(n);
  const t0 = Date.now();
  let master = null;
  if (cfg.mode === 'pair' || cfg.mode === 'master') {
    master = await runMaster();
    report.masterIceServers = master.iceServers;
    if (cfg.mode === 'master') console.log(JSON.stringify({ ready: true }));
  }
  const viewers = {};
  if (cfg.mode === 'pair' || cfg.mode === 'viewer') {
    for (const v of cfg.viewers) viewers[v.clientId] = await runViewer(v);
  }

  if (master) {
    step = 'master: waiting for the viewers\' offers and candidates';
    await until(() => cfg.viewers.every((v) => master.seen[v.clientId].offer !== null
      && master.seen[v.clientId].candidates.length >= v.candidates.length), step);
    for (const v of cfg.viewers) {
      const s = master.seen[v.clientId];
      check(JSON.stringify(s.offer) === v.offer, `master: sdpOffer event from ${v.clientId}`);
      check(JSON.stringify(s.candidates) === JSON.stringify(v.candidates.map((c) => JSON.parse(c))),
        `master: iceCandidate events from ${v.clientId}`);
      checkRaw(raw.master, 'SDP_OFFER', v.clientId, [v.offer], 'master');
      checkRaw(raw.master, 'ICE_CANDIDATE', v.clientId, v.candidates, 'master');
    }
  }
  for (const v of cfg.viewers) {
    const w = viewers[v.clientId];
    if (!w) continue;
    step = `viewer ${v.clientId}: waiting for the answer and candidates`;
    await until(() => w.seen.answer !== null
      && w.seen.candidates.length >= v.masterCandidates.length, step);
    check(JSON.stringify(w.seen.answer) === v.answer, `viewer ${v.clientId}: sdpAnswer event`);
    check(JSON.stringify(w.seen.candidates)
      === JSON.stringify(v.masterCandidates.map((c) => JSON.parse(c))),
      `viewer ${v.clientId}: iceCandidate events`);
    checkRaw(raw.viewers[v.clientId], 'SDP_ANSWER', null, [v.answer], v.clientId);
    checkRaw(raw.viewers[v.clientId], 'ICE_CANDIDATE', null, v.masterCandidates, v.clientId);
    check(raw.viewers[v.clientId].every((f) => f.messageType !== 'SDP_OFFER'),
      `viewer ${v.clientId} got no offer`);
  }
  report.exchangeMs = Date.now() - t0;

  if (cfg.mode === 'pair') {
    // A bad message with a correlation id: the service answers with a STATUS_RESPONSE that
    // carries the id (the SDK emits it as `statusResponse`) and keeps the connection.
    step = 'STATUS_RESPONSE for an oversized offer';
    const v = cfg.viewers[0];
    const w = viewers[v.clientId];
    let status = null;
    w.client.on('statusResponse', (s) => { status = s; });
    const big = { type: 'offer', sdp: `v=0\r\n${'a=x-pad:0123456789abcdef\r\n'.repeat(500)}` };
    w.client.sendSdpOffer(big, undefined, 'corr-oversized-1');
    await until(() => status !== null, step);
    check(status.correlationId === 'corr-oversized-1', `correlationId ${status.correlationId}`);
    check(typeof status.errorType === 'string' && status.errorType.length > 0, 'errorType');
    check(String(status.statusCode).startsWith('4'), `statusCode ${status.statusCode}`);
    report.statusResponse = status;
    step = 'the connection survives a bad message';
    const n = master.seen[v.clientId].candidates.length;
    w.client.sendIceCandidate(JSON.parse(v.candidates[0]));
    await until(() => master.seen[v.clientId].candidates.length === n + 1, step);

    // The presigned WSS URL is really verified: a wrong secret, a clock 10 minutes slow (the
    // 5-minute window), a client id the grammar refuses and an unknown channel ARN are all
    // refused at the upgrade.
    const { wss, arn } = master;
    report.refused = [];
    step = 'refused: wrong secret key';
    report.refused.push(await refused(step, { wss, arn,
      creds: { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` } }));
    step = 'refused: clock 10 minutes slow';
    report.refused.push(await refused(step, { wss, arn, offsetMs: -600_000 }));
    step = 'refused: client id starting with AWS_';
    report.refused.push(await refused(step, { wss, arn, clientId: 'AWS_viewer' }));
    step = 'refused: unknown channel';
    report.refused.push(await refused(step, { wss, arn: `${arn.slice(0, -13)}1000000000000` }));
  }

  report.masterFrames = raw.master.map((f) => ({ messageType: f.messageType,
    senderClientId: f.senderClientId }));
  report.viewerFrames = Object.fromEntries(Object.entries(raw.viewers).map(([id, fs]) => [id,
    fs.map((f) => ({ messageType: f.messageType, senderClientId: f.senderClientId }))]));
  report.viewerIceServers = Object.fromEntries(Object.entries(viewers)
    .map(([id, w]) => [id, w.iceServers]));
  if (cfg.mode === 'master') {
    // The viewers are someone else, maybe still reading what this master sent them: keep the
    // connection until our stdin ends (the test closes it when its viewers are done).
    step = 'master: waiting for stdin to end';
    await new Promise((resolve) => {
      process.stdin.on('end', resolve).on('error', resolve).resume();
    });
  }
  done = true;
  for (const w of Object.values(viewers)) w.client.close();
  master?.client.close();
  console.log(JSON.stringify(report));
  // ws sockets close asynchronously; do not wait for the server's close frames.
  process.exit(0);
}

main().catch((e) => fail(step, e));
