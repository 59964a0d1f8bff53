import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { USAGE_RETENTION_QUEUE } from './jobs.constants';
import { UsageRetentionService } from './usage-retention.service';

/** Runs of the usage-retention scheduler (one at a time across replicas: the queue's global concurrency is 1). */
@Processor(USAGE_RETENTION_QUEUE, { concurrency: 1 })
export class UsageRetentionProcessor extends WorkerHost {
  constructor(
    private readonly service: UsageRetentionService,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, () => this.service.run(this.clock()));
  }
}
