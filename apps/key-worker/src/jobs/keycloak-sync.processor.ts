import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { KEYCLOAK_SYNC_QUEUE } from './jobs.constants';
import { KeycloakSyncService } from './keycloak-sync.service';

/** Runs of the keycloak-sync scheduler (one at a time across replicas: the queue's global concurrency is 1). */
@Processor(KEYCLOAK_SYNC_QUEUE, { concurrency: 1 })
export class KeycloakSyncProcessor extends WorkerHost {
  constructor(
    private readonly service: KeycloakSyncService,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, () => this.service.run(this.clock()));
  }
}
