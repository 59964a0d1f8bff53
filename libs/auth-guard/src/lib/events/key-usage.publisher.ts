import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { KEY_USAGE_TOPIC } from '@rs/event-contracts';
import { Backoff, errorMessage } from '@rs/service-kit';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { AUTH_KAFKA } from '../auth-guard.constants';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, type ResolvedKafkaOptions, resolveKafkaOptions } from '../auth-guard.options';
import { KeyUsageCounter } from './key-usage.counter';
import { encodeUsageDeltas } from './key-usage-delta.encoder';

const SHUTDOWN_FLUSH_MS = 5_000;
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Publishes the usage of API keys as per-key deltas: requests are counted in memory (KeyUsageCounter) and,
 * every `usageFlushIntervalMs` and at shutdown, what was counted since the last flush goes to Kafka as one
 * message per key and window, through the app's kafkajs client with an idempotent producer.
 *
 * While Kafka is unreachable the unsent deltas are kept as they are (same producer id and sequence, so a
 * send that reached the broker after all is recognised) and new requests keep being counted; the counter's
 * bound on distinct series is what limits memory.
 */
@Injectable()
export class KeyUsagePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyUsagePublisher.name);
  private readonly options: ResolvedKafkaOptions | undefined;
  private readonly serviceName: string;
  private readonly counter: KeyUsageCounter;
  /** Counts one answered request of a key (`now`: epoch ms); nothing while usage is not published. Never throws. */
  readonly record: KeyUsageCounter['record'];
  /** Names this process's windows in the deltas it publishes. */
  readonly producerId = randomUUID();
  private sequence = 0;
  /** Deltas taken from the counter and not acknowledged by Kafka yet. */
  private unsent: { messages: Message[]; requests: number } | null = null;
  private producer?: Producer;
  private connected = false;
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 10_000 });
  private nextAttemptAt = 0;
  private droppedSinceLog = 0;
  private lastDropLogAt = 0;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    @Optional() @Inject(AUTH_KAFKA) private readonly kafka: Kafka | null,
    private readonly metrics: AuthGuardMetrics,
  ) {
    // Usage is about API keys: without them there is nothing to publish.
    this.options = options.kafka && options.apiKey !== false ? resolveKafkaOptions(options.kafka) : undefined;
    this.serviceName = options.serviceName;
    this.counter = new KeyUsageCounter(this.options?.usageMaxSeries ?? 0, (requests) => this.drop(requests));
    this.record = this.options ? this.counter.record.bind(this.counter) : () => undefined;
    metrics.observeUsagePending(() => this.counter.seriesCount + (this.unsent?.messages.length ?? 0));
  }

  get enabled(): boolean {
    return Boolean(this.kafka && this.options);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  onApplicationBootstrap(): void {
    if (!this.kafka || !this.options) return;
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's partitioner, so one key id lands in the same partition whoever produces it.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 2, initialRetryTime: 200 },
    });
    this.timer = setInterval(() => void this.flush(), this.options.usageFlushIntervalMs);
    this.timer.unref();
    // Connects in the background: the service answers while Kafka is still starting.
    void this.flush();
  }

  /** Publishes what was counted so far; resolves once it is acknowledged or the attempt failed. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** The last flush: after the HTTP server closed (Nest's order), so the requests it finished are in it. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.producer) return;
    clearInterval(this.timer);
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
    this.nextAttemptAt = 0;
    await this.flush();
    while (this.unsent && Date.now() < deadline) {
      this.nextAttemptAt = 0;
      await this.flush();
    }
    if (this.unsent) {
      this.logger.warn(`${this.unsent.requests} request(s) of key usage not delivered at shutdown (Kafka unreachable)`);
    }
    await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }

  private async send(): Promise<void> {
    if (!this.producer || Date.now() < this.nextAttemptAt) return;
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
        this.logger.log('Connected to Kafka; publishing key usage events');
      }
      // A window is taken only once the previous one is delivered: deltas keep their identity across retries.
      this.unsent ??= this.takeWindows();
      if (!this.unsent) return;
      await this.producer.send({ topic: KEY_USAGE_TOPIC, messages: this.unsent.messages });
      this.metrics.usageDeltasPublished.inc(this.unsent.messages.length);
      this.metrics.usageRequestsPublished.inc(this.unsent.requests);
      this.unsent = null;
      this.backoff.reset();
    } catch (error) {
      const delay = this.backoff.next();
      this.nextAttemptAt = Date.now() + delay;
      const kept = this.unsent ? `usage of ${this.unsent.requests} request(s) kept` : 'usage kept';
      const message = `Kafka unreachable, ${kept} (retry in ${delay} ms): ${errorMessage(error)}`;
      // Once per outage at warn level; the retries at debug.
      if (this.backoff.failures === 1) this.logger.warn(message);
      else this.logger.debug(message);
    }
  }

  private takeWindows(): { messages: Message[]; requests: number } | null {
    const windows = this.counter.take();
    if (!windows.length) return null;
    let requests = 0;
    const messages: Message[] = [];
    for (const window of windows) {
      const encoded = encodeUsageDeltas(window, {
        producerId: this.producerId,
        sequence: ++this.sequence,
        service: this.serviceName,
      });
      messages.push(...encoded.messages);
      requests += encoded.requests;
    }
    return { messages, requests };
  }

  private drop(requests: number): void {
    this.metrics.usageRequestsDropped.inc(requests);
    this.droppedSinceLog += requests;
    const now = Date.now();
    if (now - this.lastDropLogAt >= DROP_LOG_INTERVAL_MS) {
      this.logger.error(
        `Key usage not counted for ${this.droppedSinceLog} request(s): ` +
          `${this.options?.usageMaxSeries} series held (Kafka unreachable?)`,
      );
      this.droppedSinceLog = 0;
      this.lastDropLogAt = now;
    }
  }
}
