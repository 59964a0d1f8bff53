import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '@rs/service-kit';
import Redis from 'ioredis';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';

export interface RateLimitState {
  blocked: boolean;
  retryAfterSeconds: number;
}

const KEY_PREFIX = 'rs:check-failures:';

/**
 * Counts failed key checks per client IP in Redis (fixed window), so the limit holds across replicas.
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

  async state(ip: string): Promise<RateLimitState> {
    try {
      const [count, ttl] = await this.redis
        .multi()
        .get(KEY_PREFIX + ip)
        .ttl(KEY_PREFIX + ip)
        .exec()
        .then((rows) => rows?.map(([, value]) => value) ?? []);
      const failures = Number(count ?? 0);
      return { blocked: failures >= this.config.CHECK_FAILURE_LIMIT, retryAfterSeconds: Math.max(1, Number(ttl ?? 1)) };
    } catch (error) {
      this.failOpen(error);
      return { blocked: false, retryAfterSeconds: 0 };
    }
  }

  async recordFailure(ip: string): Promise<void> {
    try {
      await this.redis
        .multi()
        .incr(KEY_PREFIX + ip)
        .expire(KEY_PREFIX + ip, this.config.CHECK_FAILURE_WINDOW_SECONDS, 'NX')
        .exec();
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
