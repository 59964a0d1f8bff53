import {
  auxipRole,
  cadipRole,
  canAccessCatalogCollection,
  catalogRole,
  missingCatalogRoles,
  type RoleHolder,
} from './rs-roles.util';

function principal(overrides: Partial<RoleHolder> = {}): RoleHolder {
  return { user_login: 'alice', iam_roles: [], ...overrides };
}

describe('rs-roles.util', () => {
  describe(auxipRole.name, () => {
    it('should build a lower-case station role', () => {
      expect(auxipRole('ADGS', 'read')).toBe('rs_auxip_adgs_read');
      expect(auxipRole('adgs', 'download')).toBe('rs_auxip_adgs_download');
    });
  });

  describe(cadipRole.name, () => {
    it('should build a lower-case station role', () => {
      expect(cadipRole('INS', 'read')).toBe('rs_cadip_ins_read');
      expect(cadipRole('Mti', 'download')).toBe('rs_cadip_mti_download');
    });
  });

  describe(catalogRole.name, () => {
    it('should join owner and collection with a colon', () => {
      expect(catalogRole('bob', 's2-l2', 'read')).toBe('rs_catalog_bob:s2-l2_read');
      expect(catalogRole('alice', 's1-l1', 'write')).toBe('rs_catalog_alice:s1-l1_write');
    });
  });

  describe(missingCatalogRoles.name, () => {
    it('should require nothing when the principal owns the collection', () => {
      expect(missingCatalogRoles(principal({ user_login: 'bob' }), 'bob', 's2-l2', 'write')).toEqual([]);
    });

    it('should require nothing when the principal holds the collection role', () => {
      const sut = principal({ iam_roles: ['rs_catalog_bob:s2-l2_read'] });
      expect(missingCatalogRoles(sut, 'bob', 's2-l2', 'read')).toEqual([]);
      expect(canAccessCatalogCollection(sut, 'bob', 's2-l2', 'read')).toBe(true);
    });

    it('should require nothing when the principal holds the owner-wide wildcard role', () => {
      expect(missingCatalogRoles(principal({ iam_roles: ['rs_catalog_bob:*_read'] }), 'bob', 'any', 'read')).toEqual(
        [],
      );
    });

    it('should name the missing role when the access differs', () => {
      const sut = principal({ iam_roles: ['rs_catalog_bob:s2-l2_read'] });
      expect(missingCatalogRoles(sut, 'bob', 's2-l2', 'write')).toEqual(['rs_catalog_bob:s2-l2_write']);
      expect(canAccessCatalogCollection(sut, 'bob', 's2-l2', 'write')).toBe(false);
    });
  });
});
