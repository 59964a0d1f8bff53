import { API_KEY_LENGTH, API_KEY_PREFIX, apiKeyHint, generateApiKey, isWellFormedApiKey } from './api-key-format';

describe('api key format', () => {
  describe(generateApiKey.name, () => {
    it('should produce a prefixed key of the documented length that passes its own checksum', () => {
      const key = generateApiKey();
      expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(key).toHaveLength(API_KEY_LENGTH);
      expect(isWellFormedApiKey(key)).toBe(true);
    });

    it('should never repeat a value', () => {
      const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey()));
      expect(keys.size).toBe(2000);
    });

    it('should use every base62 character with a roughly even spread', () => {
      const counts = new Map<string, number>();
      for (let i = 0; i < 2000; i++) {
        for (const char of generateApiKey().slice(4, 36)) counts.set(char, (counts.get(char) ?? 0) + 1);
      }
      expect(counts.size).toBe(62);
      const expected = (2000 * 32) / 62;
      for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
    });
  });

  describe(isWellFormedApiKey.name, () => {
    it('should refuse a key whose checksum does not match when one character changed', () => {
      const key = generateApiKey();
      const tampered = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
      expect(isWellFormedApiKey(tampered)).toBe(false);
    });

    it.each([
      ['a wrong prefix', (k: string) => 'rsx_' + k.slice(4)],
      ['a missing character', (k: string) => k.slice(0, -1)],
      ['an extra character', (k: string) => k + 'a'],
      ['a non-base62 character', (k: string) => k.slice(0, 8) + '-' + k.slice(9)],
    ])('should refuse a key with %s', (_label, mutate) => {
      expect(isWellFormedApiKey(mutate(generateApiKey()))).toBe(false);
    });

    it.each([undefined, null, 42, {}, ''])('should refuse the non-key value %p', (value) => {
      expect(isWellFormedApiKey(value)).toBe(false);
    });
  });

  describe(apiKeyHint.name, () => {
    it('should show the prefix and 4 first and last characters only', () => {
      const key = generateApiKey();
      const hint = apiKeyHint(key);
      expect(hint).toBe(`rsk_${key.slice(4, 8)}…${key.slice(-4)}`);
      expect(hint).not.toContain(key.slice(8, -4));
    });
  });
});
