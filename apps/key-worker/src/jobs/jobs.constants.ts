import type { JobsOptions } from 'bullmq';

export const KEY_EXPIRY_QUEUE = 'key-expiry';
export const EXPIRING_NOTICE_QUEUE = 'key-expiring-notice';
export const KEYCLOAK_SYNC_QUEUE = 'keycloak-sync';
export const KEYCLOAK_EVENTS_QUEUE = 'keycloak-admin-events';
export const USAGE_RETENTION_QUEUE = 'usage-retention';

export const SCHEDULED_QUEUES = [
  KEY_EXPIRY_QUEUE,
  EXPIRING_NOTICE_QUEUE,
  KEYCLOAK_SYNC_QUEUE,
  KEYCLOAK_EVENTS_QUEUE,
  USAGE_RETENTION_QUEUE,
] as const;
export type ScheduledQueue = (typeof SCHEDULED_QUEUES)[number];

/** One scheduler per queue; upserting it again (every replica, every start) changes nothing but its interval. */
export const schedulerIdOf = (queue: ScheduledQueue): string => `${queue}:every`;

/**
 * Retry and backoff of every scheduled job, in this one place: 5 attempts, 1 s, 2 s, 4 s, 8 s apart.
 * Used as the queues' default job options and as the schedulers' job template.
 */
export const SCHEDULED_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
};

/** Who the worker's audit records and lifecycle events name as the actor. */
export const WORKER_ACTOR = 'system:key-worker';
