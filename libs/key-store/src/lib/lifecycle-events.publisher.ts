import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  KEY_LIFECYCLE_EVENT_TYPE,
  KEY_LIFECYCLE_EVENT_VERSION,
  KEY_LIFECYCLE_TOPIC,
  type KeyLifecycleAction,
  type KeyLifecycleEventV1,
} from '@rs/event-contracts';
import { MetricsService } from '@rs/service-kit';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { KEY_STORE_OPTIONS, type KeyStoreOptions } from './key-store.options';
import { OutboxEvent } from './event-outbox.schema';

export interface LifecycleChange {
  action: KeyLifecycleAction;
  key_id: string;
  user_id: string;
  actor: string;
  reason?: string;
  expiration_date?: Date | null;
}

const RELAY_INTERVAL_MS = 1000;
const RELAY_BATCH = 500;
const RELAY_SEND_TIMEOUT_MS = 5000;

/** Optional injection token: a kafkajs producer to use instead of the one built from the options (tests). */
export const LIFECYCLE_PRODUCER = Symbol('LIFECYCLE_PRODUCER');

/**
 * Publishes key lifecycle events with an outbox: each event is sent to Kafka and stored in MongoDB at the
 * same time, and the caller waits for Kafka's acknowledgement (at most EVENT_PUBLISH_TIMEOUT_MS) or, failing
 * that, for the stored copy. What Kafka did not acknowledge is re-sent by a relay loop, so a Kafka outage
 * delays events but never loses them (consumers dedupe by event_id). Callers publish only once the change
 * the event announces is stored, so a consumer that reacts at once reads the new state.
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

  constructor(
    @Inject(KEY_STORE_OPTIONS) private readonly options: KeyStoreOptions,
    @InjectModel(OutboxEvent.name) private readonly outbox: Model<OutboxEvent>,
    metrics: MetricsService,
    @Optional() @Inject(LIFECYCLE_PRODUCER) producer?: Producer,
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
  }

  onModuleInit(): void {
    this.relayTimer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    this.relayTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.relayTimer) clearInterval(this.relayTimer);
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Sends the events to Kafka and stores them in the outbox at once. Resolves when Kafka acknowledged them
   * within EVENT_PUBLISH_TIMEOUT_MS, otherwise once they are stored for the relay; rejects only when they
   * were neither acknowledged nor stored. The outbox copy of an acknowledged event is deleted afterwards,
   * off the caller's path (if that fails the relay sends it again: a harmless duplicate).
   */
  async publish(changes: LifecycleChange[]): Promise<void> {
    if (!changes.length) return;
    const now = new Date();
    const events = changes.map((change) => toEvent(change, now));
    const messages = events.map((event) => ({ id: event.event_id, key: event.key_id, payload: JSON.stringify(event) }));
    const delivered = this.deliver(messages);
    const stored = this.outbox
      .insertMany(
        messages.map((message) => ({
          _id: message.id,
          topic: KEY_LIFECYCLE_TOPIC,
          key: message.key,
          payload: message.payload,
          created_at: now,
        })),
      )
      .then(
        () => null,
        (error: unknown) => toError(error),
      );
    void Promise.all([delivered, stored]).then(([acknowledged, storeError]) => {
      if (acknowledged && !storeError) return this.forget(messages);
      return undefined;
    });
    if (await within(delivered, this.options.eventPublishTimeoutMs)) {
      this.published.inc({ path: 'direct' }, events.length);
      return;
    }
    const storeError = await stored;
    if (storeError) throw storeError;
    this.pending.inc(events.length);
  }

  async ping(): Promise<void> {
    await this.connect();
  }

  /** Sends what is left in the outbox, oldest first (entries of publishes still in progress excepted). */
  async relay(): Promise<number> {
    if (this.relaying) return 0;
    this.relaying = true;
    try {
      const settled = new Date(Date.now() - this.relayMinAgeMs);
      const waiting = await this.outbox
        .find({ created_at: { $lte: settled } })
        .sort({ created_at: 1 })
        .limit(RELAY_BATCH)
        .lean()
        .exec();
      if (!waiting.length) return 0;
      const messages = waiting.map((event) => ({ id: event._id, key: event.key, payload: event.payload }));
      const sent = await within(this.deliver(messages), RELAY_SEND_TIMEOUT_MS);
      if (!sent) return 0;
      await this.forget(messages);
      this.published.inc({ path: 'relay' }, waiting.length);
      return waiting.length;
    } catch (error) {
      this.logger.debug(`Outbox relay pass failed: ${toError(error).message}`);
      return 0;
    } finally {
      this.relaying = false;
    }
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

  /** Deletes the outbox copies of acknowledged events; a failure leaves them to the relay. */
  private async forget(messages: OutboxMessage[]): Promise<void> {
    try {
      await this.outbox.deleteMany({ _id: { $in: messages.map((m) => m.id) } });
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

function toEvent(change: LifecycleChange, now: Date): KeyLifecycleEventV1 {
  return {
    event_id: randomUUID(),
    type: KEY_LIFECYCLE_EVENT_TYPE,
    version: KEY_LIFECYCLE_EVENT_VERSION,
    occurred_at: now.toISOString(),
    action: change.action,
    key_id: change.key_id,
    user_id: change.user_id,
    actor: change.actor,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.expiration_date !== undefined ? { expiration_date: change.expiration_date?.toISOString() ?? null } : {}),
  };
}
