import { DomainError, DomainErrorCode } from './domain-error';

/** The limits an operator sets on the keys users may create (see the key manager's configuration). */
export interface KeyPolicy {
  /** Keys may not live longer than this from their creation or renewal. */
  maxLifetimeDays: number;
  /** Whether `never_expires=true` is accepted at creation. */
  allowNeverExpires: boolean;
  /** Active (not revoked, not expired) keys one user may hold at once. */
  maxActiveKeysPerUser: number;
}

export const DEFAULT_MAX_ACTIVE_KEYS_PER_USER = 100;

/** Throws when the policy forbids keys that never expire and one is asked for. */
export function assertNeverExpiresAllowed(policy: Pick<KeyPolicy, 'allowNeverExpires'>, neverExpires: boolean): void {
  if (neverExpires && !policy.allowNeverExpires) {
    throw DomainError.invalidParameter(
      'never_expires',
      'Keys that never expire are not allowed on this platform: ' +
        "leave 'never_expires' false and renew the key before it expires",
    );
  }
}

/** Throws KEY_LIMIT_REACHED when `adding` more keys to the owner's `activeKeys` would exceed the per-user cap. */
export function assertBelowActiveKeyLimit(
  policy: Pick<KeyPolicy, 'maxActiveKeysPerUser'>,
  activeKeys: number,
  adding = 1,
): void {
  if (activeKeys + adding > policy.maxActiveKeysPerUser) {
    throw new DomainError(
      DomainErrorCode.KEY_LIMIT_REACHED,
      `You already have ${activeKeys} active API keys, the most allowed is ${policy.maxActiveKeysPerUser}; ` +
        'revoke one you no longer use first',
      { limit: policy.maxActiveKeysPerUser },
    );
  }
}
