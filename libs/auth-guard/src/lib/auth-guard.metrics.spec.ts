import { Registry } from 'prom-client';
import { AuthGuardMetrics } from './auth-guard.metrics';

describe(AuthGuardMetrics.name, () => {
  let registry: Registry;
  let sut: AuthGuardMetrics;

  beforeEach(() => {
    registry = new Registry();
    sut = new AuthGuardMetrics(registry);
  });

  /** The values of a metric as a scrape reads them, by label values. */
  async function scrape(name: string): Promise<Record<string, number>> {
    const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
    return Object.fromEntries(
      (metric?.values ?? []).map(({ labels, value }) => [Object.values(labels).join('/'), value]),
    );
  }

  describe('countCacheHit', () => {
    it('should count hits in auth_guard_key_cache_total, beside the misses', async () => {
      sut.countCacheHit();
      sut.countCacheHit();
      sut.keyCache.inc({ result: 'miss' });
      expect(await scrape('auth_guard_key_cache_total')).toEqual({ hit: 2, miss: 1 });
      sut.countCacheHit();
      expect(await scrape('auth_guard_key_cache_total')).toEqual({ hit: 3, miss: 1 });
      expect(await registry.metrics()).toContain('auth_guard_key_cache_total{result="hit"} 3');
    });
  });

  describe('countAllowed', () => {
    it('should count allowed requests by credential type in auth_guard_requests_total, beside the refusals', async () => {
      sut.countAllowed('api_key');
      sut.countAllowed('api_key');
      sut.countAllowed('oauth2');
      sut.requests.inc({ method: 'api_key', outcome: 'KEY_REVOKED' });
      expect(await scrape('auth_guard_requests_total')).toEqual({
        'api_key/allowed': 2,
        'oauth2/allowed': 1,
        'api_key/KEY_REVOKED': 1,
      });
    });

    it('should add up the counts of two instances on one registry', async () => {
      const other = new AuthGuardMetrics(registry);
      sut.countAllowed('api_key');
      other.countAllowed('api_key');
      other.countCacheHit();
      expect(await scrape('auth_guard_requests_total')).toEqual({ 'api_key/allowed': 2 });
      expect(await scrape('auth_guard_key_cache_total')).toEqual({ hit: 1 });
    });
  });
});
