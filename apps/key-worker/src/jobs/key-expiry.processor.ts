import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { KEY_EXPIRY_QUEUE } from './jobs.constants';
import { KeyExpiryService } from './key-expiry.service';

/** Runs of the key-expiry scheduler (one at a time across replicas: the queue's global concurrency is 1). */
@Processor(KEY_EXPIRY_QUEUE, { concurrency: 1 })
export class KeyExpiryProcessor extends WorkerHost {
  constructor(
    private readonly service: KeyExpiryService,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, () => this.service.run(this.clock()));
  }
}
