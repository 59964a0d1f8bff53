import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { CachedKeyCheck } from './key-cache';
import { KeyCache, keyDigest } from './key-cache';

function entry(keyId: string, overrides: Partial<CachedKeyCheck> = {}, userId = 'user-1'): CachedKeyCheck {
  return {
    principal: { user_id: userId, user_login: 'bob', iam_roles: [], config: {}, auth_method: 'api_key', key_id: keyId },
    allowed_referers: [],
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

describe(KeyCache.name, () => {
  describe(keyDigest.name, () => {
    it('should not contain the key value', () => {
      const digest = keyDigest('rsk_secret');
      expect(digest).not.toContain('secret');
      expect(digest).toBe(keyDigest('rsk_secret'));
    });
  });

  describe('get', () => {
    it('should return what was set until it expires', () => {
      let now = 1000;
      const sut = new KeyCache(10, () => now);
      sut.set('d1', entry('k1', { expiresAt: 2000 }));
      expect(sut.get('d1')?.principal.key_id).toBe('k1');
      now = 2000;
      expect(sut.get('d1')).toBeUndefined();
      expect(sut.size).toBe(0);
    });
  });

  describe('set', () => {
    it('should drop the least recently used entry beyond the bound', () => {
      const sut = new KeyCache(2);
      sut.set('d1', entry('k1'));
      sut.set('d2', entry('k2'));
      sut.get('d1');
      sut.set('d3', entry('k3'));
      expect(sut.get('d2')).toBeUndefined();
      expect(sut.get('d1')).toBeDefined();
      expect(sut.get('d3')).toBeDefined();
      expect(sut.size).toBe(2);
    });

    it('should keep the least recently used order when the most recent entry is read again', () => {
      const sut = new KeyCache(2);
      sut.set('d1', entry('k1'));
      sut.set('d2', entry('k2'));
      sut.get('d2');
      sut.get('d1');
      sut.get('d1');
      sut.get('d2');
      sut.set('d3', entry('k3'));
      expect(sut.get('d1')).toBeUndefined();
      expect(sut.get('d2')).toBeDefined();
      expect(sut.get('d3')).toBeDefined();
    });

    it('should refuse a check that started before an eviction', () => {
      const sut = new KeyCache(10);
      const startedAt = sut.currentGeneration;
      sut.evictKeyId('k1');
      expect(sut.set('d1', entry('k1'), startedAt)).toBe(false);
      expect(sut.get('d1')).toBeUndefined();
    });

    it('should refuse an entry that is already expired', () => {
      const sut = new KeyCache(10);
      expect(sut.set('d1', entry('k1', { expiresAt: Date.now() - 1 }))).toBe(false);
    });
  });

  describe('refuseKeyId', () => {
    it('should mark every entry of the key id with the refusal, keep the others, and block checks in flight', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1'));
      sut.set('d2', entry('k2'));
      const before = sut.currentGeneration;
      const refusal = () => new DomainError(DomainErrorCode.KEY_REVOKED, 'revoked');
      expect(sut.refuseKeyId('k1', refusal)).toBe(1);
      expect(sut.get('d1')?.refusal).toBe(refusal);
      expect(sut.get('d2')?.refusal).toBeUndefined();
      expect(sut.set('d3', entry('k1'), before)).toBe(false);
      expect(sut.refuseKeyId('unknown', refusal)).toBe(0);
    });

    it('should let a later eviction (renewed) forget the refusal', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1'));
      sut.refuseKeyId('k1', () => new DomainError(DomainErrorCode.KEY_REVOKED, 'revoked'));
      expect(sut.evictKeyId('k1')).toBe(1);
      expect(sut.get('d1')).toBeUndefined();
    });
  });

  describe('evictKeyId', () => {
    it('should remove every digest of the key id and nothing else', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1'));
      sut.set('d2', entry('k2'));
      expect(sut.evictKeyId('k1')).toBe(1);
      expect(sut.get('d1')).toBeUndefined();
      expect(sut.get('d2')).toBeDefined();
      expect(sut.evictKeyId('unknown')).toBe(0);
    });

    it('should not be fooled by an entry replaced under the same digest', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1'));
      sut.set('d1', entry('k2'));
      expect(sut.evictKeyId('k1')).toBe(0);
      expect(sut.evictKeyId('k2')).toBe(1);
    });
  });

  describe('evictUser', () => {
    it('should remove every key of the user', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1', {}, 'u1'));
      sut.set('d2', entry('k2', {}, 'u1'));
      sut.set('d3', entry('k3', {}, 'u2'));
      expect(sut.evictUser('u1')).toBe(2);
      expect(sut.size).toBe(1);
    });
  });

  describe('clear', () => {
    it('should forget everything and invalidate running checks', () => {
      const sut = new KeyCache(10);
      sut.set('d1', entry('k1'));
      const startedAt = sut.currentGeneration;
      sut.clear();
      expect(sut.size).toBe(0);
      expect(sut.set('d2', entry('k2'), startedAt)).toBe(false);
    });
  });

  describe('holdsVersion', () => {
    it('should tell an event no newer than the cached state from a newer one, and follow refusals', () => {
      const cache = new KeyCache(10);
      cache.set('d1', { ...versioned('k1'), stateVersion: 3 });
      expect(cache.holdsVersion('k1', 2)).toBe(true);
      expect(cache.holdsVersion('k1', 3)).toBe(true);
      expect(cache.holdsVersion('k1', 4)).toBe(false);
      expect(cache.holdsVersion('k2', 1)).toBe(false);
      cache.refuseKeyId('k1', () => new Error('revoked') as never, 5);
      expect(cache.holdsVersion('k1', 4)).toBe(true);
      expect(cache.get('d1')?.stateVersion).toBe(5);
    });

    it('should hold no version for an entry from a key manager that sends none', () => {
      const cache = new KeyCache(10);
      cache.set('d1', versioned('k1'));
      expect(cache.holdsVersion('k1', 1)).toBe(false);
    });
  });
});

function versioned(keyId: string) {
  return {
    principal: {
      user_id: 'u1',
      user_login: 'alice',
      iam_roles: [],
      config: {},
      auth_method: 'api_key' as const,
      key_id: keyId,
    },
    allowed_referers: [],
    expiresAt: Date.now() + 60_000,
  };
}
