import { DomainErrorCode } from '@rs/key-domain';
import type { ApiKeyRecord, ApiKeysRepository } from '@rs/key-store';
import type { UsageBucketRow, UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

const NOW = new Date('2026-03-10T10:20:00Z');

function row(start: string, overrides: Partial<UsageBucketRow> = {}): UsageBucketRow {
  return {
    service: 'cadip',
    method: 'GET',
    route: '/cadip/:station/session',
    start: new Date(start),
    count: 4,
    count_2xx: 3,
    count_3xx: 0,
    count_4xx: 0,
    count_5xx: 1,
    latency_sum_ms: 40,
    latency_max_ms: 20,
    ...overrides,
  };
}

describe(UsageService.name, () => {
  let sut: UsageService;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'findOwned'>>;
  let usage: jest.Mocked<Pick<UsageRepository, 'buckets'>>;

  beforeEach(() => {
    keys = { findOwned: jest.fn().mockResolvedValue({ _id: 'k1', name: 'notebook', user_id: 'u1' } as ApiKeyRecord) };
    usage = { buckets: jest.fn().mockResolvedValue([]) };
    sut = new UsageService(keys as unknown as ApiKeysRepository, usage as unknown as UsageRepository, () => NOW);
  });

  describe('report', () => {
    it('should sum buckets per hour and per route, with mean and highest latency, when granularity is hour', async () => {
      usage.buckets.mockResolvedValueOnce([
        row('2026-03-10T08:00:00Z'),
        row('2026-03-10T08:00:00Z', {
          route: '/cadip/:station/cadu/search',
          count: 6,
          count_2xx: 6,
          count_5xx: 0,
          latency_sum_ms: 6,
          latency_max_ms: 2,
        }),
        row('2026-03-10T09:00:00Z', { latency_max_ms: 35 }),
      ]);
      const report = await sut.report(
        { user_id: 'u1', is_admin: false },
        { id: 'k1', granularity: 'hour', from: '2026-03-10T08:30:00Z' },
      );
      expect(usage.buckets).toHaveBeenCalledWith('k1', 'hour', new Date('2026-03-10T08:00:00Z'), NOW);
      expect(report).toMatchObject({
        key_id: 'k1',
        name: 'notebook',
        granularity: 'hour',
        from: '2026-03-10T08:00:00.000Z',
        to: NOW.toISOString(),
      });
      expect(report.total).toEqual({
        count: 14,
        count_2xx: 12,
        count_3xx: 0,
        count_4xx: 0,
        count_5xx: 2,
        latency_avg_ms: 6.143,
        latency_max_ms: 35,
      });
      expect(report.buckets.map((bucket) => [bucket.start, bucket.count, bucket.latency_max_ms])).toEqual([
        ['2026-03-10T08:00:00.000Z', 10, 20],
        ['2026-03-10T09:00:00.000Z', 4, 35],
      ]);
      expect(report.routes.map((route) => [route.route, route.count])).toEqual([
        ['/cadip/:station/session', 8],
        ['/cadip/:station/cadu/search', 6],
      ]);
    });

    it('should default to the last 30 days per day and report zero when the key was not used', async () => {
      const report = await sut.report({ user_id: 'u1', is_admin: false }, { id: 'k1' });
      expect(usage.buckets).toHaveBeenCalledWith('k1', 'day', new Date('2026-02-08T00:00:00Z'), NOW);
      expect(report.total).toEqual({
        count: 0,
        count_2xx: 0,
        count_3xx: 0,
        count_4xx: 0,
        count_5xx: 0,
        latency_avg_ms: 0,
        latency_max_ms: 0,
      });
      expect(report.buckets).toEqual([]);
    });

    it("should answer KEY_NOT_FOUND for another user's key and look in every owner's keys for an admin", async () => {
      keys.findOwned.mockResolvedValueOnce(null);
      await expect(sut.report({ user_id: 'u2', is_admin: false }, { id: 'k1' })).rejects.toMatchObject({
        code: DomainErrorCode.KEY_NOT_FOUND,
      });
      expect(keys.findOwned).toHaveBeenCalledWith('k1', 'u2');
      await sut.report({ user_id: 'admin', is_admin: true }, { id: 'k1' });
      expect(keys.findOwned).toHaveBeenLastCalledWith('k1', null);
    });

    it.each([
      [{ from: '2026-03-10T12:00:00Z', to: '2026-03-10T11:00:00Z' }, 'from'],
      [{ granularity: 'hour' as const, from: '2026-01-01T00:00:00Z' }, 'from'],
      [{ granularity: 'day' as const, from: '2024-01-01T00:00:00Z' }, 'from'],
    ])('should refuse the range %p naming the parameter', async (range, parameter) => {
      await expect(sut.report({ user_id: 'u1', is_admin: false }, { id: 'k1', ...range })).rejects.toMatchObject({
        code: DomainErrorCode.INVALID_PARAMETER,
        details: { parameter },
      });
      expect(usage.buckets).not.toHaveBeenCalled();
    });
  });
});
