import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository, AuditRepository, LifecycleEventsPublisher } from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { DatedEndsRunner, keyExpiry } from './dated-ends.runner';

export interface KeyExpiryResult {
  expired: number;
  /** Announcements finished for expiries claimed by an earlier run that stopped half-way. */
  recovered: number;
}

/**
 * Expires keys whose expiration date has passed (DatedEndsRunner): each is marked with its `expired` event, audited
 * and announced at once so every guard refuses it.
 */
@Injectable()
export class KeyExpiryService {
  private readonly logger = new Logger(KeyExpiryService.name);
  private readonly runner: DatedEndsRunner;
  private readonly expiredCounter;

  constructor(
    private readonly keys: ApiKeysRepository,
    audit: AuditRepository,
    events: LifecycleEventsPublisher,
    metrics: MetricsService,
    @Inject(KEY_WORKER_CONFIG) config: Pick<KeyWorkerConfig, 'KEY_EXPIRY_RECOVERY_AFTER_MS'>,
  ) {
    this.runner = new DatedEndsRunner(audit, events, config.KEY_EXPIRY_RECOVERY_AFTER_MS);
    this.expiredCounter = metrics.counter('key_worker_keys_expired_total', 'Keys the worker expired');
  }

  async run(now: Date): Promise<KeyExpiryResult> {
    const { ended, recovered } = await this.runner.run(keyExpiry(this.keys), now);
    if (ended) this.logger.log(`${ended} key(s) expired`);
    this.expiredCounter.inc(ended);
    return { expired: ended, recovered };
  }
}
