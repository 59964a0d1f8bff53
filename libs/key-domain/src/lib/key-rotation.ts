import { assertKeyChangeable, type KeyState } from './api-key-rules';
import { DomainError, DomainErrorCode } from './domain-error';

const HOUR_MS = 60 * 60 * 1000;
export const DEFAULT_ROTATION_GRACE_HOURS = 24;
export const MAX_ROTATION_GRACE_HOURS = 7 * 24;

/**
 * The end of a rotated-out secret: `graceHours` (a fraction is fine; 0 ends it at once) after `now`, at most
 * seven days. Absent: the default of 24 hours.
 */
export function graceEndOf(graceHours: unknown, now: Date): Date {
  const hours = graceHours === undefined || graceHours === null ? DEFAULT_ROTATION_GRACE_HOURS : graceHours;
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > MAX_ROTATION_GRACE_HOURS) {
    throw DomainError.invalidParameter(
      'grace_period_hours',
      `Query parameter 'grace_period_hours' must be a number of hours from 0 to ${MAX_ROTATION_GRACE_HOURS} (7 days)`,
    );
  }
  return new Date(now.getTime() + Math.round(hours * HOUR_MS));
}

/** The secret a rotation replaced, while it may still be pending: its hash and the end of its grace period. */
export interface PreviousSecret {
  previous_hash?: string | null;
  previous_hash_expires_at?: Date | null;
}

/** Whether the replaced secret still works at `now` (it stops at the end of its grace period, exclusive). */
export function isPreviousSecretUsable(state: PreviousSecret, now: Date): boolean {
  return Boolean(
    state.previous_hash &&
      state.previous_hash_expires_at &&
      new Date(state.previous_hash_expires_at).getTime() > now.getTime(),
  );
}

/** The refusal of a secret a rotation replaced, once its grace period is over. */
export function rotatedSecretError(): DomainError {
  return new DomainError(
    // The secret had an end date and it passed; the key itself lives on with its new secret.
    DomainErrorCode.KEY_EXPIRED,
    'This API key value was replaced by a rotation and its grace period has ended; use the new value',
  );
}

/** Throws why a key's value may not be rotated now: only a key that works can get a new value. */
export function assertRotatable(state: KeyState, now: Date): void {
  assertKeyChangeable(state, now, 'rotating it');
}
