import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '@rs/key-store';
import { AdminEventsFollower } from '@rs/keycloak-users';
import { MetricsService } from '@rs/service-kit';
import type { Job } from 'bullmq';
import { JobRunsRecorder } from './job-runs.recorder';
import { KEYCLOAK_EVENTS_QUEUE } from './jobs.constants';

/**
 * Polls of Keycloak's admin events (one at a time across replicas: the queue's global concurrency is 1, and
 * the cursor lives in the database), so user changes reach the keys within seconds.
 */
@Processor(KEYCLOAK_EVENTS_QUEUE, { concurrency: 1 })
export class KeycloakEventsProcessor extends WorkerHost {
  private readonly events;

  constructor(
    private readonly follower: AdminEventsFollower,
    private readonly runs: JobRunsRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
    metrics: MetricsService,
  ) {
    super();
    this.events = metrics.counter('key_worker_keycloak_admin_events_total', 'Keycloak admin events read');
  }

  process(job: Job): Promise<unknown> {
    return this.runs.record(job, async () => {
      const poll = await this.follower.poll(this.clock());
      this.events.inc(poll.events);
      return poll;
    });
  }
}
