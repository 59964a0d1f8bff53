import { DomainError, DomainErrorCode } from './domain-error';
import { assertRenewable } from './key-revocation';

describe('key revocation', () => {
  describe(assertRenewable.name, () => {
    it('should refuse a key an administrator revoked with KEY_REVOKED_BY_ADMIN', () => {
      expect(() => assertRenewable({ revoked_by: 'admin' })).toThrow(DomainError);
      try {
        assertRenewable({ revoked_by: 'admin' });
      } catch (error) {
        expect((error as DomainError).code).toBe(DomainErrorCode.KEY_REVOKED_BY_ADMIN);
      }
    });

    it.each([null, undefined, 'owner', 'expiry', 'user_disabled'] as const)(
      'should let a key be renewed when revoked_by is %p',
      (revokedBy) => {
        expect(() => assertRenewable({ revoked_by: revokedBy })).not.toThrow();
      },
    );
  });
});
