import type { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1, parseKeyLifecycleEvent } from '@rs/event-contracts';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Backoff, errorMessage, sleep } from '../retry.util';

const MAX_RETRY_DELAY_MS = 10_000;
/** Short fetch long-poll, so a holder of a cache notices a dead broker within seconds. */
const FETCH_MAX_WAIT_MS = 1000;

/** What a process that caches key answers does with the lifecycle stream. */
export interface KeyLifecycleHandlers {
  /** One well-formed event. */
  onEvent(event: KeyLifecycleEventV1): void;
  /** The consumer (re)joined: events may have been missed meanwhile, so cached answers are suspect. */
  onJoin(): void;
  /** A fetch or a heartbeat: events are flowing. */
  onActivity(): void;
  /** The consumer stopped: events no longer flow until the next join. */
  onStop(): void;
}

export interface KeyLifecycleSubscriptionOptions {
  kafka: Kafka;
  /** Prefix of the consumer group, e.g. `auth-guard.cadip`; the process adds host, pid and a random tag. */
  groupPrefix: string;
  logger: Logger;
  /** What the process does while Kafka is unreachable, said once in the outage warning. */
  meanwhile: string;
}

/**
 * Follows key lifecycle events for a process-local cache: a consumer group of its own per process (so every
 * replica sees every event), from the newest offset (its cache starts empty). Connects in the background
 * and retries with backoff, so the app starts and serves while Kafka is down; starts over when kafkajs
 * gives up after a crash.
 */
export class KeyLifecycleSubscription {
  readonly groupId: string;
  private consumer?: Consumer;
  private stopped = false;

  constructor(
    private readonly options: KeyLifecycleSubscriptionOptions,
    private readonly handlers: KeyLifecycleHandlers,
  ) {
    this.groupId = `${options.groupPrefix}.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.handlers.onStop();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: MAX_RETRY_DELAY_MS });
    while (!this.stopped) {
      const consumer = this.createConsumer();
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: KEY_LIFECYCLE_TOPIC, fromBeginning: false });
        await consumer.run({ eachMessage: (payload) => this.onMessage(payload) });
        this.consumer = consumer;
        // The app may have stopped while we were connecting.
        if (this.stopped) await consumer.disconnect().catch(() => undefined);
        return;
      } catch (error) {
        const delayMs = backoff.next();
        const message =
          `Kafka unreachable for key lifecycle events (retry in ${delayMs} ms; ${this.options.meanwhile}): ` +
          errorMessage(error);
        if (backoff.failures === 1) this.options.logger.warn(message);
        else this.options.logger.debug(message);
        await consumer.disconnect().catch(() => undefined);
        await sleep(delayMs);
      }
    }
  }

  private createConsumer(): Consumer {
    const { logger } = this.options;
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      // The topic is made by the deployment; a client that could create topics would also create typos.
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 300 },
    });
    const { GROUP_JOIN, FETCH, HEARTBEAT, CRASH, DISCONNECT, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, () => {
      this.handlers.onJoin();
      logger.log(`Listening to ${KEY_LIFECYCLE_TOPIC} as ${this.groupId}`);
    });
    consumer.on(FETCH, () => this.handlers.onActivity());
    consumer.on(HEARTBEAT, () => this.handlers.onActivity());
    consumer.on(DISCONNECT, () => this.handlers.onStop());
    consumer.on(STOP, () => this.handlers.onStop());
    consumer.on(CRASH, (event) => {
      this.handlers.onStop();
      const { error, restart } = event.payload;
      logger.warn(`Key lifecycle consumer stopped: ${errorMessage(error)}${restart ? ' (restarting)' : ''}`);
      if (!restart && !this.stopped) {
        void consumer.disconnect().catch(() => undefined);
        void this.connect();
      }
    });
    return consumer;
  }

  private async onMessage({ message }: EachMessagePayload): Promise<void> {
    this.handlers.onActivity();
    const parsed = parseKeyLifecycleEvent(message.value);
    if (!parsed.ok) {
      this.options.logger.warn(`Ignored a malformed key lifecycle event: ${parsed.reason}`);
      return;
    }
    this.handlers.onEvent(parsed.value);
  }
}
