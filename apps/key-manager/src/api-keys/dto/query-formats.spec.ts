import { parseAllowedReferers, parseKeyName } from '@rs/key-domain';
import { KEY_NAME_PATTERN, parseDateTime, REFERER_ENTRY_PATTERN } from './query-formats';

describe('query formats', () => {
  describe(parseDateTime.name, () => {
    it.each([
      ['2030-01-31T00:00:00Z', '2030-01-31T00:00:00.000Z'],
      ['2030-01-31t10:00:00.5+02:00', '2030-01-31T08:00:00.500Z'],
      ['2024-02-29T23:59:60z', '2024-02-29T23:59:59.000Z'],
      ['0001-01-01T00:00:00-00:30', '0001-01-01T00:30:00.000Z'],
    ])('should read %p as %p', (text, iso) => {
      expect(parseDateTime(text)?.toISOString()).toBe(iso);
    });

    it.each([
      '',
      '2030-01-31',
      '2030-01-31T00:00:00',
      '2023-02-29T00:00:00Z',
      '2030-04-31T00:00:00Z',
      '2030-01-31T24:00:00Z',
      '2030-01-31T00:00:00+24:00',
      ' 2030-01-31T00:00:00Z',
    ])('should refuse %p, which is no RFC 3339 date-time', (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    });
  });

  describe('KEY_NAME_PATTERN', () => {
    const pattern = new RegExp(KEY_NAME_PATTERN);

    it.each(['my-notebook', ' padded ', 'é', 'a\u00a0b'])('should match %p, a name the service keeps', (name) => {
      expect(pattern.test(name)).toBe(true);
      expect(() => parseKeyName(name)).not.toThrow();
    });

    it.each(['', ' ', '\u00a0\u3000', '\ufeff', 'tab\there', 'bell\u0007', 'c1\u0085'])(
      'should not match %p, a name the service refuses',
      (name) => {
        expect(pattern.test(name)).toBe(false);
        expect(() => parseKeyName(name)).toThrow();
      },
    );
  });

  describe('REFERER_ENTRY_PATTERN', () => {
    const pattern = new RegExp(REFERER_ENTRY_PATTERN);

    it.each([
      'portal.example.com',
      '*.esa.int',
      'localhost:8080',
      'HTTPS://Portal.Example.com',
      'http://127.0.0.1:3000',
      'http://a.b-c.io:65535',
    ])('should match %p, an entry the service keeps', (entry) => {
      expect(pattern.test(entry)).toBe(true);
      expect(() => parseAllowedReferers([entry])).not.toThrow();
    });

    it.each(['', 'not a host!', 'ftp://x.org', 'http://x.org/path', 'a.com,b.com', 'http://1.2.3.999', 'x.org:65536'])(
      'should not match %p',
      (entry) => {
        expect(pattern.test(entry)).toBe(false);
      },
    );
  });
});
