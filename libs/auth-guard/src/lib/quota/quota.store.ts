import Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

/** The two windows a key may be limited in: the current UTC minute and the current UTC day. */
export type QuotaWindow = 'minute' | 'day';

/** Where the guards of every replica share the counts of each key's windows. */
export interface QuotaStore {
  /**
   * Adds `count` to the counter of the key's window that starts at `windowStart` (epoch ms) and returns the counter
   * after the addition: the caller may use what of `count` still fits under its limit.
   */
  take(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<number>;
  /** Gives back what a `take` granted and nobody used. */
  giveBack(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<void>;
  /** Called when the store becomes reachable again after an outage. */
  onReady(listener: () => void): void;
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** A window's counter outlives the window a little, so a replica with a late clock still finds it. */
const COUNTER_LIFE_SECONDS: Record<QuotaWindow, number> = { minute: 2 * 60, day: 2 * 86_400 };

/**
 * Counters in Redis through rate-limiter-flexible (an atomic INCRBY with expiry, one Lua call), one Redis key per
 * API key and window: `rs:quota:<window>:<key id>:<window start>`. Commands fail at once while Redis is not
 * connected (no offline queue), so a guard never waits for a Redis that is down.
 */
export class RedisQuotaStore implements QuotaStore {
  private readonly redis: Redis;
  private readonly limiters: Record<QuotaWindow, RateLimiterRedis>;

  constructor(redisUrl: string, commandTimeoutMs = 500) {
    this.redis = new Redis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Failures surface on each call and are reported by the enforcer.
    this.redis.on('error', () => undefined);
    const limiter = (window: QuotaWindow) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `rs:quota:${window}`,
        // Only `penalty`/`reward` are used: the limit is each key's own, applied by the caller to the counter.
        points: Number.MAX_SAFE_INTEGER,
        duration: COUNTER_LIFE_SECONDS[window],
        rejectIfRedisNotReady: true,
      });
    this.limiters = { minute: limiter('minute'), day: limiter('day') };
  }

  async take(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<number> {
    const result = await this.limiters[window].penalty(`${keyId}:${windowStart}`, count);
    return result.consumedPoints;
  }

  async giveBack(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<void> {
    await this.limiters[window].reward(`${keyId}:${windowStart}`, count);
  }

  onReady(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
