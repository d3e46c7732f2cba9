// Shared by the KVS JS SDK drivers (control.mjs, signal.mjs): loading the pinned npm packages,
// the driver's JSON config, and the one-line JSON report.
//
// The packages come from $RTCAM_KVS_JS_DIR/node_modules (default
// ${XDG_CACHE_HOME:-~/.cache}/rtcam/node/kvs), which `scripts/install.sh kvs-js` fills with
// `npm ci` from this directory's package-lock.json. ESM ignores NODE_PATH, so they are loaded
// with createRequire rooted there (all of them ship CommonJS builds).
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const jsDir = process.env.RTCAM_KVS_JS_DIR
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rtcam', 'node', 'kvs');

/** Prints `{"ok":false,...}` (the report line) and exits. */
export function fail(step, error, code = 1) {
  const e = error instanceof Error ? error : new Error(String(error));
  console.log(JSON.stringify({
    ok: false, step, error: `${e.name}: ${e.message}`,
    ...(e.$metadata ? { httpStatusCode: e.$metadata.httpStatusCode } : {}),
  }));
  process.exit(code);
}

/** Loads one of the pinned packages, or fails with the install hint (exit 3). */
export function load(name) {
  try {
    return createRequire(path.join(jsDir, 'node_modules', 'x.js'))(name);
  } catch (e) {
    return fail('setup', `npm package ${name} not found under ${jsDir}/node_modules: `
      + `run scripts/install.sh kvs-js (${e.message})`, 3);
  }
}

/** The version of an installed package, for the report. */
export function versionOf(name) {
  return load(`${name}/package.json`).version;
}

/**
 * Node 20 has no global WebSocket; the KVS SDK evaluates `WebSocket` as a global before it
 * falls back to require('ws') (which it cannot resolve from here), so install `ws` as the
 * global first. TLS trust for the local server's certificate comes from NODE_EXTRA_CA_CERTS,
 * which `ws` (node:https) honours like the AWS SDK's node-http-handler does.
 */
export function installWebSocket() {
  if (typeof globalThis.WebSocket === 'undefined') {
    globalThis.WebSocket = load('ws').WebSocket;
  }
}

/** The driver's config: one JSON object, the last command-line argument. */
export function config() {
  const arg = process.argv[process.argv.length - 1];
  try {
    return JSON.parse(arg);
  } catch (e) {
    return fail('args', `expected a JSON config as the last argument: ${e.message}`, 2);
  }
}

/** A deadline for the whole driver: fails (exit 4) instead of hanging the test. */
export function deadline(ms, step) {
  const t = setTimeout(() => fail(step(), `timed out after ${ms} ms`, 4), ms);
  t.unref();
  return t;
}

/** Throws when `cond` is false: the message says what differed. */
export function check(cond, what) {
  if (!cond) {
    throw new Error(`check failed: ${what}`);
  }
}
