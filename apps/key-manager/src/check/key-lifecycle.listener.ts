import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { KEY_EVICTING_ACTIONS, KEY_USER_ACTIONS, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { LifecycleEventsPublisher } from '@rs/key-store';
import { type KeyLifecycleHandlers, KeyLifecycleRedisSubscription, KeyLifecycleSubscription } from '@rs/service-kit';
import type { Kafka } from 'kafkajs';
import { KEY_CHECK_KAFKA, KEY_CHECK_REDIS_URL } from './key-check.constants';
import { KeyRecordCache } from './key-record-cache';

/**
 * Keeps the key manager's KeyRecordCache in step with key lifecycle events, the way the guards keep theirs
 * (every replica sees every event), and with the events this process publishes as it publishes them (so the
 * replica that revoked a key refuses it at once). Other replicas' events also come through Redis pub/sub, which
 * does not wait for a Kafka partition leader; a copy arriving by both paths evicts twice, harmlessly. The cache
 * serves nothing until the Kafka subscription has joined, and is dropped on every (re)join.
 */
@Injectable()
export class KeyLifecycleListener implements KeyLifecycleHandlers, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyLifecycleListener.name);
  readonly subscription?: KeyLifecycleSubscription;
  readonly fastPath?: KeyLifecycleRedisSubscription;
  private stopLocalEvents?: () => void;

  constructor(
    private readonly cache: KeyRecordCache,
    @Optional() @Inject(KEY_CHECK_KAFKA) kafka: Kafka | null,
    @Optional() private readonly publisher?: LifecycleEventsPublisher,
    @Optional() @Inject(KEY_CHECK_REDIS_URL) redisUrl?: string | null,
  ) {
    if (kafka) {
      this.subscription = new KeyLifecycleSubscription(
        { kafka, groupPrefix: 'key-manager.check', logger: this.logger, meanwhile: 'checks read the database' },
        this,
      );
    }
    if (redisUrl) {
      this.fastPath = new KeyLifecycleRedisSubscription({ redisUrl, logger: this.logger }, (event) =>
        this.onEvent(event),
      );
    }
  }

  onApplicationBootstrap(): void {
    this.stopLocalEvents = this.publisher?.onLocalEvent((event) => this.onEvent(event));
    this.subscription?.start();
    this.fastPath?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopLocalEvents?.();
    this.fastPath?.stop();
    this.cache.markStopped();
    await this.subscription?.stop();
  }

  /** Applies one lifecycle event: every action that can change a check's answer evicts. */
  onEvent(event: KeyLifecycleEventV1): void {
    // `created` names the key by id, not hash: forget every unknown hash so the new key is never refused.
    if (event.action === 'created') this.cache.forgetUnknown();
    if (!KEY_EVICTING_ACTIONS.includes(event.action)) return;
    const evicted =
      this.cache.evictKeyId(event.key_id) +
      (KEY_USER_ACTIONS.includes(event.action) ? this.cache.evictUser(event.user_id) : 0);
    if (evicted > 0) this.logger.debug(`Evicted ${evicted} cached record(s) of key ${event.key_id} (${event.action})`);
  }

  onJoin(): void {
    this.cache.markListening();
  }

  onActivity(): void {
    this.cache.markActivity();
  }

  onStop(): void {
    this.cache.markStopped();
  }
}
