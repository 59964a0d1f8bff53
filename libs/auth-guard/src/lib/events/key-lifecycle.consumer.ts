import { Backoff, errorMessage, sleep } from '@rs/service-kit';
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
import { type DomainError, expiredKeyError, revokedKeyError } from '@rs/key-domain';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AUTH_KAFKA } from '../auth-guard.constants';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import { ApiKeyVerifier } from '../api-key/api-key.verifier';
import { KeyEventsStatus } from './key-events.status';

const MAX_RETRY_DELAY_MS = 10_000;
/** Short fetch long-poll: lets KeyEventsStatus notice a dead broker within seconds. */
const FETCH_MAX_WAIT_MS = 1000;
/**
 * Actions after which a cached key is refused locally, with the key manager's own error, until its cache
 * entry expires. Safe because one key's events stay in order (key id is the message key), a later
 * `renewed` evicts the entry, and every (re)join drops the cache. Other actions evict: `user_disabled`
 * because a re-enabled user sends no event, `renewed` and `deleted` because the key manager decides.
 */
const REFUSALS: Partial<Record<KeyLifecycleEventV1['action'], () => DomainError>> = {
  revoked: revokedKeyError,
  expired: expiredKeyError,
};

/**
 * Consumes key lifecycle events and, at once, refuses the cached checks of revoked or expired keys and
 * evicts those of renewed or deleted keys (and every key of a disabled user). Every process is its own consumer group, so each one sees
 * every event; it starts at the newest offset (its cache starts empty). Connects in the background and
 * retries, so the app starts and serves (with a short cache life) while Kafka is down. After each
 * (re)join the whole cache is dropped, since events may have been missed meanwhile.
 */
@Injectable()
export class KeyLifecycleConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyLifecycleConsumer.name);
  readonly groupId: string;
  private consumer?: Consumer;
  private stopped = false;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) private readonly options: AuthGuardOptions,
    @Optional() @Inject(AUTH_KAFKA) private readonly kafka: Kafka | null,
    private readonly verifier: ApiKeyVerifier,
    private readonly status: KeyEventsStatus,
    private readonly metrics: AuthGuardMetrics,
  ) {
    this.groupId = `auth-guard.${options.serviceName}.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
  }

  onApplicationBootstrap(): void {
    if (!this.kafka || !this.verifier.enabled) return;
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.status.markStopped();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Applies one lifecycle event (exposed for tests and for callers that receive events another way). */
  handle(event: KeyLifecycleEventV1): void {
    if (!KEY_EVICTING_ACTIONS.includes(event.action)) return;
    const refusal = REFUSALS[event.action];
    const evicted = refusal
      ? // The key manager would refuse it too: refusing here saves that call and the time it takes.
        this.verifier.refuseKeyId(event.key_id, refusal)
      : event.action === 'user_disabled'
        ? this.verifier.evictUser(event.user_id) + this.verifier.evictKeyId(event.key_id)
        : this.verifier.evictKeyId(event.key_id);
    this.metrics.evictions.inc({ action: event.action }, evicted);
    if (evicted > 0)
      this.logger.log(
        `${refusal ? 'Refused' : 'Evicted'} ${evicted} cached check(s) of key ${event.key_id} (${event.action})`,
      );
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
        // The app may have stopped while we were connecting.
        if (this.stopped) await consumer.disconnect().catch(() => undefined);
        return;
      } catch (error) {
        const delayMs = backoff.next();
        const message =
          `Kafka unreachable for key lifecycle events (retry in ${delayMs} ms; cached keys live at most ` +
          `the short TTL meanwhile): ${errorMessage(error)}`;
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
      this.verifier.clear();
      this.status.markListening();
      this.logger.log(`Listening to ${KEY_LIFECYCLE_TOPIC} as ${this.groupId}`);
    });
    consumer.on(FETCH, () => this.status.markActivity());
    consumer.on(HEARTBEAT, () => this.status.markActivity());
    consumer.on(DISCONNECT, () => this.status.markStopped());
    consumer.on(STOP, () => this.status.markStopped());
    consumer.on(CRASH, (event) => {
      this.status.markStopped();
      const { error, restart } = event.payload;
      this.logger.warn(`Key lifecycle consumer stopped: ${errorMessage(error)}${restart ? ' (restarting)' : ''}`);
      if (!restart && !this.stopped) {
        void consumer.disconnect().catch(() => undefined);
        void this.start();
      }
    });
    return consumer;
  }

  private async onMessage({ message }: EachMessagePayload): Promise<void> {
    this.status.markActivity();
    const parsed = parseKeyLifecycleEvent(message.value);
    if (!parsed.ok) {
      this.logger.warn(`Ignored a malformed key lifecycle event: ${parsed.reason}`);
      return;
    }
    this.handle(parsed.value);
  }
}
