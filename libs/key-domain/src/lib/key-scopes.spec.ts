import { DomainErrorCode } from './domain-error';
import { assertScopesChangeable, keyRoles, MAX_KEY_SCOPES, parseKeyScopes, parseScopesChange } from './key-scopes';
import { thrownDomainError } from './testing/domain-error.test-helper';

const NOW = new Date('2026-01-10T12:00:00Z');
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

  describe(parseScopesChange.name, () => {
    it('should validate new scopes as on creation', () => {
      expect(parseScopesChange(['rs_cadip_ins_read', 'rs_auxip_adgs_read'], undefined, OWNER_ROLES)).toEqual([
        'rs_auxip_adgs_read',
        'rs_cadip_ins_read',
      ]);
      const error = thrownDomainError(() => parseScopesChange(['rs_apikey_admin'], false, OWNER_ROLES));
      expect(error).toMatchObject({ code: DomainErrorCode.INVALID_PARAMETER, details: { parameter: 'scopes' } });
      expect(error.message).toContain("'rs_apikey_admin'");
    });

    it('should make the key unscoped (null) with all roles', () => {
      expect(parseScopesChange(undefined, true, OWNER_ROLES)).toBeNull();
    });

    it.each([
      ['neither scopes nor all roles', undefined, undefined],
      ['all roles false without scopes', undefined, false],
      ['both scopes and all roles', ['rs_cadip_ins_read'], true],
    ])('should refuse %s', (_case, scopes, allRoles) => {
      expect(thrownDomainError(() => parseScopesChange(scopes, allRoles, OWNER_ROLES)).details).toEqual({
        parameter: 'scopes',
      });
    });
  });

  describe(assertScopesChangeable.name, () => {
    const working = {
      is_active: true,
      user_active: true,
      never_expire: false,
      expiration_date: new Date(NOW.getTime() + 1),
    };

    it('should let a working key get new scopes', () => {
      expect(() => assertScopesChangeable(working, NOW)).not.toThrow();
    });

    it.each([
      [{ user_active: false }, DomainErrorCode.KEY_USER_DISABLED],
      [{ is_active: false }, DomainErrorCode.KEY_REVOKED],
      [{ expiration_date: NOW }, DomainErrorCode.KEY_EXPIRED],
    ])('should refuse a key with %p as %s', (overrides, code) => {
      const error = thrownDomainError(() => assertScopesChangeable({ ...working, ...overrides }, NOW));
      expect(error.code).toBe(code);
    });
  });
});
