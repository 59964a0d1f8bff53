import { KEY_USAGE_DEAD_LETTER_TOPIC, KEY_USAGE_TOPIC } from '@rs/event-contracts';
import { env, type EnvOf, EnvValidationError, KAFKA_ENV, MANAGEMENT_ENV, readEnv } from '@rs/service-kit';
import { SMTP_ENV, smtpProblems } from '../mail/smtp-options.util';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Every variable the key worker reads, with its default; secrets have none. See .env.example. */
export const KEY_WORKER_ENV = {
  HOST: env.string('127.0.0.1'),
  /** Only /health and /health/ready (up or down) are served; /metrics and the readiness details: MANAGEMENT_PORT. */
  PORT: env.int(3004, { min: 0, max: 65535 }),
  ...MANAGEMENT_ENV,
  /** Same database as the key manager: keys, audit, outbox and the usage aggregates. */
  MONGO_URL: env.string('mongodb://127.0.0.1:27017/rs_keys'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  ...KAFKA_ENV,
  KEYCLOAK_URL: env.url('http://127.0.0.1:8180'),
  KEYCLOAK_REALM: env.string('rs-server'),
  /** Confidential client with view-users (the key manager's service account). */
  KEYCLOAK_SYNC_CLIENT_ID: env.string('rs-key-manager'),
  KEYCLOAK_SYNC_CLIENT_SECRET: env.secret(8),
  /** Keycloak user attributes copied into every key's config (same list as the key manager). */
  API_KEY_CONFIG_ATTRIBUTES: env.list('organization,max_requests_per_day'),
  EVENT_PUBLISH_TIMEOUT_MS: env.int(1000, { min: 10, max: 30000 }),

  // Usage stream
  USAGE_TOPIC: env.string(KEY_USAGE_TOPIC),
  USAGE_DEAD_LETTER_TOPIC: env.string(KEY_USAGE_DEAD_LETTER_TOPIC),
  USAGE_CONSUMER_GROUP: env.string('key-worker.usage'),
  /** Partitions of the usage topic when the worker has to create it (an existing topic is left as is). */
  USAGE_TOPIC_PARTITIONS: env.int(6, { min: 1, max: 1000 }),
  KAFKA_REPLICATION_FACTOR: env.int(1, { min: 1, max: 10 }),
  /** Longest the broker holds a fetch for more data: the flush interval when traffic is low. */
  USAGE_FLUSH_INTERVAL_MS: env.int(500, { min: 10, max: 60000 }),
  /**
   * Events of a partition planned while its previous write is in progress before the consumer waits for that
   * write (a fetched batch is planned in chunks of this size): bounds a write, hence memory.
   */
  USAGE_BATCH_SIZE: env.int(50_000, { min: 1 }),
  /**
   * Bytes fetched per partition and per fetch. A fetch is decoded and planned without yielding, so this bounds
   * how long the event loop is busy at a time (write completions and commits wait meanwhile).
   */
  USAGE_FETCH_MAX_BYTES_PER_PARTITION: env.int(256 * 1024, { min: 1024 }),
  /**
   * Partitions whose aggregates one replica writes at the same time: 1 leaves the database idle between a
   * partition's writes, too many make each write slower than they save (docs/benchmarks.md).
   */
  USAGE_WRITE_CONCURRENCY: env.int(3, { min: 1, max: 64 }),
  /**
   * Least time between the starts of two writes of one partition's aggregates (0: as soon as a write slot is
   * free). Messages arriving meanwhile join the pending write at no extra cost: a write updates one document
   * per key, route and hour whatever the number of messages.
   */
  USAGE_MIN_WRITE_INTERVAL_MS: env.int(500, { min: 0, max: 60_000 }),
  /** Partitions processed at the same time by one replica. */
  USAGE_PARTITIONS_CONCURRENCY: env.int(1, { min: 1, max: 64 }),

  // Scheduled jobs (0 disables a schedule)
  BULLMQ_PREFIX: env.string('rs-bull'),
  KEY_EXPIRY_EVERY_MS: env.int(MINUTE, { min: 0 }),
  /** An expiry claimed this long ago and still not in the audit trail was left by a run that stopped: finish it. */
  KEY_EXPIRY_RECOVERY_AFTER_MS: env.int(MINUTE, { min: SECOND }),
  EXPIRING_NOTICE_EVERY_MS: env.int(HOUR, { min: 0 }),
  /** Keys expiring within this many days get an `expiring` event (once per expiration date). */
  EXPIRING_NOTICE_DAYS: env.int(3, { min: 1, max: 365 }),
  KEYCLOAK_SYNC_EVERY_MS: env.int(5 * MINUTE, { min: 0 }),
  /** Polls of Keycloak's admin events: how soon a disabled user or a removed role reaches the guards. */
  KEYCLOAK_EVENTS_EVERY_MS: env.int(2 * SECOND, { min: 0 }),
  USAGE_RETENTION_EVERY_MS: env.int(HOUR, { min: 0 }),
  /** Hour buckets older than this are deleted (their day buckets stay). */
  USAGE_HOURLY_RETENTION_DAYS: env.int(30, { min: 1, max: 3650 }),
  /** Day buckets older than this are deleted; 0 keeps them forever. */
  USAGE_DAILY_RETENTION_DAYS: env.int(0, { min: 0, max: 36500 }),

  // Expiry notices by e-mail (off without SMTP_HOST: the notice is then an event only)
  ...SMTP_ENV,
};

export type KeyWorkerConfig = EnvOf<typeof KEY_WORKER_ENV>;
export const KEY_WORKER_CONFIG = Symbol('KEY_WORKER_CONFIG');

export function loadKeyWorkerConfig(source: NodeJS.ProcessEnv = process.env): KeyWorkerConfig {
  const config = readEnv(KEY_WORKER_ENV, source);
  const problems = smtpProblems(config);
  if (problems.length) throw new EnvValidationError(problems);
  return config;
}

/** ioredis connection options from REDIS_URL (BullMQ builds its own connections from them). */
export function redisConnection(redisUrl: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
} {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: Number(url.pathname.replace('/', '') || 0),
  };
}
