// A tiny Kafka protocol client (classic, non-flexible request versions), enough for a readiness check:
// ApiVersions, FindCoordinator(group) and OffsetFetch(group). No npm dependency.
import { tcpExchange } from './common.mjs';

const API = { OffsetFetch: 9, FindCoordinator: 10, ApiVersions: 18 };
const CLIENT_ID = 'rs-stack-health';
let correlation = 1;

function str(s) {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
}
function i8(v) {
  const b = Buffer.alloc(1);
  b.writeInt8(v);
  return b;
}
function i32(v) {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

class Reader {
  constructor(buf) {
    this.b = buf;
    this.o = 0;
  }
  i16() {
    const v = this.b.readInt16BE(this.o);
    this.o += 2;
    return v;
  }
  i32() {
    const v = this.b.readInt32BE(this.o);
    this.o += 4;
    return v;
  }
  str() {
    const n = this.i16();
    if (n < 0) return null;
    const v = this.b.toString('utf8', this.o, this.o + n);
    this.o += n;
    return v;
  }
}

async function request(port, apiKey, version, body, opts) {
  const corr = correlation++;
  const header = Buffer.concat([
    Buffer.from([apiKey >> 8, apiKey & 255, version >> 8, version & 255]),
    i32(corr),
    str(CLIENT_ID),
  ]);
  const msg = Buffer.concat([header, body]);
  const resp = await tcpExchange(
    port,
    Buffer.concat([i32(msg.length), msg]),
    (b) => (b.length >= 4 && b.length >= 4 + b.readInt32BE(0) ? 4 + b.readInt32BE(0) : 0),
    opts,
  );
  const r = new Reader(resp);
  r.i32(); // size
  const c = r.i32();
  if (c !== corr) throw new Error(`kafka: correlation id mismatch (${c} != ${corr})`);
  return r;
}

export const KAFKA_ERRORS = {
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  35: 'UNSUPPORTED_VERSION',
};
const errName = (c) => KAFKA_ERRORS[c] || `error ${c}`;

/** ApiVersions v0: Map apiKey -> [min, max]. */
export async function apiVersions(port, opts) {
  const r = await request(port, API.ApiVersions, 0, Buffer.alloc(0), opts);
  const err = r.i16();
  if (err !== 0) throw new Error(`ApiVersions: ${errName(err)}`);
  const n = r.i32();
  const map = new Map();
  for (let i = 0; i < n; i++) {
    const k = r.i16();
    map.set(k, [r.i16(), r.i16()]);
  }
  return map;
}

function pick(versions, apiKey, wanted) {
  const range = versions.get(apiKey);
  if (!range) throw new Error(`broker does not support api ${apiKey}`);
  const v = wanted.find((w) => w >= range[0] && w <= range[1]);
  if (v === undefined) throw new Error(`no common version for api ${apiKey} (broker ${range[0]}..${range[1]})`);
  return v;
}

/** FindCoordinator (v1..v2, non-flexible; key_type 0 = group). Returns { error, node, host, port }. */
export async function findGroupCoordinator(port, group, versions, opts) {
  const v = pick(versions, API.FindCoordinator, [2, 1]);
  const r = await request(port, API.FindCoordinator, v, Buffer.concat([str(group), i8(0)]), opts);
  r.i32(); // throttle_time_ms
  const error = r.i16();
  r.str(); // error_message
  const node = r.i32();
  const host = r.str();
  const p = r.i32();
  return { error, errorName: error ? errName(error) : null, node, host, port: p };
}

/** OffsetFetch (v2..v5) for all topics of `group`; returns the top-level error code. */
export async function offsetFetch(port, group, versions, opts) {
  const v = pick(versions, API.OffsetFetch, [3, 4, 5, 2]);
  const r = await request(port, API.OffsetFetch, v, Buffer.concat([str(group), i32(-1)]), opts);
  // the top-level error_code is the last field of v2..v5 responses
  const error = r.b.readInt16BE(r.b.length - 2);
  return { error, errorName: error ? errName(error) : null };
}

/**
 * Readiness: the broker answers ApiVersions, a group coordinator is elected (this also makes the
 * broker create __consumer_offsets) and the coordinator has loaded the group (OffsetFetch without error).
 * That is what a consumer group join needs.
 */
export async function kafkaReady(port, { group = 'rs-stack-healthcheck', timeoutMs = 3000 } = {}) {
  const opts = { timeoutMs };
  const versions = await apiVersions(port, opts);
  const fc = await findGroupCoordinator(port, group, versions, opts);
  if (fc.error) return { ok: false, detail: `FindCoordinator: ${fc.errorName}` };
  const of = await offsetFetch(fc.port, group, versions, opts);
  if (of.error) return { ok: false, detail: `OffsetFetch: ${of.errorName}` };
  return { ok: true, detail: `group coordinator node ${fc.node} at ${fc.host}:${fc.port}` };
}
