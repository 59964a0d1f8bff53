import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { EXPIRING_NOTICE_QUEUE } from './jobs.constants';
import { ExpiringNoticeService } from './expiring-notice.service';

/** Runs of the expiring-notice scheduler (one at a time across replicas: the queue's global concurrency is 1). */
@Processor(EXPIRING_NOTICE_QUEUE, { concurrency: 1 })
export class ExpiringNoticeProcessor extends WorkerHost {
  constructor(
    private readonly service: ExpiringNoticeService,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, () => this.service.run(this.clock()));
  }
}
