import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository, LifecycleEventsPublisher } from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { WORKER_ACTOR } from './jobs.constants';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS_PER_RUN = 5000;

/**
 * Announces keys expiring within EXPIRING_NOTICE_DAYS with an `expiring` lifecycle event, once per key
 * and expiration date (a renewed key is announced again for its new date). For usage-reporting consumers.
 */
@Injectable()
export class ExpiringNoticeService {
  private readonly logger = new Logger(ExpiringNoticeService.name);
  private readonly notices;

  constructor(
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
    private readonly keys: ApiKeysRepository,
    private readonly events: LifecycleEventsPublisher,
    metrics: MetricsService,
  ) {
    this.notices = metrics.counter('key_worker_expiring_notices_total', 'expiring events published');
  }

  async run(now: Date): Promise<{ notified: number }> {
    const until = new Date(now.getTime() + this.config.EXPIRING_NOTICE_DAYS * DAY_MS);
    const soon = await this.keys.findExpiringBetween(now, until, MAX_KEYS_PER_RUN);
    if (soon.length === MAX_KEYS_PER_RUN)
      this.logger.warn(`More than ${MAX_KEYS_PER_RUN} keys expire soon; the rest are announced next run`);
    let notified = 0;
    for (const key of soon) {
      const expiration = key.expiration_date ? new Date(key.expiration_date) : null;
      const previous = key.expiring_notified_for ? new Date(key.expiring_notified_for) : null;
      if (!expiration || previous?.getTime() === expiration.getTime()) continue;
      const notice = await this.keys.claimExpiringNotice(
        key,
        expiration,
        () => ({
          action: 'expiring',
          actor: WORKER_ACTOR,
          reason: `expires on ${expiration.toISOString()}`,
          expiration_date: expiration,
        }),
        now,
      );
      if (!notice) continue;
      // Stored with the claim: if Kafka is slow, the relay sends it.
      await this.events.publish([notice]);
      notified++;
    }
    this.notices.inc(notified);
    return { notified };
  }
}
