import { Module, type OnModuleInit, Logger } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditRecord, AuditRecordSchema } from '../audit/audit-record.schema';
import { AuditRepository } from '../audit/audit.repository';
import { KeyCheckController } from '../check/key-check.controller';
import { KeyCheckService } from '../check/key-check.service';
import { OutboxEvent, OutboxEventSchema } from '../events/event-outbox.schema';
import { LifecycleEventsPublisher } from '../events/lifecycle-events.publisher';
import { KeycloakAdminClient } from '../keycloak/keycloak-admin.client';
import { CheckRateLimiter } from '../rate-limit/check-rate-limiter';
import { AdminController } from './admin.controller';
import { ApiKey, ApiKeySchema, ApiKeyUsageTotal, ApiKeyUsageTotalSchema } from './api-key.schema';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { MeController } from './me.controller';
import { UserSyncService } from './user-sync.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ApiKey.name, schema: ApiKeySchema },
      { name: ApiKeyUsageTotal.name, schema: ApiKeyUsageTotalSchema },
      { name: AuditRecord.name, schema: AuditRecordSchema },
      { name: OutboxEvent.name, schema: OutboxEventSchema },
    ]),
  ],
  controllers: [MeController, ApiKeysController, AdminController, KeyCheckController],
  providers: [
    ApiKeysRepository,
    AuditRepository,
    ApiKeysService,
    UserSyncService,
    KeyCheckService,
    KeycloakAdminClient,
    LifecycleEventsPublisher,
    CheckRateLimiter,
  ],
  exports: [ApiKeysRepository, KeycloakAdminClient, LifecycleEventsPublisher, CheckRateLimiter],
})
export class ApiKeysModule implements OnModuleInit {
  private readonly logger = new Logger(ApiKeysModule.name);

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** autoIndex is off (the local Mongo-wire DB refuses some index kinds): indexes are created here. */
  async onModuleInit(): Promise<void> {
    try {
      await this.keys.ensureIndexes();
      await this.audit.ensureIndexes();
    } catch (error) {
      this.logger.error(`Index creation failed (retried at next start): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
