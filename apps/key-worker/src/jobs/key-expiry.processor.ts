import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { KEY_EXPIRY_QUEUE } from './jobs.constants';
import { KeyExpiryService } from './key-expiry.service';
import { RotationGraceService } from './rotation-grace.service';

/**
 * Runs of the key-expiry scheduler (one at a time across replicas: the queue's global concurrency is 1): keys past
 * their expiration date, then values replaced by a rotation past their grace period.
 */
@Processor(KEY_EXPIRY_QUEUE, { concurrency: 1 })
export class KeyExpiryProcessor extends WorkerHost {
  constructor(
    private readonly service: KeyExpiryService,
    private readonly graces: RotationGraceService,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, async () => {
      const now = this.clock();
      return { ...(await this.service.run(now)), graces: await this.graces.run(now) };
    });
  }
}
