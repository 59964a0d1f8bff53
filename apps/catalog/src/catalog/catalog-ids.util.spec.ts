import type { AuthPrincipal } from '@rs/auth-guard';
import { DomainError } from '@rs/key-domain';
import { assertItemId, collectionAccess, parseCollectionId } from './catalog-ids.util';

function principal(login: string, roles: string[] = []): AuthPrincipal {
  return { user_id: `id-${login}`, user_login: login, iam_roles: roles, config: {}, auth_method: 'oauth2' };
}

describe('catalog-ids.util', () => {
  describe(parseCollectionId.name, () => {
    it('should split owner and collection', () => {
      expect(parseCollectionId('alice:s1-l1')).toEqual({ owner: 'alice', name: 's1-l1' });
    });

    it.each(['alice', 'alice:', ':s1', 'a:b:c', 'alice:s1/../x', 'al ice:s1'])(
      'should refuse %p naming collection_id',
      (raw) => {
        expect(() => parseCollectionId(raw)).toThrow(DomainError);
      },
    );
  });

  describe(assertItemId.name, () => {
    it('should accept STAC-like ids and refuse paths', () => {
      expect(assertItemId('S2B_MSIL2A_20240101T101029_N0510_R022_T32TQM_20240101T130101')).toMatch(/^S2B/);
      expect(() => assertItemId('../etc')).toThrow(DomainError);
    });
  });

  describe(collectionAccess.name, () => {
    const read = collectionAccess('read');
    it('should let the owner through', () => {
      expect(read({ collectionId: 'bob:s2-l2' }, principal('bob'))).toEqual([]);
    });

    it('should name the missing role of another user', () => {
      expect(read({ collectionId: 'bob:s2-l2' }, principal('carol'))).toEqual(['rs_catalog_bob:s2-l2_read']);
      expect(read({ collectionId: 'bob:s2-l2' }, principal('carol', ['rs_catalog_bob:s2-l2_read']))).toEqual([]);
    });
  });
});
