import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1, parseKeyLifecycleEvent } from '@rs/event-contracts';
import { KeyLifecycleRedisPublisher, MetricsService } from '@rs/service-kit';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { PendingLifecycleEvent } from './api-key.schema';
import { ApiKeysRepository } from './api-keys.repository';
import { KEY_STORE_OPTIONS, type KeyStoreOptions } from './key-store.options';
import { OutboxEvent } from './event-outbox.schema';

const RELAY_INTERVAL_MS = 1000;
const RELAY_BATCH = 500;
const RELAY_SEND_TIMEOUT_MS = 5000;

/** Optional injection token: a kafkajs producer to use instead of the one built from the options (tests). */
export const LIFECYCLE_PRODUCER = Symbol('LIFECYCLE_PRODUCER');

/** What carries each event at once beside Kafka (KeyLifecycleRedisPublisher); never throws. */
export interface LifecycleFastPath {
  start(): void;
  stop(): void;
  publish(payload: string): void;
}

/** Optional injection token: a fast path to use instead of the one built from `redisUrl` (tests). */
export const LIFECYCLE_FAST_PATH = Symbol('LIFECYCLE_FAST_PATH');

/**
 * Publishes key lifecycle events from their outbox: each event is stored on its key document in the same write
 * as the change it announces (ApiKeysRepository), then sent here at once; the caller waits for Kafka's
 * acknowledgement at most EVENT_PUBLISH_TIMEOUT_MS. What Kafka did not acknowledge stays on the key and is
 * re-sent by a relay loop, so a Kafka outage or a crash delays events but never loses them (consumers dedupe by
 * event_id, and ignore an event older than the key state they hold by its state_version). With `redisUrl`, each
 * event is also published on Redis pub/sub as it is known, best effort: a Kafka partition without a leader (a
 * broker lost) then delays nothing, since every replica also listens there.
 */
@Injectable()
export class LifecycleEventsPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleEventsPublisher.name);
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;
  private relayTimer: NodeJS.Timeout | null = null;
  private relaying = false;
  /** Outbox entries younger than this are still in the hands of the publish that stored them. */
  private readonly relayMinAgeMs: number;
  private readonly published;
  private readonly pending;
  private readonly localListeners = new Set<(event: KeyLifecycleEventV1) => void>();
  private readonly fastPath?: LifecycleFastPath;

  constructor(
    @Inject(KEY_STORE_OPTIONS) private readonly options: KeyStoreOptions,
    @InjectModel(OutboxEvent.name) private readonly outbox: Model<OutboxEvent>,
    private readonly keys: ApiKeysRepository,
    metrics: MetricsService,
    @Optional() @Inject(LIFECYCLE_PRODUCER) producer?: Producer,
    @Optional() @Inject(LIFECYCLE_FAST_PATH) fastPath?: LifecycleFastPath,
  ) {
    this.producer =
      producer ??
      new Kafka({
        clientId: options.clientId,
        brokers: options.kafkaBrokers,
        ...options.kafkaSecurity,
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
        connectionTimeout: 1000,
        requestTimeout: 5000,
      }).producer({ allowAutoTopicCreation: false, idempotent: false });
    this.relayMinAgeMs = options.eventPublishTimeoutMs + RELAY_INTERVAL_MS;
    this.published = metrics.counter('key_lifecycle_events_published_total', 'Lifecycle events acknowledged by Kafka', [
      'path',
    ]);
    this.pending = metrics.counter(
      'key_lifecycle_events_deferred_total',
      'Lifecycle events left to the outbox relay (Kafka slow or down)',
    );
    const fastPathOutcomes = metrics.counter(
      'key_lifecycle_events_fast_path_total',
      'Lifecycle events published on Redis pub/sub beside Kafka, by outcome (sent, failed)',
      ['outcome'],
    );
    this.fastPath =
      fastPath ??
      (options.redisUrl
        ? new KeyLifecycleRedisPublisher({
            redisUrl: options.redisUrl,
            logger: this.logger,
            onOutcome: (outcome) => fastPathOutcomes.inc({ outcome }),
          })
        : undefined);
  }

  onModuleInit(): void {
    this.fastPath?.start();
    this.relayTimer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    this.relayTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.relayTimer) clearInterval(this.relayTimer);
    this.fastPath?.stop();
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Sends events already stored on their keys. Resolves when Kafka acknowledged them within
   * EVENT_PUBLISH_TIMEOUT_MS, or at the timeout, leaving them to the relay; never rejects, since they are
   * stored. The stored copies of acknowledged events are removed afterwards, off the caller's path (if that
   * fails the relay sends them again: a harmless duplicate).
   */
  async publish(events: readonly PendingLifecycleEvent[]): Promise<void> {
    if (!events.length) return;
    // Before Kafka, and not awaited: the fast path must never hold up or fail the key change.
    for (const event of events) this.fastPath?.publish(event.payload);
    this.announceLocally(events);
    const messages = events.map((event) => ({ id: event.event_id, key: event.key_id, payload: event.payload }));
    const delivered = this.deliver(messages);
    void delivered.then((acknowledged) => (acknowledged ? this.forget(events) : undefined));
    if (await within(delivered, this.options.eventPublishTimeoutMs)) {
      this.published.inc({ path: 'direct' }, events.length);
      return;
    }
    this.pending.inc(events.length);
  }

  /**
   * Calls `listener` with every event this process publishes, as it publishes it: a cache of this process is
   * then right at once, without waiting for the event to come back from Kafka. Returns the unsubscribe.
   */
  onLocalEvent(listener: (event: KeyLifecycleEventV1) => void): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  private announceLocally(events: readonly PendingLifecycleEvent[]): void {
    if (!this.localListeners.size) return;
    for (const { payload } of events) {
      const parsed = parseKeyLifecycleEvent(payload);
      if (parsed.ok) for (const listener of this.localListeners) listener(parsed.value);
    }
  }

  async ping(): Promise<void> {
    await this.connect();
  }

  /**
   * Sends what is left on the keys, each key's events in the order they were stored (publishes still in
   * progress excepted), then what an earlier release left in the event_outbox collection.
   */
  async relay(): Promise<number> {
    if (this.relaying) return 0;
    this.relaying = true;
    try {
      const settled = new Date(Date.now() - this.relayMinAgeMs);
      const waiting = await this.keys.findPendingEvents(settled, RELAY_BATCH);
      if (waiting.length) {
        const messages = waiting.map((event) => ({ id: event.event_id, key: event.key_id, payload: event.payload }));
        if (!(await within(this.deliver(messages), RELAY_SEND_TIMEOUT_MS))) return 0;
        await this.forget(waiting);
        this.published.inc({ path: 'relay' }, waiting.length);
      }
      return waiting.length + (await this.relayOutboxCollection(settled));
    } catch (error) {
      this.logger.debug(`Outbox relay pass failed: ${toError(error).message}`);
      return 0;
    } finally {
      this.relaying = false;
    }
  }

  /** Events stored in the event_outbox collection, before events lived on their keys. */
  private async relayOutboxCollection(settled: Date): Promise<number> {
    const waiting = await this.outbox
      .find({ created_at: { $lte: settled } })
      .sort({ created_at: 1 })
      .limit(RELAY_BATCH)
      .lean()
      .exec();
    if (!waiting.length) return 0;
    const messages = waiting.map((event) => ({ id: event._id, key: event.key, payload: event.payload }));
    if (!(await within(this.deliver(messages), RELAY_SEND_TIMEOUT_MS))) return 0;
    await this.outbox.deleteMany({ _id: { $in: messages.map((m) => m.id) } });
    this.published.inc({ path: 'relay' }, waiting.length);
    return waiting.length;
  }

  /** Sends to Kafka (all in-sync replicas acknowledge); true once acknowledged, false on failure. Never rejects. */
  private async deliver(messages: OutboxMessage[]): Promise<boolean> {
    try {
      await this.connect();
      await this.producer.send({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.payload })),
      });
      return true;
    } catch (error) {
      // Force a fresh connect next time: kafkajs does not always recover a producer after a broker loss.
      this.connected = null;
      this.logger.warn(`Lifecycle events deferred to the outbox: ${toError(error).message}`);
      return false;
    }
  }

  /** Removes the stored copies of acknowledged events; a failure leaves them to the relay. */
  private async forget(events: readonly PendingLifecycleEvent[]): Promise<void> {
    try {
      await this.keys.forgetPendingEvents(events);
    } catch (error) {
      this.logger.debug(`Outbox cleanup failed (the relay re-sends those events): ${toError(error).message}`);
    }
  }

  private connect(): Promise<void> {
    if (!this.connected) {
      this.connected = this.producer.connect().catch((error: unknown) => {
        this.connected = null;
        throw error;
      });
    }
    return this.connected;
  }
}

interface OutboxMessage {
  id: string;
  key: string;
  payload: string;
}

/** What `promise` resolved to, or false if that took longer than `timeoutMs`. */
async function within(promise: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
