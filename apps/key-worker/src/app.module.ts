import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeysRepository, KeyStoreModule } from '@rs/key-store';
import { KeycloakUsersModule, keycloakUsersOptions } from '@rs/keycloak-users';
import { HealthModule, kafkaSecurity, MetricsModule } from '@rs/service-kit';
import { KeyWorkerConfigModule } from './config/config.module';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from './config/key-worker.config';
import { JobSchedulesService } from './jobs/job-schedules.service';
import { JobsModule } from './jobs/jobs.module';
import { UsageEventsConsumer } from './usage/usage-events.consumer';
import { UsageModule } from './usage/usage.module';

/** The key worker: usage aggregation and scheduled jobs; HTTP only for health and, on the management port, metrics. */
@Module({
  imports: [
    KeyWorkerConfigModule,
    MetricsModule,
    MongooseModule.forRootAsync({
      inject: [KEY_WORKER_CONFIG],
      useFactory: (config: KeyWorkerConfig) => ({
        uri: config.MONGO_URL,
        autoIndex: false,
        // Fail fast instead of queueing writes while the database is away: the batch is redelivered.
        bufferCommands: false,
        serverSelectionTimeoutMS: 5000,
      }),
    }),
    KeyStoreModule.forRootAsync({
      inject: [KEY_WORKER_CONFIG],
      useFactory: (config: KeyWorkerConfig) => ({
        clientId: 'key-worker',
        kafkaBrokers: config.KAFKA_BROKERS,
        kafkaSecurity: kafkaSecurity(config),
        eventPublishTimeoutMs: config.EVENT_PUBLISH_TIMEOUT_MS,
        redisUrl: config.REDIS_URL,
      }),
    }),
    KeycloakUsersModule.forRootAsync({ inject: [KEY_WORKER_CONFIG], useFactory: keycloakUsersOptions }),
    UsageModule,
    JobsModule,
    HealthModule.forRootAsync({
      imports: [UsageModule, JobsModule],
      inject: [ApiKeysRepository, UsageEventsConsumer, JobSchedulesService],
      useFactory: (keys: ApiKeysRepository, usage: UsageEventsConsumer, jobs: JobSchedulesService) => [
        { name: 'mongodb', check: () => keys.ping() },
        { name: 'kafka', check: () => usage.ping() },
        { name: 'redis', check: () => jobs.ping() },
      ],
    }),
  ],
})
export class AppModule {}
