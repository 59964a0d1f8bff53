import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ApiKeyRecord,
  ApiKeysRepository,
  auditAndPublish,
  AuditRepository,
  LifecycleEventsPublisher,
  type PendingLifecycleEvent,
} from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { WORKER_ACTOR } from './jobs.constants';

export interface KeyExpiryResult {
  expired: number;
  /** Announcements finished for expiries claimed by an earlier run that stopped half-way. */
  recovered: number;
}

const PAGE_SIZE = 200;
const MAX_PAGES_PER_RUN = 50;

/**
 * Expires keys whose expiration date has passed: marks them (with their `expired` lifecycle event, in the same
 * write), records `expired` in the audit trail and publishes the event at once so every guard refuses them. Each
 * key is claimed with a compare-and-set, so runs that overlap (or repeat after a retry) process it once.
 */
@Injectable()
export class KeyExpiryService {
  private readonly logger = new Logger(KeyExpiryService.name);
  private readonly expiredCounter;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
    private readonly events: LifecycleEventsPublisher,
    metrics: MetricsService,
    @Inject(KEY_WORKER_CONFIG) private readonly config: Pick<KeyWorkerConfig, 'KEY_EXPIRY_RECOVERY_AFTER_MS'>,
  ) {
    this.expiredCounter = metrics.counter('key_worker_keys_expired_total', 'Keys the worker expired');
  }

  async run(now: Date): Promise<KeyExpiryResult> {
    const unfinished = await this.keys.findUnannouncedExpiries(
      new Date(now.getTime() - this.config.KEY_EXPIRY_RECOVERY_AFTER_MS),
      PAGE_SIZE,
    );
    // Their events were stored with the claim (the relay sends them): only the audit records are missing.
    for (const key of unfinished) await this.announce([key], [], key.expired_at ?? now);
    let expired = 0;
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const due = await this.keys.findExpiredUnprocessed(now, PAGE_SIZE);
      const claimed: ApiKeyRecord[] = [];
      const events: PendingLifecycleEvent[] = [];
      for (const key of due) {
        if (!key.expiration_date) continue;
        const change = await this.keys.claimExpiry(key._id, key.expiration_date, now, () => ({
          action: 'expired',
          actor: WORKER_ACTOR,
          reason: reasonOf(key),
          expiration_date: key.expiration_date,
        }));
        if (!change) continue;
        claimed.push(key);
        events.push(change.event);
      }
      await this.announce(claimed, events, now);
      expired += claimed.length;
      if (due.length < PAGE_SIZE) break;
    }
    if (expired) this.logger.log(`${expired} key(s) expired`);
    this.expiredCounter.inc(expired);
    return { expired, recovered: unfinished.length };
  }

  private async announce(
    keys: readonly ApiKeyRecord[],
    events: readonly PendingLifecycleEvent[],
    expiredAt: Date,
  ): Promise<void> {
    if (!keys.length) return;
    await auditAndPublish(
      this.audit,
      this.events,
      keys.map((key) => ({
        key_id: key._id,
        user_id: key.user_id,
        actor: WORKER_ACTOR,
        action: 'expired' as const,
        reason: reasonOf(key),
        at: expiredAt,
      })),
      events,
    );
    for (const key of keys) await this.keys.markExpiryAnnounced(key._id, expiredAt);
  }
}

function reasonOf(key: ApiKeyRecord): string {
  return `expired on ${key.expiration_date ? new Date(key.expiration_date).toISOString() : 'its expiration date'}`;
}
