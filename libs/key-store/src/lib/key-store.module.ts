import {
  type DynamicModule,
  type FactoryProvider,
  Logger,
  Module,
  type ModuleMetadata,
  type OnModuleInit,
} from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { errorMessage } from '@rs/service-kit';
import { ApiKey, ApiKeySchema, ApiKeyUsageTotal, ApiKeyUsageTotalSchema } from './api-key.schema';
import { ApiKeysRepository } from './api-keys.repository';
import { AuditRecord, AuditRecordSchema } from './audit-record.schema';
import { AuditRepository } from './audit.repository';
import { CLOCK, systemClock } from './clock';
import { OutboxEvent, OutboxEventSchema } from './event-outbox.schema';
import { KEY_STORE_OPTIONS, type KeyStoreOptions } from './key-store.options';
import { LifecycleEventsPublisher } from './lifecycle-events.publisher';

export interface KeyStoreModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => KeyStoreOptions;
}

const EXPORTED = [ApiKeysRepository, AuditRepository, LifecycleEventsPublisher];

/**
 * The stored side of API keys, shared by the key manager and the key worker: collections, repositories,
 * the audit trail and outbox-backed lifecycle events. Needs a MongooseModule
 * connection (forRoot) in the host app and a MetricsService (service-kit's MetricsModule).
 */
@Module({})
export class KeyStoreModule implements OnModuleInit {
  private readonly logger = new Logger(KeyStoreModule.name);

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
  ) {}

  static forRootAsync(options: KeyStoreModuleAsyncOptions): DynamicModule {
    return {
      module: KeyStoreModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        MongooseModule.forFeature([
          { name: ApiKey.name, schema: ApiKeySchema },
          { name: ApiKeyUsageTotal.name, schema: ApiKeyUsageTotalSchema },
          { name: AuditRecord.name, schema: AuditRecordSchema },
          { name: OutboxEvent.name, schema: OutboxEventSchema },
        ]),
      ],
      providers: [
        { provide: KEY_STORE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        { provide: CLOCK, useValue: systemClock },
        ...EXPORTED,
      ],
      exports: [...EXPORTED, CLOCK],
    };
  }

  /** autoIndex is off (the local Mongo-wire DB refuses some index kinds): indexes are created here. */
  async onModuleInit(): Promise<void> {
    try {
      await this.keys.ensureIndexes();
      await this.audit.ensureIndexes();
    } catch (error) {
      this.logger.error(`Index creation failed (retried at next start): ${errorMessage(error)}`);
    }
  }
}
