import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { UsageBucketsRepository } from '../usage/usage-buckets.repository';
import { floorToDay, floorToHour } from '../usage/usage-buckets.util';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Retention of the usage aggregates. Day buckets are written with the hour buckets (same watermarks),
 * so the hours are already rolled into days: retention deletes hour buckets older than
 * USAGE_HOURLY_RETENTION_DAYS (and day buckets older than USAGE_DAILY_RETENTION_DAYS when set).
 * Deleting by date is idempotent. See docs/usage-pipeline.md for why the roll-up is not done here.
 */
@Injectable()
export class UsageRetentionService {
  private readonly logger = new Logger(UsageRetentionService.name);
  private readonly deleted;

  constructor(
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
    private readonly buckets: UsageBucketsRepository,
    metrics: MetricsService,
  ) {
    this.deleted = metrics.counter('key_worker_usage_buckets_deleted_total', 'Usage buckets deleted by retention', [
      'collection',
    ]);
  }

  async run(now: Date): Promise<{ hourlyDeleted: number; dailyDeleted: number }> {
    const hourlyBefore = new Date(floorToHour(now.getTime() - this.config.USAGE_HOURLY_RETENTION_DAYS * DAY_MS));
    const hourlyDeleted = await this.buckets.deleteBucketsBefore('hourly', hourlyBefore);
    let dailyDeleted = 0;
    if (this.config.USAGE_DAILY_RETENTION_DAYS > 0) {
      dailyDeleted = await this.buckets.deleteBucketsBefore(
        'daily',
        new Date(floorToDay(now.getTime() - this.config.USAGE_DAILY_RETENTION_DAYS * DAY_MS)),
      );
    }
    this.deleted.inc({ collection: 'hourly' }, hourlyDeleted);
    this.deleted.inc({ collection: 'daily' }, dailyDeleted);
    if (hourlyDeleted || dailyDeleted)
      this.logger.log(`Retention deleted ${hourlyDeleted} hour and ${dailyDeleted} day bucket(s)`);
    return { hourlyDeleted, dailyDeleted };
  }
}
