import { Module } from '@nestjs/common';
import { createKafkaClient, kafkaSecurity } from '@rs/service-kit';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { CheckRateLimiter } from './check-rate-limiter';
import { KEY_CHECK_KAFKA, KEY_CHECK_REDIS_URL } from './key-check.constants';
import { KeyCheckCallerResolver } from './key-check-caller.resolver';
import { KeyCheckController } from './key-check.controller';
import { KeyCheckService } from './key-check.service';
import { KeyLifecycleListener } from './key-lifecycle.listener';
import { KeyRecordCache } from './key-record-cache';

/**
 * `GET /auth/check_key`, which guarded services call on a cache miss, its failure throttle, and the cache of
 * key records that lifecycle events keep correct.
 */
@Module({
  controllers: [KeyCheckController],
  providers: [
    KeyCheckService,
    KeyCheckCallerResolver,
    CheckRateLimiter,
    KeyLifecycleListener,
    {
      provide: KeyRecordCache,
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) =>
        new KeyRecordCache({
          ttlMs: config.CHECK_CACHE_TTL_SECONDS * 1000,
          maxEntries: config.CHECK_CACHE_MAX_ENTRIES,
          unknownTtlMs: config.CHECK_UNKNOWN_KEY_TTL_SECONDS * 1000,
        }),
    },
    {
      provide: KEY_CHECK_REDIS_URL,
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) => config.REDIS_URL,
    },
    {
      provide: KEY_CHECK_KAFKA,
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) =>
        createKafkaClient({
          clientId: 'key-manager-check',
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurity(config),
        }),
    },
  ],
  exports: [CheckRateLimiter, KeyRecordCache],
})
export class KeyCheckModule {}
