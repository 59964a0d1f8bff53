import { DomainErrorCode } from './domain-error';
import {
  assertRotatable,
  graceEndOf,
  isPreviousSecretUsable,
  MAX_ROTATION_GRACE_HOURS,
  rotatedSecretError,
} from './key-rotation';
import { thrownDomainError } from './testing/domain-error.test-helper';

const NOW = new Date('2026-03-01T10:00:00Z');
const HOUR_MS = 3_600_000;

describe('key rotation', () => {
  describe(graceEndOf.name, () => {
    it('should end the old secret 24 hours from now by default', () => {
      expect(graceEndOf(undefined, NOW)).toEqual(new Date(NOW.getTime() + 24 * HOUR_MS));
    });

    it('should accept 0 (at once), fractions of an hour and up to seven days', () => {
      expect(graceEndOf(0, NOW)).toEqual(NOW);
      expect(graceEndOf(0.5, NOW)).toEqual(new Date(NOW.getTime() + HOUR_MS / 2));
      expect(graceEndOf(MAX_ROTATION_GRACE_HOURS, NOW)).toEqual(new Date(NOW.getTime() + 7 * 24 * HOUR_MS));
    });

    it.each([MAX_ROTATION_GRACE_HOURS + 0.01, -1, Number.NaN, Number.POSITIVE_INFINITY, '2'])(
      'should refuse %p naming grace_period_hours',
      (hours) => {
        expect(thrownDomainError(() => graceEndOf(hours, NOW))).toMatchObject({
          code: DomainErrorCode.INVALID_PARAMETER,
          details: { parameter: 'grace_period_hours' },
        });
      },
    );
  });

  describe(isPreviousSecretUsable.name, () => {
    it('should accept the old secret until the end of its grace period, not at it', () => {
      const state = { previous_hash: 'h-0', previous_hash_expires_at: new Date(NOW.getTime() + 1) };
      expect(isPreviousSecretUsable(state, NOW)).toBe(true);
      expect(isPreviousSecretUsable(state, new Date(NOW.getTime() + 1))).toBe(false);
    });

    it('should refuse when there is no old secret', () => {
      expect(isPreviousSecretUsable({}, NOW)).toBe(false);
      expect(isPreviousSecretUsable({ previous_hash: null, previous_hash_expires_at: null }, NOW)).toBe(false);
    });
  });

  describe(rotatedSecretError.name, () => {
    it('should refuse as an expired value', () => {
      expect(rotatedSecretError().code).toBe(DomainErrorCode.KEY_EXPIRED);
    });
  });

  describe(assertRotatable.name, () => {
    const working = {
      is_active: true,
      user_active: true,
      never_expire: false,
      expiration_date: new Date(NOW.getTime() + 1),
    };

    it('should let a working key be rotated', () => {
      expect(() => assertRotatable(working, NOW)).not.toThrow();
    });

    it.each([
      [{ user_active: false }, DomainErrorCode.KEY_USER_DISABLED],
      [{ is_active: false }, DomainErrorCode.KEY_REVOKED],
      [{ expiration_date: NOW }, DomainErrorCode.KEY_EXPIRED],
    ])('should refuse a key with %p as %s', (overrides, code) => {
      expect(thrownDomainError(() => assertRotatable({ ...working, ...overrides }, NOW)).code).toBe(code);
    });
  });
});
