import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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

/**
 * Publishes key lifecycle events with an outbox: each event is first stored in MongoDB, then sent to
 * Kafka within a short bounded wait. What Kafka did not acknowledge in time is re-sent by a relay
 * loop, so a Kafka outage delays events but never loses them (consumers dedupe by event_id).
 */
@Injectable()
export class LifecycleEventsPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleEventsPublisher.name);
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;
  private relayTimer: NodeJS.Timeout | null = null;
  private relaying = false;
  private readonly published;
  private readonly pending;

  constructor(
    @Inject(KEY_STORE_OPTIONS) private readonly options: KeyStoreOptions,
    @InjectModel(OutboxEvent.name) private readonly outbox: Model<OutboxEvent>,
    metrics: MetricsService,
  ) {
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.kafkaBrokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 1000,
      requestTimeout: 5000,
    });
    this.producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false });
    this.published = metrics.counter('key_lifecycle_events_published_total', 'Lifecycle events acknowledged by Kafka', ['path']);
    this.pending = metrics.counter('key_lifecycle_events_deferred_total', 'Lifecycle events left to the outbox relay (Kafka slow or down)');
  }

  onModuleInit(): void {
    this.relayTimer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    this.relayTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.relayTimer) clearInterval(this.relayTimer);
    await this.producer.disconnect().catch(() => undefined);
  }

  /** Stores the events durably, then tries Kafka for at most EVENT_PUBLISH_TIMEOUT_MS. */
  async publish(changes: LifecycleChange[]): Promise<void> {
    if (!changes.length) return;
    const now = new Date();
    const events = changes.map((change) => toEvent(change, now));
    await this.outbox.insertMany(
      events.map((event) => ({ _id: event.event_id, topic: KEY_LIFECYCLE_TOPIC, key: event.key_id, payload: JSON.stringify(event), created_at: now })),
    );
    const sent = await this.sendWithin(
      events.map((event) => ({ id: event.event_id, key: event.key_id, payload: JSON.stringify(event) })),
      this.options.eventPublishTimeoutMs,
    );
    if (sent) this.published.inc({ path: 'direct' }, events.length);
    else this.pending.inc(events.length);
  }

  async ping(): Promise<void> {
    await this.connect();
  }

  /** Sends what is left in the outbox, oldest first. */
  async relay(): Promise<number> {
    if (this.relaying) return 0;
    this.relaying = true;
    try {
      const waiting = await this.outbox.find().sort({ created_at: 1 }).limit(RELAY_BATCH).lean().exec();
      if (!waiting.length) return 0;
      const sent = await this.sendWithin(
        waiting.map((event) => ({ id: event._id, key: event.key, payload: event.payload })),
        5000,
      );
      if (sent) this.published.inc({ path: 'relay' }, waiting.length);
      return sent ? waiting.length : 0;
    } catch (error) {
      this.logger.debug(`Outbox relay pass failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    } finally {
      this.relaying = false;
    }
  }

  private async sendWithin(messages: Array<{ id: string; key: string; payload: string }>, timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const send = (async () => {
      await this.connect();
      await this.producer.send({ topic: KEY_LIFECYCLE_TOPIC, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.payload })) });
      await this.outbox.deleteMany({ _id: { $in: messages.map((m) => m.id) } });
      return true;
    })().catch((error: unknown) => {
      // Force a fresh connect next time: kafkajs does not always recover a producer after a broker loss.
      this.connected = null;
      this.logger.warn(`Lifecycle events deferred to the outbox: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    });
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([send, timeout]);
    } finally {
      clearTimeout(timer);
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
