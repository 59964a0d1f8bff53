import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig, redisConnection } from '../config/key-worker.config';
import { MailModule } from '../mail/mail.module';
import { UsageModule } from '../usage/usage.module';
import { ExpiringNoticeMailsRepository } from './expiring-notice-mails.repository';
import { ExpiringNoticeProcessor } from './expiring-notice.processor';
import { ExpiringNoticeService } from './expiring-notice.service';
import { JobRunsRecorder } from './job-runs.recorder';
import { JobSchedulesService } from './job-schedules.service';
import { KeyExpiryProcessor } from './key-expiry.processor';
import { KeyExpiryService } from './key-expiry.service';
import { KeycloakEventsProcessor } from './keycloak-events.processor';
import { KeycloakSyncProcessor } from './keycloak-sync.processor';
import { KeycloakSyncService } from './keycloak-sync.service';
import { RotationGraceService } from './rotation-grace.service';
import { SCHEDULED_JOB_OPTIONS, SCHEDULED_QUEUES } from './jobs.constants';
import { UsageRetentionProcessor } from './usage-retention.processor';
import { UsageRetentionService } from './usage-retention.service';

/** BullMQ job schedulers on Redis: expiry, expiring-soon notice, Keycloak sync and admin events, usage retention. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [KEY_WORKER_CONFIG],
      useFactory: (config: KeyWorkerConfig) => ({
        connection: redisConnection(config.REDIS_URL),
        prefix: config.BULLMQ_PREFIX,
        defaultJobOptions: SCHEDULED_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue(...SCHEDULED_QUEUES.map((name) => ({ name }))),
    UsageModule,
    MailModule,
  ],
  providers: [
    JobRunsRecorder,
    JobSchedulesService,
    KeyExpiryService,
    RotationGraceService,
    KeyExpiryProcessor,
    ExpiringNoticeService,
    ExpiringNoticeMailsRepository,
    ExpiringNoticeProcessor,
    KeycloakSyncService,
    KeycloakSyncProcessor,
    KeycloakEventsProcessor,
    UsageRetentionService,
    UsageRetentionProcessor,
  ],
  exports: [JobSchedulesService],
})
export class JobsModule {}
