import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-256 of the key value under a server secret, hex encoded: the only form a key is stored in.
 * The secret ("pepper") means a leaked database alone cannot confirm a guessed key; see docs/security.md.
 */
export function hashApiKey(value: string, secret: string): string {
  if (!secret) throw new Error('API key hash secret is empty');
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
