// Control plane through AWS's own JS SDK v3 clients against the local KVS server:
//
//   node control.mjs '{"endpoint":"https://127.0.0.1:PORT","region":"us-west-2",
//                      "accessKeyId":"..","secretAccessKey":"..","sessionToken":null,
//                      "channelName":"js-control"}'
//
// @aws-sdk/client-kinesis-video: CreateSignalingChannel, DescribeSignalingChannel (by name and by
// ARN), GetSignalingChannelEndpoint (MASTER and VIEWER, WSS + HTTPS),
// DescribeMediaStorageConfiguration, DeleteSignalingChannel; the SDK's typed exceptions for an
// unknown channel (ResourceNotFoundException), a second channel with the same name
// (ResourceInUseException), a stale CurrentVersion (VersionMismatchException) and a wrong secret
// key (HTTP 403); its clock-skew correction (a client 10 minutes slow gets the service's 403,
// learns the offset from the `Date` header and succeeds on the retry).
// @aws-sdk/client-kinesis-video-signaling: GetIceServerConfig against the HTTPS endpoint.
//
// Prints one JSON line: {"ok":true,...what was seen...} or {"ok":false,"step","error"}; exit 0/1.
import { check, config, deadline, fail, load, versionOf } from './common.mjs';

const kv = load('@aws-sdk/client-kinesis-video');
const kvs = load('@aws-sdk/client-kinesis-video-signaling');
const cfg = config();
let step = 'setup';
deadline(cfg.timeoutMs ?? 30000, () => step);

const credentials = {
  accessKeyId: cfg.accessKeyId,
  secretAccessKey: cfg.secretAccessKey,
  ...(cfg.sessionToken ? { sessionToken: cfg.sessionToken } : {}),
};
// maxAttempts 2: one retry, which the clock-skew case needs; every other call must succeed on
// the first attempt (checked through $metadata.attempts).
const clientConfig = { region: cfg.region, endpoint: cfg.endpoint, credentials, maxAttempts: 2 };
const cp = new kv.KinesisVideoClient(clientConfig);

/** Runs `fn`, which must throw; returns the exception. */
async function mustThrow(what, fn) {
  let out;
  try {
    out = await fn();
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: expected an exception, got ${JSON.stringify(out)}`);
}

function errInfo(e) {
  return { name: e.name, message: e.message, httpStatusCode: e.$metadata?.httpStatusCode,
    fault: e.$fault };
}

async function send(client, command) {
  const out = await client.send(command);
  check(out.$metadata.httpStatusCode === 200, `${command.constructor.name} status 200`);
  return out;
}

async function main() {
  const report = {
    ok: true,
    versions: Object.fromEntries(['@aws-sdk/client-kinesis-video',
      '@aws-sdk/client-kinesis-video-signaling'].map((n) => [n, versionOf(n)])),
  };
  const name = cfg.channelName;

  step = 'CreateSignalingChannel';
  const created = await send(cp, new kv.CreateSignalingChannelCommand({
    ChannelName: name,
    ChannelType: 'SINGLE_MASTER',
    SingleMasterConfiguration: { MessageTtlSeconds: 60 },
    Tags: [{ Key: 'project', Value: 'rtcam' }],
  }));
  const arn = created.ChannelARN;
  check(/^arn:aws:kinesisvideo:[a-z0-9-]+:\d{12}:channel\/[A-Za-z0-9_.-]+\/\d{13}$/.test(arn ?? ''),
    `ChannelARN shape: ${arn}`);
  check(arn.split('/')[1] === name, 'the ARN names the channel');
  report.channelArn = arn;

  step = 'CreateSignalingChannel (same name again)';
  const inUse = await mustThrow(step, () => cp.send(new kv.CreateSignalingChannelCommand({
    ChannelName: name, ChannelType: 'SINGLE_MASTER' })));
  check(inUse instanceof kv.ResourceInUseException,
    `ResourceInUseException, got ${JSON.stringify(errInfo(inUse))}`);
  report.duplicateCreate = errInfo(inUse);

  step = 'DescribeSignalingChannel (name)';
  const byName = (await send(cp, new kv.DescribeSignalingChannelCommand({ ChannelName: name })))
    .ChannelInfo;
  step = 'DescribeSignalingChannel (ARN)';
  const byArn = (await send(cp, new kv.DescribeSignalingChannelCommand({ ChannelARN: arn })))
    .ChannelInfo;
  for (const info of [byName, byArn]) {
    check(info.ChannelARN === arn, `ChannelInfo.ChannelARN ${info.ChannelARN}`);
    check(info.ChannelName === name, `ChannelInfo.ChannelName ${info.ChannelName}`);
    check(info.ChannelType === 'SINGLE_MASTER', `ChannelType ${info.ChannelType}`);
    check(info.ChannelStatus === 'ACTIVE', `ChannelStatus ${info.ChannelStatus}`);
    check(typeof info.Version === 'string' && info.Version.length > 0, 'Version');
    check(info.SingleMasterConfiguration?.MessageTtlSeconds === 60, 'MessageTtlSeconds 60');
    check(info.CreationTime instanceof Date && !Number.isNaN(info.CreationTime.getTime()),
      `CreationTime parses as a date: ${info.CreationTime}`);
  }
  check(JSON.stringify(byName) === JSON.stringify(byArn), 'same ChannelInfo by name and by ARN');
  report.channelInfo = byName;

  report.endpoints = {};
  for (const Role of ['MASTER', 'VIEWER']) {
    step = `GetSignalingChannelEndpoint (${Role})`;
    const list = (await send(cp, new kv.GetSignalingChannelEndpointCommand({
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role },
    }))).ResourceEndpointList;
    const byProto = Object.fromEntries(list.map((e) => [e.Protocol, e.ResourceEndpoint]));
    check(list.length === 2, `two endpoints, got ${JSON.stringify(list)}`);
    check(/^wss:\/\/[^/?]+$/.test(byProto.WSS ?? ''), `WSS endpoint ${byProto.WSS}`);
    check(/^https:\/\/[^/?]+$/.test(byProto.HTTPS ?? ''), `HTTPS endpoint ${byProto.HTTPS}`);
    report.endpoints[Role] = byProto;
  }

  step = 'GetIceServerConfig';
  const sig = new kvs.KinesisVideoSignalingClient({ ...clientConfig,
    endpoint: report.endpoints.VIEWER.HTTPS });
  const ice = await send(sig, new kvs.GetIceServerConfigCommand({
    ChannelARN: arn, ClientId: 'js-viewer-1', Service: 'TURN' }));
  check(Array.isArray(ice.IceServerList), 'IceServerList');
  check(ice.IceServerList.length <= 5, 'at most 5 ICE servers');
  for (const s of ice.IceServerList) {
    check(Array.isArray(s.Uris) && s.Uris.length >= 1 && s.Uris.length <= 4, '1-4 Uris');
    check(s.Uris.every((u) => /^(turns?|stuns?):/.test(u)), `TURN/STUN URIs: ${s.Uris}`);
    check(typeof s.Username === 'string' && typeof s.Password === 'string', 'Username/Password');
    check(Number.isInteger(s.Ttl) && s.Ttl > 0, `Ttl ${s.Ttl}`);
  }
  report.iceServerList = ice.IceServerList;

  step = 'DescribeMediaStorageConfiguration';
  const media = await send(cp, new kv.DescribeMediaStorageConfigurationCommand({ ChannelARN: arn }));
  check(['ENABLED', 'DISABLED'].includes(media.MediaStorageConfiguration?.Status),
    `Status ${media.MediaStorageConfiguration?.Status}`);
  report.mediaStorageConfiguration = media.MediaStorageConfiguration;

  step = 'DescribeSignalingChannel (unknown channel)';
  const notFound = await mustThrow(step, () => cp.send(new kv.DescribeSignalingChannelCommand({
    ChannelName: `${name}-missing` })));
  check(notFound instanceof kv.ResourceNotFoundException,
    `ResourceNotFoundException, got ${JSON.stringify(errInfo(notFound))}`);
  check(notFound.$metadata.httpStatusCode === 404, '404');
  check(notFound.$metadata.attempts === 1, 'not retried');
  report.notFound = errInfo(notFound);

  step = 'DescribeSignalingChannel (wrong secret key)';
  const bad = new kv.KinesisVideoClient({ ...clientConfig,
    credentials: { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` } });
  const denied = await mustThrow(step, () => bad.send(new kv.DescribeSignalingChannelCommand({
    ChannelName: name })));
  check(denied instanceof kv.KinesisVideoServiceException, 'a service exception');
  check(denied.$metadata.httpStatusCode === 403, `403, got ${JSON.stringify(errInfo(denied))}`);
  report.wrongKey = errInfo(denied);

  step = 'DescribeSignalingChannel (clock 10 minutes slow)';
  const skewed = new kv.KinesisVideoClient({ ...clientConfig, systemClockOffset: -600_000 });
  const out = await send(skewed, new kv.DescribeSignalingChannelCommand({ ChannelARN: arn }));
  const offset = skewed.config.systemClockOffset;
  check(out.$metadata.attempts === 2, `corrected on the retry: attempts ${out.$metadata.attempts}`);
  check(Math.abs(offset) < 5_000, `offset learned from Date: ${offset} ms`);
  report.clockSkew = { attempts: out.$metadata.attempts, correctedOffsetMs: offset };

  step = 'DeleteSignalingChannel (stale version)';
  const stale = await mustThrow(step, () => cp.send(new kv.DeleteSignalingChannelCommand({
    ChannelARN: arn, CurrentVersion: `${byArn.Version}0` })));
  check(stale instanceof kv.VersionMismatchException,
    `VersionMismatchException, got ${JSON.stringify(errInfo(stale))}`);
  report.staleDelete = errInfo(stale);

  step = 'DeleteSignalingChannel';
  await send(cp, new kv.DeleteSignalingChannelCommand({ ChannelARN: arn,
    CurrentVersion: byArn.Version }));
  step = 'DescribeSignalingChannel (deleted)';
  const gone = await mustThrow(step, () => cp.send(new kv.DescribeSignalingChannelCommand({
    ChannelARN: arn })));
  check(gone instanceof kv.ResourceNotFoundException,
    `ResourceNotFoundException after delete, got ${JSON.stringify(errInfo(gone))}`);

  console.log(JSON.stringify(report));
}

main().catch((e) => fail(step, e));
