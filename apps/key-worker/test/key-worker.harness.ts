import {
  KEY_USAGE_EVENT_TYPE,
  KEY_USAGE_EVENT_VERSION,
  type KeyLifecycleAction,
  type KeyLifecycleEventV1,
  type KeyUsageEventV1,
} from '@rs/event-contracts';
import { eventually, freePort, stackEndpoints, testKafka, testKafkaEnv, type TopicRecorder } from '@rs/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Producer } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';

const DIST = join(__dirname, '../../../dist/apps');
const WORKER_MAIN = join(DIST, 'key-worker/main.js');
const KEY_MANAGER_MAIN = join(DIST, 'key-manager/main.js');

/** Latin letters only (the local Mongo-wire DB's rule for database names), unique per call. */
export function uniqueName(prefix: string): string {
  return prefix + [...randomBytes(10)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

/** Names of one test run: its own database, topics, consumer group and BullMQ prefix, so runs never collide. */
export interface WorkerRun {
  database: string;
  usageTopic: string;
  deadLetterTopic: string;
  group: string;
  bullPrefix: string;
}

export function newRun(prefix = 'kwit'): WorkerRun {
  const id = uniqueName(prefix);
  return {
    database: id,
    usageTopic: `${id}.usage`,
    deadLetterTopic: `${id}.usage.dlq`,
    group: `${id}.group`,
    bullPrefix: `${id}-bull`,
  };
}

/** A built app (dist/apps/<app>/main.js) as a child process, killable like a real one: the key worker, or the key manager. */
export class WorkerProcess {
  private output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    /** GET /metrics and the detailed GET /health/ready. */
    readonly managementPort: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  static async start(run: WorkerRun, env: Record<string, string> = {}): Promise<WorkerProcess> {
    return WorkerProcess.spawn(WORKER_MAIN, run, {
      USAGE_TOPIC: run.usageTopic,
      USAGE_DEAD_LETTER_TOPIC: run.deadLetterTopic,
      USAGE_CONSUMER_GROUP: run.group,
      BULLMQ_PREFIX: run.bullPrefix,
      // Schedules off unless a test turns one on.
      KEY_EXPIRY_EVERY_MS: '0',
      EXPIRING_NOTICE_EVERY_MS: '0',
      KEYCLOAK_SYNC_EVERY_MS: '0',
      KEYCLOAK_EVENTS_EVERY_MS: '0',
      USAGE_RETENTION_EVERY_MS: '0',
      ...env,
    });
  }

  /** The built key manager on the run's database (for the usage report and the key list). */
  static async startKeyManager(run: WorkerRun): Promise<WorkerProcess> {
    return WorkerProcess.spawn(KEY_MANAGER_MAIN, run, {
      API_KEY_HASH_SECRET: randomBytes(32).toString('hex'),
      KEYCLOAK_SYNC_INTERVAL_SECONDS: '0',
    });
  }

  private static async spawn(main: string, run: WorkerRun, env: Record<string, string>): Promise<WorkerProcess> {
    const port = await freePort();
    let managementPort = await freePort();
    while (managementPort === port) managementPort = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        MANAGEMENT_PORT: String(managementPort),
        MONGO_URL: stackEndpoints.mongoUrl(run.database),
        KAFKA_BROKERS: stackEndpoints.kafkaBrokers.join(','),
        // The tests' (super) user: the run's topics and consumer group are its own.
        ...testKafkaEnv(),
        REDIS_URL: stackEndpoints.redisUrl,
        KEYCLOAK_URL: stackEndpoints.keycloakUrl,
        KEYCLOAK_REALM: stackEndpoints.realm,
        KEYCLOAK_SYNC_CLIENT_SECRET: process.env['KEYCLOAK_SYNC_CLIENT_SECRET'] ?? 'rs-key-manager-dev-secret',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, port, managementPort);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${worker.output}`);
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        if (!response.ok) throw new Error(`health ${response.status}`);
      },
      60_000,
      200,
    );
    return worker;
  }

  /** Resolves once the consumer group assigned partitions to this worker. */
  async joined(timeoutMs = 60_000): Promise<void> {
    await eventually(
      () => {
        if (!this.output.includes('Joined '))
          throw new Error(`worker not in the group yet:\n${this.output.slice(-2000)}`);
      },
      timeoutMs,
      100,
    );
  }

  /** Value of a Prometheus counter (summed over the label sets that contain `labels`). */
  async metric(name: string, labels = ''): Promise<number> {
    const text = await (await fetch(`${this.managementUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{') && line.includes(labels),
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get managementUrl(): string {
    return `http://127.0.0.1:${this.managementPort}`;
  }

  logs(): string {
    return this.output;
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight stays half-done. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: graceful shutdown (in-flight batch finished and committed). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
    clearTimeout(timer);
    await this.kill();
  }
}

/** Direct access to the run's database and topics, for setting up and checking. */
export class RunFixtures {
  readonly kafka = testKafka('key-worker-it');
  private readonly mongo: MongoClient;
  private producer: Producer | null = null;

  constructor(
    readonly run: WorkerRun,
    mongoUrl = stackEndpoints.mongoUrl(run.database),
  ) {
    this.mongo = new MongoClient(mongoUrl);
  }

  get db(): Db {
    return this.mongo.db(this.run.database);
  }

  async produce(messages: Array<{ key: string | null; value: string }>, topic = this.run.usageTopic): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    for (let start = 0; start < messages.length; start += 2000) {
      await this.producer.send({
        topic,
        acks: -1,
        messages: messages.slice(start, start + 2000),
      });
    }
  }

  async produceEvents(events: KeyUsageEventV1[]): Promise<void> {
    await this.produce(
      events.map((event) => ({
        key: event.key_id,
        value: JSON.stringify(event),
      })),
    );
  }

  /** Sum of total_queries over the given keys (or all keys). */
  async totalQueries(keyIds?: string[]): Promise<number> {
    const rows = await this.db
      .collection('api_key_usage_totals')
      .find(keyIds ? { _id: { $in: keyIds as never[] } } : {})
      .toArray();
    return rows.reduce((sum, row) => sum + Number(row['total_queries'] ?? 0), 0);
  }

  async bucketCount(collection: 'api_key_usage_hourly' | 'api_key_usage_daily'): Promise<number> {
    const rows = await this.db.collection(collection).find({}).toArray();
    return rows.reduce((sum, row) => sum + Number(row['count'] ?? 0), 0);
  }

  /** Drops the database, the topics, the consumer group and the BullMQ keys of the run. */
  async cleanUp(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.db.dropDatabase().catch(() => undefined);
    await this.mongo.close().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.run.group]).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.run.database));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    const redis = new Redis(stackEndpoints.redisUrl, {
      maxRetriesPerRequest: 1,
    });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.run.bullPrefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

/** A valid usage event; `at` defaults to now. */
export function usageEvent(keyId: string, overrides: Partial<KeyUsageEventV1> = {}): KeyUsageEventV1 {
  return {
    event_id: randomUUID(),
    type: KEY_USAGE_EVENT_TYPE,
    version: KEY_USAGE_EVENT_VERSION,
    occurred_at: new Date().toISOString(),
    key_id: keyId,
    user_id: `user-of-${keyId}`,
    service: 'cadip',
    method: 'GET',
    route: '/cadip/:station/session',
    status: 200,
    latency_ms: 12,
    ...overrides,
  };
}

/** Many events over `keys` keys, spread over partitions by key id. */
export function manyEvents(count: number, keys: number, prefix = 'key'): KeyUsageEventV1[] {
  return Array.from({ length: count }, (_, index) =>
    usageEvent(`${prefix}-${index % keys}`, {
      latency_ms: index % 50,
      status: index % 20 === 0 ? 500 : 200,
    }),
  );
}

/** Documents of a run's database, with the string ids the platform uses. */
export type StoredDocument = { _id: string; [field: string]: unknown };

/** A key document as the key store writes it: active, owned by `it-user`, expiring in 30 days; `overrides` on top. */
export function storedKey(overrides: Record<string, unknown> = {}): StoredDocument {
  const id = randomUUID();
  const now = new Date();
  return {
    _id: id,
    hash: `hash-${id}`,
    hint: 'rsk_test…',
    name: 'it',
    user_id: 'it-user',
    user_login: 'it-user',
    user_active: true,
    is_active: true,
    never_expire: false,
    expiration_date: new Date(now.getTime() + 30 * 24 * 3_600_000),
    created_at: now,
    latest_sync_date: now,
    iam_roles: [],
    config_json: '{}',
    allowed_referers: [],
    revoked_at: null,
    ...overrides,
  };
}

/** Distinct lifecycle events of `action` for a key: delivery is at least once, so consumers count event ids. */
export function distinctLifecycleEvents(
  recorder: TopicRecorder<KeyLifecycleEventV1>,
  keyId: string,
  action: KeyLifecycleAction,
): number {
  return new Set(
    recorder.messages
      .filter(({ value }) => value.key_id === keyId && value.action === action)
      .map(({ value }) => value.event_id),
  ).size;
}
