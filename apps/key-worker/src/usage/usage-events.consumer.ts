import { errorMessage } from '@rs/service-kit';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { UsageAggregationService } from './usage-aggregation.service';
import { UsagePipeline } from './usage-pipeline';
import { USAGE_KAFKA } from './usage.constants';

const START_RETRY_MS = 2000;
const WRITE_RETRY_MS = 500;
const MAX_WRITE_RETRY_MS = 10_000;

/**
 * The usage topic's consumer group. Fetched batches are planned at once and written by a per-partition
 * pipeline (UsagePipeline) while the next fetch goes on; offsets are committed by hand once written (never
 * auto-committed), so a crash redelivers what was not committed and the watermarks make that a no-op.
 * kafkajs directly rather than @nestjs/microservices: its Kafka transport commits per message, and
 * micro-batching needs eachBatch.
 */
@Injectable()
export class UsageEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageEventsConsumer.name);
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | null = null;
  private stopping = false;
  private startTimer: NodeJS.Timeout | null = null;
  private joined = false;
  private readonly pipeline: UsagePipeline;

  constructor(
    @Inject(USAGE_KAFKA) kafka: Kafka,
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
    private readonly aggregation: UsageAggregationService,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.USAGE_CONSUMER_GROUP,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: config.USAGE_FLUSH_INTERVAL_MS,
      maxBytesPerPartition: config.USAGE_FETCH_MAX_BYTES_PER_PARTITION,
      maxBytes: config.USAGE_FETCH_MAX_BYTES_PER_PARTITION * config.USAGE_TOPIC_PARTITIONS,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.admin = kafka.admin();
    this.pipeline = new UsagePipeline(
      aggregation,
      {
        commit: (topic, partition, offset) =>
          this.consumer.commitOffsets([{ topic, partition, offset }]).catch((error: unknown) => {
            // The next commit of the partition covers it; a replay meanwhile is a no-op.
            this.logger.debug(`Offset commit of partition ${partition} failed: ${errorMessage(error)}`);
          }),
        seek: (topic, partition, offset) => {
          try {
            this.consumer.seek({ topic, partition, offset });
          } catch {
            // Not running: it will start from the committed offsets anyway.
          }
        },
      },
      {
        maxPending: config.USAGE_BATCH_SIZE,
        maxConcurrentWrites: config.USAGE_WRITE_CONCURRENCY,
        minWriteIntervalMs: config.USAGE_MIN_WRITE_INTERVAL_MS,
        retryDelayMs: WRITE_RETRY_MS,
        maxRetryDelayMs: MAX_WRITE_RETRY_MS,
        onWriteFailed: (partition, error, retryInMs) =>
          this.logger.warn(
            `Usage aggregates of partition ${partition} not written (${errorMessage(error)}); ` +
              `fetching it again from the last written offset in ${retryInMs} ms`,
          ),
      },
    );
    // The consumer starts over from the committed offsets, and whoever owned a partition before may have
    // written past our view of its documents.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.pipeline.reset();
      this.aggregation.forgetWatermarks();
      this.logger.log(`Joined ${config.USAGE_CONSUMER_GROUP}: partitions ${JSON.stringify(payload.memberAssignment)}`);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.logger.error(`Usage consumer crashed (${payload.error.message}); restart: ${payload.restart}`);
      // kafkajs gives up on non-retriable errors: start over with a fresh session.
      if (!payload.restart && !this.stopping) void this.consumer.disconnect().finally(() => this.scheduleStart());
    });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the worker serves /health and runs its jobs while Kafka is still starting.
    this.scheduleStart(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    // No new batches; what is planned is written and committed while the consumer is still in the group.
    try {
      this.consumer.pause([{ topic: this.config.USAGE_TOPIC }]);
    } catch {
      // not running
    }
    await this.whenWritten();
    await this.consumer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  /** Readiness: the broker answers. */
  async ping(): Promise<void> {
    await this.connectAdmin();
    await this.admin.describeCluster();
  }

  /** Resolves when every batch handed to the consumer so far is written (and committed, or failed). */
  whenWritten(): Promise<void> {
    return this.pipeline.drain();
  }

  /** True once the group assigned partitions to this replica. */
  isJoined(): boolean {
    return this.joined;
  }

  private scheduleStart(delayMs = START_RETRY_MS): void {
    this.startTimer = setTimeout(() => {
      void this.start().catch((error: unknown) => {
        if (this.stopping) return;
        this.logger.warn(`Usage consumer not started (${errorMessage(error)}); retrying`);
        this.scheduleStart();
      });
    }, delayMs);
  }

  private async start(): Promise<void> {
    await this.ensureTopics();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.config.USAGE_TOPIC, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.USAGE_PARTITIONS_CONCURRENCY,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** The usage topic (partitioned, so replicas share it) and the dead-letter topic, created when missing. */
  private async ensureTopics(): Promise<void> {
    await this.connectAdmin();
    const existing = new Set(await this.admin.listTopics());
    const missing = [this.config.USAGE_TOPIC, this.config.USAGE_DEAD_LETTER_TOPIC].filter(
      (topic) => !existing.has(topic),
    );
    if (!missing.length) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: topic === this.config.USAGE_TOPIC ? this.config.USAGE_TOPIC_PARTITIONS : 1,
        replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
      })),
    });
    this.logger.log(`Created topic(s) ${missing.join(', ')}`);
  }

  /** Plans the batch into its partition's pipeline, chunk by chunk; the writes and commits follow there. */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    // Stopping, or the partition was moved or rewound: leave the rest to whoever fetches it next.
    const gone = () => this.stopping || !isRunning() || isStale();
    for (let start = 0; start < messages.length; start += this.config.USAGE_BATCH_SIZE) {
      if (gone()) return;
      await this.pipeline.room(topic, partition);
      if (gone()) return;
      const chunk = messages.slice(start, start + this.config.USAGE_BATCH_SIZE);
      this.pipeline.add(topic, partition, chunk);
      // The fetch position only: offsets are committed by the pipeline once written (autoCommit is off).
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
    // Past control records (if any) after the last message.
    if (!batch.isEmpty() && !gone()) resolveOffset(batch.lastOffset());
  }

  private connectAdmin(): Promise<void> {
    this.adminConnected ??= this.admin.connect().catch((error: unknown) => {
      this.adminConnected = null;
      throw error;
    });
    return this.adminConnected;
  }
}
