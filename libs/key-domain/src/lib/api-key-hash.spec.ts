import { hashApiKey, hashesEqual } from './api-key-hash';

describe('api key hash', () => {
  describe(hashApiKey.name, () => {
    it('should be deterministic for one secret and differ across secrets', () => {
      expect(hashApiKey('rsk_value', 'secret-a')).toBe(hashApiKey('rsk_value', 'secret-a'));
      expect(hashApiKey('rsk_value', 'secret-a')).not.toBe(hashApiKey('rsk_value', 'secret-b'));
    });

    it('should match the HMAC-SHA-256 test vector of RFC 4231 case 2', () => {
      expect(hashApiKey('what do ya want for nothing?', 'Jefe')).toBe(
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      );
    });

    it('should refuse an empty secret', () => {
      expect(() => hashApiKey('rsk_value', '')).toThrow('secret');
    });
  });

  describe(hashesEqual.name, () => {
    it('should compare equal digests as equal and others as different', () => {
      const digest = hashApiKey('a', 's');
      expect(hashesEqual(digest, digest)).toBe(true);
      expect(hashesEqual(digest, hashApiKey('b', 's'))).toBe(false);
      expect(hashesEqual(digest, digest.slice(2))).toBe(false);
      expect(hashesEqual('', '')).toBe(false);
    });
  });
});
