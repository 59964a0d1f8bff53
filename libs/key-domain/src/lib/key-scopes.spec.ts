import { DomainErrorCode } from './domain-error';
import { keyRoles, MAX_KEY_SCOPES, parseKeyScopes } from './key-scopes';
import { thrownDomainError } from './testing/domain-error.test-helper';

const OWNER_ROLES = ['rs_auxip_adgs_read', 'rs_cadip_ins_read', 'rs_catalog_alice:s1-l1_read'];

describe('key scopes', () => {
  describe(parseKeyScopes.name, () => {
    it('should read an absent parameter as every role of the owner (null)', () => {
      expect(parseKeyScopes(undefined, OWNER_ROLES)).toBeNull();
    });

    it('should keep held roles, distinct and sorted, from one value or several', () => {
      expect(parseKeyScopes('rs_cadip_ins_read', OWNER_ROLES)).toEqual(['rs_cadip_ins_read']);
      expect(parseKeyScopes(['rs_cadip_ins_read', 'rs_auxip_adgs_read', 'rs_cadip_ins_read'], OWNER_ROLES)).toEqual([
        'rs_auxip_adgs_read',
        'rs_cadip_ins_read',
      ]);
    });

    it('should refuse a role the owner does not hold, naming it', () => {
      const error = thrownDomainError(() => parseKeyScopes(['rs_cadip_ins_read', 'rs_cadip_mti_read'], OWNER_ROLES));
      expect(error).toMatchObject({ code: DomainErrorCode.INVALID_PARAMETER, details: { parameter: 'scopes' } });
      expect(error.message).toContain("'rs_cadip_mti_read'");
      expect(error.message).not.toContain("'rs_cadip_ins_read'");
    });

    it('should refuse empty entries and too many entries', () => {
      expect(thrownDomainError(() => parseKeyScopes([''], OWNER_ROLES)).details).toEqual({ parameter: 'scopes' });
      const many = Array.from({ length: MAX_KEY_SCOPES + 1 }, (_, index) => `role_${index}`);
      expect(thrownDomainError(() => parseKeyScopes(many, many)).details).toEqual({ parameter: 'scopes' });
    });
  });

  describe(keyRoles.name, () => {
    it('should give an unscoped key every role of its owner', () => {
      expect(keyRoles(OWNER_ROLES, null)).toEqual(OWNER_ROLES);
      expect(keyRoles(OWNER_ROLES, undefined)).toEqual(OWNER_ROLES);
    });

    it('should give a scoped key its scopes the owner still holds, and never one the owner lost', () => {
      expect(keyRoles(OWNER_ROLES, ['rs_cadip_ins_read', 'rs_cadip_mti_read'])).toEqual(['rs_cadip_ins_read']);
      expect(keyRoles([], ['rs_cadip_ins_read'])).toEqual([]);
    });
  });
});
