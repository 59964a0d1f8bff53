import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import {
  EXPIRING_NOTICE_QUEUE,
  KEY_EXPIRY_QUEUE,
  KEYCLOAK_EVENTS_QUEUE,
  KEYCLOAK_SYNC_QUEUE,
  SCHEDULED_JOB_OPTIONS,
  type ScheduledQueue,
  schedulerIdOf,
  USAGE_RETENTION_QUEUE,
} from './jobs.constants';

/**
 * Registers the job schedulers at start. upsertJobScheduler is idempotent by id, so every replica does it
 * and Redis holds one scheduler per queue; each queue runs one job at a time across all replicas.
 */
@Injectable()
export class JobSchedulesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobSchedulesService.name);
  private readonly queues: Array<{ queue: Queue; everyMs: number }>;

  constructor(
    @Inject(KEY_WORKER_CONFIG) config: KeyWorkerConfig,
    @InjectQueue(KEY_EXPIRY_QUEUE) expiry: Queue,
    @InjectQueue(EXPIRING_NOTICE_QUEUE) expiring: Queue,
    @InjectQueue(KEYCLOAK_SYNC_QUEUE) sync: Queue,
    @InjectQueue(KEYCLOAK_EVENTS_QUEUE) keycloakEvents: Queue,
    @InjectQueue(USAGE_RETENTION_QUEUE) retention: Queue,
  ) {
    this.queues = [
      { queue: expiry, everyMs: config.KEY_EXPIRY_EVERY_MS },
      { queue: expiring, everyMs: config.EXPIRING_NOTICE_EVERY_MS },
      { queue: sync, everyMs: config.KEYCLOAK_SYNC_EVERY_MS },
      { queue: keycloakEvents, everyMs: config.KEYCLOAK_EVENTS_EVERY_MS },
      { queue: retention, everyMs: config.USAGE_RETENTION_EVERY_MS },
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const { queue, everyMs } of this.queues) {
      const id = schedulerIdOf(queue.name as ScheduledQueue);
      if (everyMs <= 0) {
        await queue.removeJobScheduler(id);
        continue;
      }
      // Two replicas never run the same job at the same time, even when a run outlasts the interval.
      await queue.setGlobalConcurrency(1);
      await queue.upsertJobScheduler(
        id,
        { every: everyMs },
        { name: queue.name, data: {}, opts: SCHEDULED_JOB_OPTIONS },
      );
      this.logger.log(`Scheduler ${id}: every ${everyMs} ms`);
    }
  }

  /** Readiness: Redis answers. */
  async ping(): Promise<void> {
    // bullmq types its client as a minimal interface; it is an ioredis client.
    const client = (await this.queues[0].queue.client) as unknown as { ping(): Promise<string> };
    await client.ping();
  }
}
