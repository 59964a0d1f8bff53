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

export interface RotationGraceResult {
  ended: number;
  /** Announcements finished for grace ends claimed by an earlier run that stopped half-way. */
  recovered: number;
}

const PAGE_SIZE = 200;
const MAX_PAGES_PER_RUN = 50;

/**
 * Ends the grace periods of values replaced by a rotation: marks each key (with its `rotation_ended` event, in the
 * same write), records it in the audit trail and publishes the event, so every guard drops what it cached of the
 * old value. The check refuses the old value by its date anyway; this makes the end visible and final. Claims are
 * compare-and-set, as for expiries, so overlapping or repeated runs process each end once.
 */
@Injectable()
export class RotationGraceService {
  private readonly logger = new Logger(RotationGraceService.name);
  private readonly endedCounter;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
    private readonly events: LifecycleEventsPublisher,
    metrics: MetricsService,
    @Inject(KEY_WORKER_CONFIG) private readonly config: Pick<KeyWorkerConfig, 'KEY_EXPIRY_RECOVERY_AFTER_MS'>,
  ) {
    this.endedCounter = metrics.counter(
      'key_worker_rotation_graces_ended_total',
      'Grace periods of rotated-out key values the worker ended',
    );
  }

  async run(now: Date): Promise<RotationGraceResult> {
    const unfinished = await this.keys.findUnannouncedGraceEnds(
      new Date(now.getTime() - this.config.KEY_EXPIRY_RECOVERY_AFTER_MS),
      PAGE_SIZE,
    );
    // Their events were stored with the claim (the relay sends them): only the audit records are missing.
    for (const key of unfinished) await this.announce([key], [], key.previous_hash_ended_at ?? now);
    let ended = 0;
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const due = await this.keys.findEndedGracesUnprocessed(now, PAGE_SIZE);
      const claimed: ApiKeyRecord[] = [];
      const events: PendingLifecycleEvent[] = [];
      for (const key of due) {
        const graceEnd = key.previous_hash_expires_at;
        if (!graceEnd) continue;
        const change = await this.keys.claimGraceEnd(key._id, graceEnd, now, () => ({
          action: 'rotation_ended',
          actor: WORKER_ACTOR,
          reason: reasonOf(key),
          previous_secret_expires_at: new Date(graceEnd),
        }));
        if (!change) continue;
        claimed.push(key);
        events.push(change.event);
      }
      await this.announce(claimed, events, now);
      ended += claimed.length;
      if (due.length < PAGE_SIZE) break;
    }
    if (ended) this.logger.log(`${ended} rotation grace period(s) ended`);
    this.endedCounter.inc(ended);
    return { ended, recovered: unfinished.length };
  }

  private async announce(
    keys: readonly ApiKeyRecord[],
    events: readonly PendingLifecycleEvent[],
    endedAt: Date,
  ): Promise<void> {
    if (!keys.length) return;
    await auditAndPublish(
      this.audit,
      this.events,
      keys.map((key) => ({
        key_id: key._id,
        user_id: key.user_id,
        actor: WORKER_ACTOR,
        action: 'rotation_ended' as const,
        reason: reasonOf(key),
        at: endedAt,
      })),
      events,
    );
    for (const key of keys) await this.keys.markGraceEndAnnounced(key._id, endedAt);
  }
}

function reasonOf(key: ApiKeyRecord): string {
  const end = key.previous_hash_expires_at ? new Date(key.previous_hash_expires_at).toISOString() : 'its end';
  return `value replaced by a rotation stopped working on ${end}`;
}
