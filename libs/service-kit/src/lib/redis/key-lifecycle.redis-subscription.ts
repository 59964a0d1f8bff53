import type { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_CHANNEL, type KeyLifecycleEventV1, parseKeyLifecycleEvent } from '@rs/event-contracts';
import Redis from 'ioredis';
import { errorMessage } from '../retry.util';

/** The part of an ioredis client the subscription uses (a fake in tests). */
export interface RedisSubscribeClient {
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

export interface KeyLifecycleRedisSubscriptionOptions {
  redisUrl: string;
  logger: Logger;
  /** A client to use instead of one built from `redisUrl` (tests). */
  redis?: RedisSubscribeClient;
}

/**
 * Follows key lifecycle events on KEY_LIFECYCLE_CHANNEL (Redis pub/sub), the fast path beside the Kafka topic: a
 * dedicated connection (a subscribed ioredis client can do nothing else) that reconnects and resubscribes by itself.
 * Pub/sub keeps nothing, so events published while this is disconnected are missed here: the Kafka subscription
 * (which alone decides whether a cache is trusted) still delivers them, and handlers are idempotent.
 */
export class KeyLifecycleRedisSubscription {
  private readonly redis: RedisSubscribeClient;
  private failing = false;

  constructor(
    private readonly options: KeyLifecycleRedisSubscriptionOptions,
    private readonly onEvent: (event: KeyLifecycleEventV1) => void,
  ) {
    this.redis =
      options.redis ??
      new Redis(options.redisUrl, {
        lazyConnect: true,
        // The SUBSCRIBE waits in the offline queue until Redis is first reached; resubscription is automatic.
        maxRetriesPerRequest: null,
        connectTimeout: 1000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
  }

  start(): void {
    const { logger } = this.options;
    this.redis.on('message', (channel, message) => this.onMessage(channel, message));
    this.redis.on('ready', () => {
      this.failing = false;
      logger.log(`Listening to Redis channel ${KEY_LIFECYCLE_CHANNEL}`);
    });
    this.redis.on('error', (error) => {
      if (this.failing) return;
      this.failing = true;
      logger.warn(`Redis unreachable for lifecycle events (${errorMessage(error)}): Kafka alone delivers them`);
    });
    this.redis.subscribe(KEY_LIFECYCLE_CHANNEL).catch((error: unknown) => {
      logger.warn(`Could not subscribe to ${KEY_LIFECYCLE_CHANNEL}: ${errorMessage(error)}`);
    });
  }

  stop(): void {
    this.redis.disconnect();
  }

  /** Parses one message and hands a well-formed event to the handler; anything else is logged and dropped. */
  onMessage(channel: string, message: string): void {
    if (channel !== KEY_LIFECYCLE_CHANNEL) return;
    const parsed = parseKeyLifecycleEvent(message);
    if (!parsed.ok) {
      this.options.logger.warn(`Ignored a malformed key lifecycle event from Redis: ${parsed.reason}`);
      return;
    }
    try {
      this.onEvent(parsed.value);
    } catch (error) {
      this.options.logger.error(`Key lifecycle event from Redis not applied: ${errorMessage(error)}`);
    }
  }
}
