import { DomainError } from './domain-error';
import { isRefererAllowed, parseAllowedReferers } from './referer-policy';

describe('referer policy', () => {
  describe(parseAllowedReferers.name, () => {
    it('should normalise hosts, wildcards and origins and drop duplicates', () => {
      expect(
        parseAllowedReferers([
          'Example.COM',
          '*.esa.int',
          'https://portal.example.com/path',
          'localhost:8080',
          'example.com',
        ]),
      ).toEqual(['example.com', '*.esa.int', 'https://portal.example.com', 'localhost:8080']);
    });

    it('should accept one comma-separated value and absence', () => {
      expect(parseAllowedReferers('a.com, b.com')).toEqual(['a.com', 'b.com']);
      expect(parseAllowedReferers(undefined)).toEqual([]);
    });

    it.each([
      ['not a host!'],
      ['ftp://files.example.com'],
      ['http://'],
      [Array.from({ length: 21 }, (_, i) => `h${i}.com`)],
    ])('should refuse %p naming the parameter', (value) => {
      expect(() => parseAllowedReferers(value)).toThrow(DomainError);
      try {
        parseAllowedReferers(value);
      } catch (error) {
        expect((error as DomainError).details).toEqual({ parameter: 'allowed_referers' });
      }
    });
  });

  describe(isRefererAllowed.name, () => {
    const allowed = ['example.com', '*.esa.int', 'https://portal.copernicus.eu', 'localhost:8080'];

    it('should allow anything when the list is empty', () => {
      expect(isRefererAllowed([], undefined)).toBe(true);
    });

    it.each([
      ['https://example.com/page', true],
      ['http://example.com:9999/x', true],
      ['https://evil-example.com/', false],
      ['https://data.esa.int/', true],
      ['https://esa.int/', false],
      ['https://portal.copernicus.eu/a', true],
      ['http://portal.copernicus.eu/a', false],
      ['http://localhost:8080/', true],
      ['http://localhost:9090/', false],
      ['not a url', false],
    ])('should judge Referer %s as %p', (referer, expected) => {
      expect(isRefererAllowed(allowed, referer)).toBe(expected);
    });

    it('should fall back to Origin and refuse when neither header is present', () => {
      expect(isRefererAllowed(allowed, undefined, 'https://example.com')).toBe(true);
      expect(isRefererAllowed(allowed, undefined, undefined)).toBe(false);
    });
  });
});
