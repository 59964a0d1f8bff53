import { DomainErrorCode } from './domain-error';
import { keyQuotasOf, parseRateLimitPerMinute } from './key-quotas';

describe('key quotas', () => {
  describe(parseRateLimitPerMinute.name, () => {
    it('should be undefined when the parameter is absent or empty', () => {
      expect(parseRateLimitPerMinute(undefined, 1000)).toBeUndefined();
      expect(parseRateLimitPerMinute('', 1000)).toBeUndefined();
    });

    it('should parse a whole number within the cap', () => {
      expect(parseRateLimitPerMinute('60', 1000)).toBe(60);
      expect(parseRateLimitPerMinute(1000, 1000)).toBe(1000);
    });

    it.each(['0', '-1', '1.5', 'ten', '1001', 0])('should refuse %p with INVALID_PARAMETER', (raw) => {
      expect(() => parseRateLimitPerMinute(raw, 1000)).toThrow(
        expect.objectContaining({
          code: DomainErrorCode.INVALID_PARAMETER,
          details: { parameter: 'rate_limit_per_minute' },
        }),
      );
    });
  });

  describe(keyQuotasOf.name, () => {
    it('should read the day quota from the Keycloak attribute text and the minute limit from the key', () => {
      expect(keyQuotasOf({ max_requests_per_day: '10000' }, 60)).toEqual({ perDay: 10_000, perMinute: 60 });
      expect(keyQuotasOf({ max_requests_per_day: ['100'] }, undefined)).toEqual({ perDay: 100 });
    });

    it('should keep a day quota of 0, which allows nothing', () => {
      expect(keyQuotasOf({ max_requests_per_day: 0 }, undefined)).toEqual({ perDay: 0 });
    });

    it('should ignore values that are not whole numbers', () => {
      expect(keyQuotasOf({ max_requests_per_day: 'lots' }, 'x')).toEqual({});
      expect(keyQuotasOf({ max_requests_per_day: -5 }, 1.5)).toEqual({});
      expect(keyQuotasOf({}, undefined)).toEqual({});
    });
  });
});
