import { DomainError } from './domain-error';

/** The Keycloak attribute (copied into a key's `config`) that caps a key's requests per UTC day. */
export const MAX_REQUESTS_PER_DAY_ATTRIBUTE = 'max_requests_per_day';

/** The limits a guard enforces on one key; an absent limit is not enforced. */
export interface KeyQuotas {
  /** Requests per UTC minute (fixed window), from the key's `rate_limit_per_minute`. */
  perMinute?: number;
  /** Requests per UTC day, from the `max_requests_per_day` attribute in the key's `config`. */
  perDay?: number;
}

/**
 * Parses the optional `rate_limit_per_minute` of a new key: a whole number from 1 to `max` (the platform's cap);
 * absent or empty: no per-minute limit.
 */
export function parseRateLimitPerMinute(raw: unknown, max: number): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw DomainError.invalidParameter(
      'rate_limit_per_minute',
      `Query parameter 'rate_limit_per_minute' must be a whole number from 1 to ${max}`,
    );
  return value;
}

/**
 * The limits of a key from its check answer. `max_requests_per_day` comes from Keycloak as text ("10000"); a
 * value that is not a whole number ≥ 0 is no limit (0 allows nothing).
 */
export function keyQuotasOf(config: Record<string, unknown>, rateLimitPerMinute: unknown): KeyQuotas {
  const quotas: KeyQuotas = {};
  const perDay = wholeNumber(config[MAX_REQUESTS_PER_DAY_ATTRIBUTE]);
  if (perDay !== undefined) quotas.perDay = perDay;
  const perMinute = wholeNumber(rateLimitPerMinute);
  if (perMinute !== undefined && perMinute > 0) quotas.perMinute = perMinute;
  return quotas;
}

function wholeNumber(raw: unknown): number | undefined {
  const value = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}
