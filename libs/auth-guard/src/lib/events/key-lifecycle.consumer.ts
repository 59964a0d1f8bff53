import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { KEY_EVICTING_ACTIONS, KEY_USER_ACTIONS, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { type DomainError, expiredKeyError, revokedKeyError } from '@rs/key-domain';
import { type KeyLifecycleHandlers, KeyLifecycleRedisSubscription, KeyLifecycleSubscription } from '@rs/service-kit';
import type { Kafka } from 'kafkajs';
import { AUTH_KAFKA } from '../auth-guard.constants';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import { ApiKeyVerifier } from '../api-key/api-key.verifier';
import { KeyEventsStatus } from './key-events.status';

/**
 * Actions after which a cached key is refused locally, with the key manager's own error, until its cache
 * entry expires. Safe because an event older than the cached state is ignored (state_version: the outbox
 * relay may deliver a deferred event after a later one), a later `renewed` evicts the entry, and every
 * (re)join drops the cache. Other actions evict and let the key manager
 * decide: user actions (disabled, enabled, roles changed, deleted) every key of the user.
 */
const REFUSALS: Partial<Record<KeyLifecycleEventV1['action'], () => DomainError>> = {
  revoked: revokedKeyError,
  expired: expiredKeyError,
};

/**
 * Consumes key lifecycle events and, at once, refuses the cached checks of revoked or expired keys and
 * evicts those of renewed or deleted keys (and every key of a disabled user). After each (re)join the whole
 * cache is dropped, since events may have been missed meanwhile; while Kafka is down, cached checks live
 * only the short TTL (KeyEventsStatus). With a Redis (the quota store's), the same events also arrive through
 * Redis pub/sub, which does not wait for a Kafka partition leader; only Kafka decides whether the cache is trusted.
 */
@Injectable()
export class KeyLifecycleConsumer implements KeyLifecycleHandlers, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyLifecycleConsumer.name);
  readonly subscription?: KeyLifecycleSubscription;
  readonly fastPath?: KeyLifecycleRedisSubscription;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    @Optional() @Inject(AUTH_KAFKA) kafka: Kafka | null,
    private readonly verifier: ApiKeyVerifier,
    private readonly status: KeyEventsStatus,
    private readonly metrics: AuthGuardMetrics,
  ) {
    if (kafka && verifier.enabled) {
      this.subscription = new KeyLifecycleSubscription(
        {
          kafka,
          groupPrefix: `auth-guard.${options.serviceName}`,
          logger: this.logger,
          meanwhile: 'cached keys live at most the short TTL',
        },
        this,
      );
    }
    if (options.quota && verifier.enabled) {
      this.fastPath = new KeyLifecycleRedisSubscription(
        { redisUrl: options.quota.redisUrl, logger: this.logger },
        (event) => this.onEvent(event),
      );
    }
  }

  onApplicationBootstrap(): void {
    this.subscription?.start();
    this.fastPath?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.fastPath?.stop();
    this.status.markStopped();
    await this.subscription?.stop();
  }

  /**
   * Applies one lifecycle event, from Kafka or Redis (also called by tests). An event no newer than the key's cached
   * state is ignored: a `revoked` relayed late must not refuse a renewed key, and the second copy of an event that
   * came by both paths changes nothing.
   */
  onEvent(event: KeyLifecycleEventV1): void {
    if (!KEY_EVICTING_ACTIONS.includes(event.action)) return;
    const version = typeof event.state_version === 'number' ? event.state_version : undefined;
    if (version !== undefined && this.verifier.holdsVersion(event.key_id, version)) {
      this.logger.debug(`Ignored ${event.action} of key ${event.key_id} (version ${version}): the cache is newer`);
      return;
    }
    const refusal = REFUSALS[event.action];
    const evicted = refusal
      ? // The key manager would refuse it too: refusing here saves that call and the time it takes.
        this.verifier.refuseKeyId(event.key_id, refusal, version)
      : KEY_USER_ACTIONS.includes(event.action)
        ? this.verifier.evictUser(event.user_id) + this.verifier.evictKeyId(event.key_id)
        : this.verifier.evictKeyId(event.key_id);
    this.metrics.evictions.inc({ action: event.action }, evicted);
    if (evicted > 0)
      this.logger.log(
        `${refusal ? 'Refused' : 'Evicted'} ${evicted} cached check(s) of key ${event.key_id} (${event.action})`,
      );
  }

  onJoin(): void {
    this.verifier.clear();
    this.status.markListening();
  }

  onActivity(): void {
    this.status.markActivity();
  }

  onStop(): void {
    this.status.markStopped();
  }
}
