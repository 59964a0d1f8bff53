import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '@rs/service-kit';
import Redis from 'ioredis';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { throttleBucketOf } from './client-address.util';

/** A throttle's answer to one attempt: refused once the address's failures in the window exceed the limit. */
export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

const KEY_PREFIX = 'rs:check-failures:';

// Gives back an attempt that turned out valid, unless its window has ended meanwhile (no key without expiry).
const RELEASE_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0`;

/**
 * Counts failed key checks per client address in Redis (fixed window), so the limit holds across replicas; IPv6
 * clients are counted per /64. An attempt that may fail is counted before it is decided (`reserve`), atomically,
 * so a burst of parallel attempts cannot all read the count before any increments it.
 * Redis down → fail open: checks go on unthrottled, and the outage is logged and counted.
 */
@Injectable()
export class CheckRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(CheckRateLimiter.name);
  private readonly redis: Redis;
  private readonly redisErrors;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) private readonly config: KeyManagerConfig,
    metrics: MetricsService,
  ) {
    this.redis = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', () => undefined); // surfaced per call below
    this.redisErrors = metrics.counter(
      'key_check_rate_limit_errors_total',
      'Rate limiter calls that failed open because Redis was unavailable',
    );
    void this.redis.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  /**
   * Counts one attempt as a failure now, and says whether it may go on: at most CHECK_FAILURE_LIMIT attempts per
   * window get through. `release` gives the attempt back when it succeeds.
   */
  async reserve(address: string): Promise<RateLimitDecision> {
    const key = KEY_PREFIX + throttleBucketOf(address);
    try {
      const rows = await this.redis
        .multi()
        .incr(key)
        .expire(key, this.config.CHECK_FAILURE_WINDOW_SECONDS, 'NX')
        .ttl(key)
        .exec();
      const [count, , ttl] = (rows ?? []).map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      });
      return {
        allowed: (count ?? 0) <= this.config.CHECK_FAILURE_LIMIT,
        retryAfterSeconds: Math.max(1, ttl ?? 1),
      };
    } catch (error) {
      this.failOpen(error);
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }

  /** The attempt `reserve` counted succeeded: it is not a failure. */
  async release(address: string): Promise<void> {
    try {
      await this.redis.eval(RELEASE_SCRIPT, 1, KEY_PREFIX + throttleBucketOf(address));
    } catch (error) {
      this.failOpen(error);
    }
  }

  /** A failure of an attempt that was not reserved (a key refused without the throttle, e.g. from the cache). */
  async recordFailure(address: string): Promise<void> {
    const key = KEY_PREFIX + throttleBucketOf(address);
    try {
      await this.redis.multi().incr(key).expire(key, this.config.CHECK_FAILURE_WINDOW_SECONDS, 'NX').exec();
    } catch (error) {
      this.failOpen(error);
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  private failOpen(error: unknown): void {
    this.redisErrors.inc();
    this.logger.warn(
      `Rate limiter unavailable, failing open: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
