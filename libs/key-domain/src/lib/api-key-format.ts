import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Every key starts with this, so secret scanners and humans recognise it. */
export const API_KEY_PREFIX = 'rsk_';
/** 32 base62 characters carry ~190 random bits (the contract asks for at least 128). */
export const API_KEY_SECRET_LENGTH = 32;
/** CRC32 of the secret part, base62, fixed width: lets any service reject a typo offline. */
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const API_KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH}}$`,
);
// Largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_BYTE_LIMIT = 248;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < UNBIASED_BYTE_LIMIT) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksumOf(secret: string): string {
  let value = crc32(secret);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Creates a new key value from the CSPRNG. The value is shown to its owner once and never stored. */
export function generateApiKey(): string {
  const secret = randomBase62(API_KEY_SECRET_LENGTH);
  return `${API_KEY_PREFIX}${secret}${checksumOf(secret)}`;
}

/** True when the value has the prefix, length, alphabet and a matching checksum. Costs no I/O. */
export function isWellFormedApiKey(value: unknown): value is string {
  if (typeof value !== 'string' || !API_KEY_PATTERN.test(value)) return false;
  const secret = value.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + API_KEY_SECRET_LENGTH);
  return checksumOf(secret) === value.slice(-API_KEY_CHECKSUM_LENGTH);
}

/** A non-secret reminder of which key this is (prefix, 4 first and 4 last characters): `rsk_AbCd…WxYz`. */
export function apiKeyHint(value: string): string {
  const body = value.slice(API_KEY_PREFIX.length);
  return `${API_KEY_PREFIX}${body.slice(0, 4)}…${body.slice(-4)}`;
}
