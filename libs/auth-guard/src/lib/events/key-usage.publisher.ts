import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { KEY_USAGE_TOPIC } from '@rs/event-contracts';
import { type Kafka, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { AUTH_KAFKA } from '../auth-guard.constants';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, type ResolvedKafkaOptions, resolveKafkaOptions } from '../auth-guard.options';
import { InlineProducer } from './inline-producer';
import { USAGE_FIELD_COUNT, type UsageFields } from './key-usage-fields.util';
import { ThreadedProducer, type UsageProducer } from './threaded-producer';

const MAX_RECONNECT_DELAY_MS = 10_000;
const SHUTDOWN_FLUSH_MS = 5_000;
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Sends key usage events to Kafka in batches (every `usageFlushIntervalMs` or `usageBatchSize` events),
 * keyed by key id. `record` only appends the request's raw fields to a buffer (UsageFields), so requests
 * never wait for Kafka nor build the event (event id, ISO time, JSON): that is done per batch, by the
 * producer. While Kafka is
 * unreachable events wait in the bounded buffer; beyond `usageBufferMax` new ones are dropped, counted
 * (auth_guard_usage_events_dropped_total) and logged. The buffer is flushed on shutdown. Batches are
 * built, encoded and sent by a @platformatic/kafka producer in a worker thread (ThreadedProducer), or on
 * this thread with the app's kafkajs client when `usageProducerThread: false` (InlineProducer).
 */
@Injectable()
export class KeyUsagePublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KeyUsagePublisher.name);
  private readonly options: ResolvedKafkaOptions | undefined;
  /** USAGE_FIELD_COUNT values per event, oldest first. */
  private buffer: UsageFields = [];
  private readonly serviceName: string;
  /** Length of a full batch in `buffer` (usageBatchSize events). */
  private readonly fullBatch: number;
  private flushScheduled = false;
  private producer?: UsageProducer;
  private connected = false;
  private sending?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private reconnectDelayMs = 500;
  private droppedSinceLog = 0;
  private lastDropLogAt = 0;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    @Optional() @Inject(AUTH_KAFKA) private readonly kafka: Kafka | null,
    private readonly metrics: AuthGuardMetrics,
  ) {
    // Usage events are about API keys: without them there is nothing to publish.
    this.options = options.kafka && options.apiKey !== false ? resolveKafkaOptions(options.kafka) : undefined;
    this.serviceName = options.serviceName;
    this.fullBatch = (this.options?.usageBatchSize ?? 0) * USAGE_FIELD_COUNT;
    metrics.observeUsageBuffer(() => this.bufferedCount);
  }

  get enabled(): boolean {
    return Boolean(this.kafka && this.options);
  }

  get bufferedCount(): number {
    return this.buffer.length / USAGE_FIELD_COUNT;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  onApplicationBootstrap(): void {
    if (!this.kafka || !this.options) return;
    this.producer = this.options.usageProducerThread
      ? new ThreadedProducer({ clientId: this.options.clientId, brokers: this.options.brokers, service: this.serviceName })
      : new InlineProducer(
          // The Java client's partitioner, so one key id lands in the same partition whoever produces it.
          this.kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 2, initialRetryTime: 200 }, createPartitioner: Partitioners.DefaultPartitioner }),
          this.serviceName,
        );
    this.timer = setInterval(() => void this.flush(), this.options.usageFlushIntervalMs);
    this.timer.unref();
    void this.connect();
  }

  /**
   * Queues the usage event of one response, as its raw fields (the event is built when its batch is sent);
   * never blocks and never throws. `route` is the route template; `occurredAt` epoch ms.
   */
  record(keyId: string, userId: string, method: string, route: string, status: number, latencyMs: number, occurredAt: number, correlationId?: string): void {
    if (!this.options || this.stopped) return;
    if (this.buffer.length >= this.options.usageBufferMax * USAGE_FIELD_COUNT) {
      this.drop(1);
      return;
    }
    // The event id is drawn when the event's batch is first cut (drain), not on the request.
    this.buffer.push(keyId, userId, method, route, status, latencyMs, occurredAt, correlationId, undefined);
    // One scheduled flush however many events arrive before it runs (e.g. while Kafka is down).
    if (!this.flushScheduled && this.buffer.length >= this.fullBatch) {
      this.flushScheduled = true;
      setImmediate(this.scheduledFlush);
    }
  }

  /** Sends what is buffered, one batch at a time (see drain); resolves once it is sent or Kafka failed. */
  flush(): Promise<void> {
    if (!this.sending) this.sending = this.drain().finally(() => (this.sending = undefined));
    return this.sending;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.producer) return;
    this.stopped = true;
    clearInterval(this.timer);
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
    while (this.buffer.length > 0 && this.connected && Date.now() < deadline) await this.flush();
    if (this.buffer.length > 0) this.logger.warn(`${this.bufferedCount} key usage event(s) not delivered at shutdown (Kafka unreachable)`);
    await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    // A drain in flight may have sent that full batch meanwhile: then what is left waits for the timer.
    if (this.buffer.length >= this.fullBatch) void this.flush();
  };

  /**
   * Sends what was buffered when the flush began, and any full batch: events recorded while a batch is in
   * flight wait for the next flush (the timer or a full batch) instead of following at once in a batch of
   * their own. Without that a busy service sends a continuous stream of small batches (one per round trip:
   * 23–37 events at ~1 500 requests/s in the bench), and the per-batch cost of the producer and the broker
   * (a produce request, its acknowledgement) is paid every few dozen events rather than every 500 ms.
   */
  private async drain(): Promise<void> {
    const options = this.options as ResolvedKafkaOptions;
    // Fields still to send of what was buffered when the flush began (only record() adds to the buffer).
    let due = this.buffer.length;
    while (this.connected && this.producer && (due > 0 || this.buffer.length >= this.fullBatch)) {
      const batch = this.buffer.splice(0, this.fullBatch);
      due -= batch.length;
      // Ids stay with the fields, so a batch sent again after a failure keeps its events' ids.
      for (let id = USAGE_FIELD_COUNT - 1; id < batch.length; id += USAGE_FIELD_COUNT) batch[id] ??= randomUUID();
      const events = batch.length / USAGE_FIELD_COUNT;
      try {
        await this.producer.send(KEY_USAGE_TOPIC, batch);
        this.metrics.usagePublished.inc(events);
      } catch (error) {
        // Put the batch back in front (order kept), within the bound.
        const room = Math.max(0, options.usageBufferMax - this.bufferedCount);
        this.buffer = room < events ? batch.slice(0, room * USAGE_FIELD_COUNT).concat(this.buffer) : batch.concat(this.buffer);
        if (room < events) this.drop(events - room);
        this.logger.warn(`Kafka unreachable, ${this.bufferedCount} key usage event(s) buffered: ${describe(error)}`);
        this.connected = false;
        void this.reconnect();
      }
    }
  }

  private async reconnect(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await sleep(this.reconnectDelayMs);
    await this.connect();
  }

  /** Connects in the background, retrying with backoff until it works or the app stops. */
  private async connect(): Promise<void> {
    while (!this.stopped && !this.connected && this.producer) {
      try {
        await this.producer.connect();
        if (this.stopped) {
          await this.producer.disconnect().catch(() => undefined);
          return;
        }
        this.connected = true;
        this.reconnectDelayMs = 500;
        this.logger.log('Connected to Kafka; publishing key usage events');
        void this.flush();
      } catch (error) {
        const message = `Kafka unreachable for key usage events (retry in ${this.reconnectDelayMs} ms): ${describe(error)}`;
        // Once per outage at warn level; the retries themselves at debug.
        if (this.reconnectDelayMs === 500) this.logger.warn(message);
        else this.logger.debug(message);
        await sleep(this.reconnectDelayMs);
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
  }

  private drop(count: number): void {
    this.metrics.usageDropped.inc(count);
    this.droppedSinceLog += count;
    const now = Date.now();
    if (now - this.lastDropLogAt >= DROP_LOG_INTERVAL_MS) {
      this.logger.error(`Key usage buffer full (${this.options?.usageBufferMax} events): dropped ${this.droppedSinceLog} event(s)`);
      this.droppedSinceLog = 0;
      this.lastDropLogAt = now;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
