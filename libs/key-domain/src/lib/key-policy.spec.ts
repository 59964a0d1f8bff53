import { DomainErrorCode } from './domain-error';
import { assertBelowActiveKeyLimit, assertNeverExpiresAllowed } from './key-policy';
import { thrownDomainError } from './testing/domain-error.test-helper';

describe('key policy', () => {
  describe(assertNeverExpiresAllowed.name, () => {
    it('should refuse never_expires naming the parameter when the policy forbids it', () => {
      expect(thrownDomainError(() => assertNeverExpiresAllowed({ allowNeverExpires: false }, true))).toMatchObject({
        code: DomainErrorCode.INVALID_PARAMETER,
        details: { parameter: 'never_expires' },
      });
    });

    it('should accept expiring keys always, and never-expiring ones when allowed', () => {
      expect(() => assertNeverExpiresAllowed({ allowNeverExpires: false }, false)).not.toThrow();
      expect(() => assertNeverExpiresAllowed({ allowNeverExpires: true }, true)).not.toThrow();
    });
  });

  describe(assertBelowActiveKeyLimit.name, () => {
    it('should accept keys up to the cap and refuse the one beyond it with KEY_LIMIT_REACHED', () => {
      expect(() => assertBelowActiveKeyLimit({ maxActiveKeysPerUser: 3 }, 2)).not.toThrow();
      const error = thrownDomainError(() => assertBelowActiveKeyLimit({ maxActiveKeysPerUser: 3 }, 3));
      expect(error).toMatchObject({ code: DomainErrorCode.KEY_LIMIT_REACHED, details: { limit: 3 } });
      expect(error.message).toContain('3');
    });
  });
});
