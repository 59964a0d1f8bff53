import { firstForwardedAddress, throttleBucketOf } from './client-address.util';

describe('client-address.util', () => {
  describe(throttleBucketOf.name, () => {
    it('should keep an IPv4 address as it is', () => {
      expect(throttleBucketOf('203.0.113.7')).toBe('203.0.113.7');
    });

    it('should count an IPv4-mapped IPv6 address as its IPv4 address', () => {
      expect(throttleBucketOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    });

    it('should count every address of one IPv6 /64 together, whatever its spelling', () => {
      const bucket = throttleBucketOf('2001:db8:0:1::1');
      expect(bucket).toBe('2001:db8:0:1::/64');
      expect(throttleBucketOf('2001:0db8:0000:0001:ffff:eeee:dddd:cccc')).toBe(bucket);
      expect(throttleBucketOf('2001:db8::1:0:0:0:9')).toBe(bucket);
    });

    it('should count different /64 networks apart', () => {
      expect(throttleBucketOf('2001:db8:0:2::1')).not.toBe(throttleBucketOf('2001:db8:0:1::1'));
      expect(throttleBucketOf('::1')).toBe('0:0:0:0::/64');
    });
  });

  describe(firstForwardedAddress.name, () => {
    it('should take the leftmost address of the header', () => {
      expect(firstForwardedAddress('198.51.100.4, 10.0.0.2')).toBe('198.51.100.4');
      expect(firstForwardedAddress(['2001:db8::5'])).toBe('2001:db8::5');
    });

    it('should give nothing when the header is missing or not an address', () => {
      expect(firstForwardedAddress(undefined)).toBeUndefined();
      expect(firstForwardedAddress('unknown, 10.0.0.2')).toBeUndefined();
    });
  });
});
