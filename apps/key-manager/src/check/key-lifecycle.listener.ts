import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import {
  KEY_EVICTING_ACTIONS,
  KEY_LIFECYCLE_TOPIC,
  type KeyLifecycleEventV1,
  parseKeyLifecycleEvent,
} from '@rs/event-contracts';
import { Backoff, errorMessage, sleep } from '@rs/service-kit';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { KEY_CHECK_KAFKA } from './key-check.constants';
import { KeyRecordCache } from './key-record-cache';

const MAX_RETRY_DELAY_MS = 10_000;
/** Short fetch long-poll, so the cache notices a dead broker within seconds. */
const FETCH_MAX_WAIT_MS = 1000;

/**
 * Keeps the key manager's KeyRecordCache in step with key lifecycle events, the way the guards keep theirs:
 * its own consumer group per process (every replica sees every event), newest offset, the whole cache
 * dropped on every (re)join. Connects in the background and retries; meanwhile the cache serves nothing.
 */
@Injectable()
export class KeyLifecycleListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyLifecycleListener.name);
  readonly groupId = `key-manager.check.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
  private consumer?: Consumer;
  private stopped = false;

  constructor(
    private readonly cache: KeyRecordCache,
    @Optional() @Inject(KEY_CHECK_KAFKA) private readonly kafka: Kafka | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.kafka) void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.cache.markStopped();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Applies one lifecycle event: every action that can change a check's answer evicts. */
  handle(event: KeyLifecycleEventV1): void {
    // `created` names the key by id, not hash: forget every unknown hash so the new key is never refused.
    if (event.action === 'created') this.cache.forgetUnknown();
    if (!KEY_EVICTING_ACTIONS.includes(event.action)) return;
    const evicted =
      this.cache.evictKeyId(event.key_id) +
      (event.action === 'user_disabled' ? this.cache.evictUser(event.user_id) : 0);
    if (evicted > 0) this.logger.debug(`Evicted ${evicted} cached record(s) of key ${event.key_id} (${event.action})`);
  }

  private async start(): Promise<void> {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: MAX_RETRY_DELAY_MS });
    while (!this.stopped) {
      const consumer = this.createConsumer();
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: KEY_LIFECYCLE_TOPIC, fromBeginning: false });
        await consumer.run({ eachMessage: (payload) => this.onMessage(payload) });
        this.consumer = consumer;
        if (this.stopped) await consumer.disconnect().catch(() => undefined);
        return;
      } catch (error) {
        const delayMs = backoff.next();
        const message =
          `Kafka unreachable for key lifecycle events (retry in ${delayMs} ms; ` +
          `checks read the database meanwhile): ${errorMessage(error)}`;
        if (backoff.failures === 1) this.logger.warn(message);
        else this.logger.debug(message);
        await consumer.disconnect().catch(() => undefined);
        await sleep(delayMs);
      }
    }
  }

  private createConsumer(): Consumer {
    const consumer = (this.kafka as Kafka).consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: true,
      retry: { retries: 5, initialRetryTime: 300 },
    });
    const { GROUP_JOIN, FETCH, HEARTBEAT, CRASH, DISCONNECT, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, () => {
      this.cache.markListening();
      this.logger.log(`Listening to ${KEY_LIFECYCLE_TOPIC} as ${this.groupId}`);
    });
    consumer.on(FETCH, () => this.cache.markActivity());
    consumer.on(HEARTBEAT, () => this.cache.markActivity());
    consumer.on(DISCONNECT, () => this.cache.markStopped());
    consumer.on(STOP, () => this.cache.markStopped());
    consumer.on(CRASH, (event) => {
      this.cache.markStopped();
      const { error, restart } = event.payload;
      this.logger.warn(`Key lifecycle listener stopped: ${errorMessage(error)}${restart ? ' (restarting)' : ''}`);
      if (!restart && !this.stopped) {
        void consumer.disconnect().catch(() => undefined);
        void this.start();
      }
    });
    return consumer;
  }

  private async onMessage({ message }: EachMessagePayload): Promise<void> {
    this.cache.markActivity();
    const parsed = parseKeyLifecycleEvent(message.value);
    if (!parsed.ok) {
      this.logger.warn(`Ignored a malformed key lifecycle event: ${parsed.reason}`);
      return;
    }
    this.handle(parsed.value);
  }
}
