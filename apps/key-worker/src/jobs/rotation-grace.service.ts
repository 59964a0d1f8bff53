import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository, AuditRepository, LifecycleEventsPublisher } from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { DatedEndsRunner, rotationGraceEnd } from './dated-ends.runner';

export interface RotationGraceResult {
  ended: number;
  /** Announcements finished for grace ends claimed by an earlier run that stopped half-way. */
  recovered: number;
}

/**
 * Ends the grace periods of values replaced by a rotation (DatedEndsRunner): each key is marked with its
 * `rotation_ended` event, audited and announced, so every guard drops what it cached of the old value. The check
 * refuses the old value by its date anyway; this makes the end visible and final.
 */
@Injectable()
export class RotationGraceService {
  private readonly logger = new Logger(RotationGraceService.name);
  private readonly runner: DatedEndsRunner;
  private readonly endedCounter;

  constructor(
    private readonly keys: ApiKeysRepository,
    audit: AuditRepository,
    events: LifecycleEventsPublisher,
    metrics: MetricsService,
    @Inject(KEY_WORKER_CONFIG) config: Pick<KeyWorkerConfig, 'KEY_EXPIRY_RECOVERY_AFTER_MS'>,
  ) {
    this.runner = new DatedEndsRunner(audit, events, config.KEY_EXPIRY_RECOVERY_AFTER_MS);
    this.endedCounter = metrics.counter(
      'key_worker_rotation_graces_ended_total',
      'Grace periods of rotated-out key values the worker ended',
    );
  }

  async run(now: Date): Promise<RotationGraceResult> {
    const result = await this.runner.run(rotationGraceEnd(this.keys), now);
    if (result.ended) this.logger.log(`${result.ended} rotation grace period(s) ended`);
    this.endedCounter.inc(result.ended);
    return result;
  }
}
