import { DomainError, DomainErrorCode } from './domain-error';

export const DEFAULT_KEY_LIFETIME_DAYS = 15;
export const MAX_KEY_NAME_LENGTH = 128;
export const MAX_ALLOWED_REFERERS = 20;
export const MAX_CONFIG_BYTES = 8192;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The lifecycle fields of a stored key that decide whether it may be used. */
export interface KeyState {
  is_active: boolean;
  user_active: boolean;
  never_expire: boolean;
  expiration_date: Date | null;
}

export function expirationFrom(now: Date, lifetimeDays: number = DEFAULT_KEY_LIFETIME_DAYS): Date {
  return new Date(now.getTime() + lifetimeDays * DAY_MS);
}

export function isExpired(state: Pick<KeyState, 'never_expire' | 'expiration_date'>, now: Date): boolean {
  return !state.never_expire && state.expiration_date !== null && state.expiration_date.getTime() <= now.getTime();
}

/** Whether the key may be used now: active, its owner enabled, not expired. */
export function isUsable(state: KeyState, now: Date): boolean {
  return state.is_active && state.user_active && !isExpired(state, now);
}

/** Throws the reason a key may not be used now, in the order a user can act on it. */
export function assertKeyUsable(state: KeyState, now: Date): void {
  if (!state.user_active) {
    throw new DomainError(
      DomainErrorCode.KEY_USER_DISABLED,
      'The owner of this API key is disabled or no longer exists',
    );
  }
  if (!state.is_active) throw revokedKeyError();
  if (isExpired(state, now)) throw expiredKeyError();
}

/**
 * Throws why a key may not be changed now: only a key that works can be (`change` completes "renew it before
 * …", e.g. "rotating it").
 */
export function assertKeyChangeable(state: KeyState, now: Date, change: string): void {
  if (!state.user_active)
    throw new DomainError(DomainErrorCode.KEY_USER_DISABLED, 'The owner of this API key is disabled in Keycloak');
  if (!state.is_active)
    throw new DomainError(DomainErrorCode.KEY_REVOKED, `This API key is revoked: renew it before ${change}`);
  if (isExpired(state, now))
    throw new DomainError(DomainErrorCode.KEY_EXPIRED, `This API key has expired: renew it before ${change}`);
}

/** The refusal of a revoked key, wherever it is refused (key manager, or a guard told by a lifecycle event). */
export function revokedKeyError(): DomainError {
  return new DomainError(DomainErrorCode.KEY_REVOKED, 'This API key has been revoked');
}

/** The refusal of an expired key, wherever it is refused. */
export function expiredKeyError(): DomainError {
  return new DomainError(DomainErrorCode.KEY_EXPIRED, 'This API key has expired');
}

export function parseKeyName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) throw DomainError.invalidParameter('name', "Query parameter 'name' is required and must not be empty");
  if (name.length > MAX_KEY_NAME_LENGTH) {
    throw DomainError.invalidParameter(
      'name',
      `Query parameter 'name' must be at most ${MAX_KEY_NAME_LENGTH} characters`,
    );
  }
  if (/\p{Cc}/u.test(name))
    throw DomainError.invalidParameter('name', "Query parameter 'name' must not contain control characters");
  return name;
}

/**
 * Parses the `config` query parameter: a JSON object given as a string. Anything else (array, number,
 * invalid JSON, too large) is refused with a message naming the parameter.
 */
export function parseKeyConfig(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'string')
    throw DomainError.invalidParameter('config', "Query parameter 'config' must be a JSON object given as a string");
  if (Buffer.byteLength(raw, 'utf8') > MAX_CONFIG_BYTES) {
    throw DomainError.invalidParameter('config', `Query parameter 'config' must be at most ${MAX_CONFIG_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw DomainError.invalidParameter('config', "Query parameter 'config' is not valid JSON");
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw DomainError.invalidParameter(
      'config',
      'Query parameter \'config\' must be a JSON object, e.g. {"project": "s1"}',
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * A key's config: the user's own entries, except the authoritative names, which only Keycloak sets (a name
 * Keycloak has no value for is dropped, so a user can never supply or keep one that services trust).
 */
export function mergeConfig(
  userConfig: Record<string, unknown>,
  keycloakAttributes: Record<string, unknown>,
  authoritativeNames: readonly string[],
): Record<string, unknown> {
  const own = Object.entries(userConfig).filter(([name]) => !authoritativeNames.includes(name));
  return { ...Object.fromEntries(own), ...keycloakAttributes };
}

/**
 * Parses an expiration date for renew: ISO 8601, in the future, and not beyond `maxLifetimeDays`.
 * An absent value means the default life from now.
 */
export function parseExpirationDate(raw: unknown, now: Date, lifetimeDays: number, maxLifetimeDays: number): Date {
  if (raw === undefined || raw === null || raw === '') return expirationFrom(now, lifetimeDays);
  const text = typeof raw === 'string' ? raw.trim() : '';
  // Date.parse accepts much more than ISO 8601; insist on a date that starts like one.
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw DomainError.invalidParameter(
      'expiration-date',
      "Query parameter 'expiration-date' must be an ISO 8601 date, e.g. 2030-01-31T00:00:00Z",
    );
  }
  if (date.getTime() <= now.getTime()) {
    throw DomainError.invalidParameter('expiration-date', "Query parameter 'expiration-date' must be in the future");
  }
  if (date.getTime() > expirationFrom(now, maxLifetimeDays).getTime()) {
    throw DomainError.invalidParameter(
      'expiration-date',
      `Query parameter 'expiration-date' must be within ${maxLifetimeDays} days from now`,
    );
  }
  return date;
}
