import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthGuardModule } from '@rs/auth-guard';
import { ApiKeysRepository, KeyStoreModule, LifecycleEventsPublisher } from '@rs/key-store';
import { KeycloakAdminClient, KeycloakUsersModule, keycloakUsersOptions } from '@rs/keycloak-users';
import { HealthModule, kafkaSecurity, keycloakGuardOptions, MetricsModule } from '@rs/service-kit';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from './config/key-manager.config';
import { KeyManagerConfigModule } from './config/config.module';
import { CheckRateLimiter } from './check/check-rate-limiter';
import { KeyCheckModule } from './check/key-check.module';
import { FrontendModule } from './frontend/frontend.module';
import { PortalModule } from './portal/portal.module';
import { UsageModule } from './usage/usage.module';

@Module({
  imports: [
    KeyManagerConfigModule,
    MetricsModule,
    MongooseModule.forRootAsync({
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) => ({
        uri: config.MONGO_URL,
        autoIndex: false,
        // Fail fast (503) instead of queueing requests while the database is away; the driver reconnects by itself.
        bufferCommands: false,
        serverSelectionTimeoutMS: 2000,
      }),
    }),
    KeyStoreModule.forRootAsync({
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) => ({
        clientId: 'key-manager',
        kafkaBrokers: config.KAFKA_BROKERS,
        kafkaSecurity: kafkaSecurity(config),
        eventPublishTimeoutMs: config.EVENT_PUBLISH_TIMEOUT_MS,
        redisUrl: config.REDIS_URL,
      }),
    }),
    KeycloakUsersModule.forRootAsync({ inject: [KEY_MANAGER_CONFIG], useFactory: keycloakUsersOptions }),
    AuthGuardModule.forRootAsync({
      inject: [KEY_MANAGER_CONFIG],
      useFactory: (config: KeyManagerConfig) => ({
        serviceName: 'key-manager',
        keycloak: keycloakGuardOptions(config),
        // Key management accepts Keycloak tokens only: a leaked key must not mint, renew or list keys.
        apiKey: false,
        kafka: false,
      }),
    }),
    ApiKeysModule,
    KeyCheckModule,
    UsageModule,
    AuditModule,
    PortalModule,
    FrontendModule,
    HealthModule.forRootAsync({
      imports: [ApiKeysModule, KeyCheckModule],
      inject: [ApiKeysRepository, LifecycleEventsPublisher, KeycloakAdminClient, CheckRateLimiter],
      useFactory: (
        keys: ApiKeysRepository,
        events: LifecycleEventsPublisher,
        keycloak: KeycloakAdminClient,
        limiter: CheckRateLimiter,
      ) => [
        { name: 'mongodb', check: () => keys.ping() },
        { name: 'kafka', check: () => events.ping() },
        { name: 'keycloak', check: () => keycloak.ping() },
        { name: 'redis', check: () => limiter.ping() },
      ],
    }),
  ],
})
export class AppModule {}
