// Minimal MongoDB wire protocol (OP_MSG) with a small BSON codec: enough for hello/ping readiness checks.
import { tcpExchange } from './common.mjs';

const OP_MSG = 2013;

function encodeDoc(obj) {
  const parts = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = Buffer.from(k + '\0', 'utf8');
    if (typeof v === 'string') {
      const s = Buffer.from(v + '\0', 'utf8');
      const len = Buffer.alloc(4);
      len.writeInt32LE(s.length);
      parts.push(Buffer.from([0x02]), key, len, s);
    } else if (typeof v === 'boolean') {
      parts.push(Buffer.from([0x08]), key, Buffer.from([v ? 1 : 0]));
    } else if (Number.isInteger(v)) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      parts.push(Buffer.from([0x10]), key, b);
    } else if (typeof v === 'number') {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      parts.push(Buffer.from([0x01]), key, b);
    } else if (v && typeof v === 'object') {
      parts.push(Buffer.from([0x03]), key, encodeDoc(v));
    } else {
      throw new Error(`bson: unsupported value for ${k}`);
    }
  }
  const body = Buffer.concat(parts);
  const out = Buffer.alloc(4 + body.length + 1);
  out.writeInt32LE(out.length);
  body.copy(out, 4);
  return out;
}

function decodeDoc(buf, off = 0, isArray = false) {
  const size = buf.readInt32LE(off);
  const end = off + size - 1;
  let o = off + 4;
  const res = isArray ? [] : {};
  while (o < end) {
    const type = buf[o++];
    const z = buf.indexOf(0, o);
    const key = buf.toString('utf8', o, z);
    o = z + 1;
    let v;
    switch (type) {
      case 0x01:
        v = buf.readDoubleLE(o);
        o += 8;
        break;
      case 0x02:
      case 0x0d:
      case 0x0e: {
        const n = buf.readInt32LE(o);
        v = buf.toString('utf8', o + 4, o + 4 + n - 1);
        o += 4 + n;
        break;
      }
      case 0x03:
      case 0x04:
        v = decodeDoc(buf, o, type === 0x04);
        o += buf.readInt32LE(o);
        break;
      case 0x05: {
        const n = buf.readInt32LE(o);
        v = buf.subarray(o + 5, o + 5 + n);
        o += 5 + n;
        break;
      }
      case 0x07:
        v = buf.toString('hex', o, o + 12);
        o += 12;
        break;
      case 0x08:
        v = buf[o] === 1;
        o += 1;
        break;
      case 0x09:
        v = new Date(Number(buf.readBigInt64LE(o)));
        o += 8;
        break;
      case 0x0a:
      case 0x06:
      case 0xff:
      case 0x7f:
        v = null;
        break;
      case 0x10:
        v = buf.readInt32LE(o);
        o += 4;
        break;
      case 0x11:
      case 0x12:
        v = buf.readBigInt64LE(o);
        o += 8;
        break;
      case 0x13:
        v = '<decimal128>';
        o += 16;
        break;
      default:
        throw new Error(`bson: unsupported type 0x${type.toString(16)} at ${key}`);
    }
    if (isArray) res.push(v);
    else res[key] = v;
  }
  return res;
}

let requestId = 1;

/** Sends one command (e.g. { hello: 1, $db: 'admin' }) and returns the reply document. */
export async function mongoCommand(port, cmd, { host = '127.0.0.1', timeoutMs = 3000 } = {}) {
  const doc = encodeDoc(cmd);
  const msg = Buffer.alloc(16 + 4 + 1 + doc.length);
  msg.writeInt32LE(msg.length, 0);
  msg.writeInt32LE(requestId++, 4);
  msg.writeInt32LE(0, 8);
  msg.writeInt32LE(OP_MSG, 12);
  msg.writeUInt32LE(0, 16); // flagBits
  msg[20] = 0; // section kind 0: body
  doc.copy(msg, 21);
  const resp = await tcpExchange(
    port,
    msg,
    (b) => (b.length >= 4 && b.length >= b.readInt32LE(0) ? b.readInt32LE(0) : 0),
    { host, timeoutMs },
  );
  if (resp.readInt32LE(12) !== OP_MSG) throw new Error(`unexpected opCode ${resp.readInt32LE(12)}`);
  if (resp[20] !== 0) throw new Error('unexpected OP_MSG section kind');
  return decodeDoc(resp, 21);
}

/** Readiness: hello answers (wire versions) and ping returns ok: 1. */
export async function mongoReady(port, opts) {
  const hello = await mongoCommand(port, { hello: 1, $db: 'admin' }, opts);
  if (hello.ok !== 1) return { ok: false, detail: `hello: ${JSON.stringify(hello)}` };
  const ping = await mongoCommand(port, { ping: 1, $db: 'admin' }, opts);
  if (ping.ok !== 1) return { ok: false, detail: `ping: ${JSON.stringify(ping)}` };
  return { ok: true, detail: `wire versions ${hello.minWireVersion}..${hello.maxWireVersion}` };
}
