import { createKafkaClient, errorMessage, kafkaSecurity } from '@rs/service-kit';
import { Module, type OnModuleInit, Logger } from '@nestjs/common';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { UsageAggregationService } from './usage-aggregation.service';
import { UsageBucketsRepository } from './usage-buckets.repository';
import { UsageEventsConsumer } from './usage-events.consumer';
import { USAGE_KAFKA } from './usage.constants';

/** Usage stream → hour/day buckets and key totals in MongoDB, exactly once in effect. */
@Module({
  providers: [
    {
      provide: USAGE_KAFKA,
      inject: [KEY_WORKER_CONFIG],
      useFactory: (config: KeyWorkerConfig) =>
        createKafkaClient({
          clientId: 'key-worker',
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurity(config),
          retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
        }),
    },
    UsageBucketsRepository,
    DeadLetterPublisher,
    UsageAggregationService,
    UsageEventsConsumer,
  ],
  exports: [UsageBucketsRepository, UsageEventsConsumer],
})
export class UsageModule implements OnModuleInit {
  private readonly logger = new Logger(UsageModule.name);

  constructor(private readonly buckets: UsageBucketsRepository) {}

  /** autoIndex is off (the local Mongo-wire DB refuses some index kinds): indexes are created here. */
  async onModuleInit(): Promise<void> {
    try {
      await this.buckets.ensureIndexes();
    } catch (error) {
      this.logger.error(`Usage index creation failed (retried at next start): ${errorMessage(error)}`);
    }
  }
}
