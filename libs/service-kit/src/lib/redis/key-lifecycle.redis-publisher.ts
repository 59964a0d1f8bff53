import type { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_CHANNEL } from '@rs/event-contracts';
import Redis from 'ioredis';
import { errorMessage } from '../retry.util';

/** The part of an ioredis client the publisher uses (a fake in tests). */
export interface RedisPublishClient {
  publish(channel: string, message: string): Promise<number>;
  connect(): Promise<void>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface KeyLifecycleRedisPublisherOptions {
  redisUrl: string;
  logger: Logger;
  /** Called with the outcome of each publish (a metric). */
  onOutcome?: (outcome: 'sent' | 'failed') => void;
  /** A client to use instead of one built from `redisUrl` (tests). */
  redis?: RedisPublishClient;
}

/**
 * Publishes key lifecycle events on KEY_LIFECYCLE_CHANNEL, fire-and-forget: a failure never reaches the caller,
 * since Kafka delivers the same event anyway. Commands fail at once while Redis is down (no offline queue), so an
 * outage neither delays a key change nor piles up events; ioredis reconnects by itself.
 */
export class KeyLifecycleRedisPublisher {
  private readonly redis: RedisPublishClient;
  private failing = false;

  constructor(private readonly options: KeyLifecycleRedisPublisherOptions) {
    this.redis =
      options.redis ??
      new Redis(options.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1000,
        commandTimeout: 1000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
    // Failures are reported per publish, once per outage.
    this.redis.on('error', () => undefined);
  }

  start(): void {
    this.redis.connect().catch((error: unknown) => this.failed(error));
  }

  stop(): void {
    this.redis.disconnect();
  }

  /** Sends one event's JSON (the Kafka message value, unchanged); returns at once. */
  publish(payload: string): void {
    let sending: Promise<number>;
    try {
      sending = this.redis.publish(KEY_LIFECYCLE_CHANNEL, payload);
    } catch (error) {
      this.failed(error);
      return;
    }
    sending.then(
      () => this.sent(),
      (error: unknown) => this.failed(error),
    );
  }

  private sent(): void {
    this.options.onOutcome?.('sent');
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.log(`Redis reachable again: lifecycle events are published on ${KEY_LIFECYCLE_CHANNEL}`);
  }

  private failed(error: unknown): void {
    this.options.onOutcome?.('failed');
    if (this.failing) return;
    this.failing = true;
    this.options.logger.warn(
      `Redis unreachable for lifecycle events (${errorMessage(error)}): they reach replicas through Kafka only`,
    );
  }
}
