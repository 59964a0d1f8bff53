import { MetricsService } from '@rs/service-kit';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import type { UsageBucketsRepository } from '../usage/usage-buckets.repository';
import { UsageRetentionService } from './usage-retention.service';

const NOW = new Date('2026-03-31T10:42:00Z');

describe(UsageRetentionService.name, () => {
  let buckets: jest.Mocked<Pick<UsageBucketsRepository, 'deleteBucketsBefore'>>;
  const createSut = (env: Record<string, string>) =>
    new UsageRetentionService(
      loadKeyWorkerConfig({ KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret', ...env }),
      buckets as unknown as UsageBucketsRepository,
      new MetricsService(),
    );

  beforeEach(() => {
    buckets = { deleteBucketsBefore: jest.fn().mockResolvedValue(3) };
  });

  describe('run', () => {
    it('should delete hour buckets older than the retention, on an hour boundary, and keep day buckets by default', async () => {
      await expect(createSut({ USAGE_HOURLY_RETENTION_DAYS: '30' }).run(NOW)).resolves.toEqual({
        hourlyDeleted: 3,
        dailyDeleted: 0,
      });
      expect(buckets.deleteBucketsBefore.mock.calls).toEqual([['hourly', new Date('2026-03-01T10:00:00Z')]]);
    });

    it('should also delete day buckets older than their retention when one is set', async () => {
      await createSut({ USAGE_HOURLY_RETENTION_DAYS: '7', USAGE_DAILY_RETENTION_DAYS: '365' }).run(NOW);
      expect(buckets.deleteBucketsBefore.mock.calls).toEqual([
        ['hourly', new Date('2026-03-24T10:00:00Z')],
        ['daily', new Date('2025-03-31T00:00:00Z')],
      ]);
    });
  });
});
