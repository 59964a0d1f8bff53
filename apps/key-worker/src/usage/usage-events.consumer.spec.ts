import type { EachBatchPayload, Kafka } from 'kafkajs';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import { MetricsService } from '@rs/service-kit';
import type { DeadLetterPublisher } from './dead-letter.publisher';
import { UsageAggregationService, type UsageMessage, type UsagePlan } from './usage-aggregation.service';
import type { UsageBucketsRepository } from './usage-buckets.repository';
import { UsageEventsConsumer } from './usage-events.consumer';

const config = loadKeyWorkerConfig({
  KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret',
  USAGE_TOPIC: 'usage',
  USAGE_DEAD_LETTER_TOPIC: 'dlq',
  USAGE_BATCH_SIZE: '2',
});

function fakeKafka() {
  const handlers = new Map<string, (event: { payload: unknown }) => void>();
  const consumer = {
    events: { GROUP_JOIN: 'join', CRASH: 'crash' },
    on: jest.fn((name: string, handler: (event: { payload: unknown }) => void) => handlers.set(name, handler)),
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async (_options: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => undefined),
    disconnect: jest.fn(async () => undefined),
    commitOffsets: jest.fn(async (_offsets: Array<{ topic: string; partition: number; offset: string }>) => undefined),
    seek: jest.fn(),
    pause: jest.fn(),
  };
  const admin = {
    connect: jest.fn(async () => undefined),
    listTopics: jest.fn(async () => ['usage']),
    createTopics: jest.fn(async () => true),
    describeCluster: jest.fn(async () => ({})),
    disconnect: jest.fn(async () => undefined),
  };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, consumer, admin, handlers };
}

function payloadOf(offsets: string[], overrides: Partial<EachBatchPayload> = {}) {
  const commitOffsetsIfNecessary = jest.fn(async () => undefined);
  const resolveOffset = jest.fn();
  const payload = {
    batch: {
      topic: 'usage',
      partition: 3,
      messages: offsets.map((offset) => ({ offset, key: null, value: Buffer.from('{}') })),
      isEmpty: () => offsets.length === 0,
      lastOffset: () => offsets[offsets.length - 1],
    },
    resolveOffset,
    heartbeat: jest.fn(async () => undefined),
    commitOffsetsIfNecessary,
    isRunning: () => true,
    isStale: () => false,
    ...overrides,
  } as unknown as EachBatchPayload;
  return { payload, commitOffsetsIfNecessary, resolveOffset };
}

/** What the real `plan` does to a plan's offsets, without parsing. */
function planOffsets(plan: UsagePlan, messages: readonly UsageMessage[]): void {
  for (const message of messages) {
    if (plan.size++ === 0) plan.firstOffset = Number(message.offset);
    plan.lastOffset = Number(message.offset);
  }
}

describe(UsageEventsConsumer.name, () => {
  let fake: ReturnType<typeof fakeKafka>;
  let aggregation: jest.Mocked<Pick<UsageAggregationService, 'newPlan' | 'plan' | 'write' | 'forgetWatermarks'>>;
  let sut: UsageEventsConsumer;

  const started = async () => {
    sut.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return fake.consumer.run.mock.calls[0][0];
  };

  beforeEach(() => {
    fake = fakeKafka();
    const real = new UsageAggregationService(
      {} as UsageBucketsRepository,
      {} as DeadLetterPublisher,
      () => new Date(),
      new MetricsService(),
    );
    aggregation = {
      newPlan: jest.fn((topic: string, partition: number) => real.newPlan(topic, partition)),
      plan: jest.fn(planOffsets),
      write: jest.fn().mockResolvedValue({ aggregated: 0, deadLettered: 0, alreadyApplied: 0 }),
      forgetWatermarks: jest.fn(),
    };
    sut = new UsageEventsConsumer(fake.kafka, config, aggregation as unknown as UsageAggregationService);
  });

  afterEach(() => sut.onApplicationShutdown());

  describe('onApplicationBootstrap', () => {
    it('should create the missing dead-letter topic and consume the usage topic with manual commits', async () => {
      const options = await started();
      expect(fake.admin.createTopics).toHaveBeenCalledWith({
        waitForLeaders: true,
        topics: [{ topic: 'dlq', numPartitions: 1, replicationFactor: 1 }],
      });
      expect(fake.consumer.subscribe).toHaveBeenCalledWith({ topic: 'usage', fromBeginning: true });
      expect(options).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
    });

    it('should forget cached watermarks when the group is rebalanced', async () => {
      await started();
      fake.handlers.get('join')?.({ payload: { memberAssignment: { usage: [0] } } });
      expect(aggregation.forgetWatermarks).toHaveBeenCalled();
      expect(sut.isJoined()).toBe(true);
    });
  });

  describe('eachBatch', () => {
    it('should plan the batch in chunks, resolve only the fetch position, and commit each write at the next offset', async () => {
      const { eachBatch } = await started();
      const { payload, commitOffsetsIfNecessary, resolveOffset } = payloadOf(['10', '11', '12']);
      const order: string[] = [];
      aggregation.plan.mockImplementation((plan: UsagePlan, messages: readonly UsageMessage[]) => {
        planOffsets(plan, messages);
        order.push(`plan ${messages.map((m) => m.offset).join(',')}`);
      });
      aggregation.write.mockImplementation(async (plan: UsagePlan) => {
        order.push(`write ${plan.firstOffset}-${plan.lastOffset}`);
        return { aggregated: plan.size, deadLettered: 0, alreadyApplied: 0 };
      });
      fake.consumer.commitOffsets.mockImplementation(
        async (offsets: Array<{ offset: string }>) => void order.push(`commit ${offsets[0].offset}`),
      );
      await eachBatch(payload);
      await sut.whenWritten();
      // Chunks of USAGE_BATCH_SIZE; every commit follows the write that ends just before it.
      expect(order.filter((step) => step.startsWith('plan'))).toEqual(['plan 10,11', 'plan 12']);
      const writesAndCommits = order.filter((step) => !step.startsWith('plan'));
      expect(writesAndCommits[0]).toBe('write 10-11');
      writesAndCommits.forEach((step, index) => {
        if (step.startsWith('commit'))
          expect(Number(writesAndCommits[index - 1].split('-')[1]) + 1).toBe(Number(step.split(' ')[1]));
      });
      expect(writesAndCommits.at(-1)).toBe('commit 13');
      expect(resolveOffset.mock.calls.map(([offset]) => offset)).toEqual(['11', '12', '12']);
      expect(commitOffsetsIfNecessary).not.toHaveBeenCalled();
      expect(fake.consumer.commitOffsets).toHaveBeenCalledWith([{ topic: 'usage', partition: 3, offset: '13' }]);
    });

    it('should not commit when the aggregates could not be written, and fetch the partition again from the first unwritten offset', async () => {
      const { eachBatch } = await started();
      const { payload } = payloadOf(['10']);
      aggregation.write.mockRejectedValueOnce(new Error('database down'));
      await eachBatch(payload);
      await sut.whenWritten();
      expect(fake.consumer.commitOffsets).not.toHaveBeenCalled();
      expect(fake.consumer.seek).toHaveBeenCalledWith({ topic: 'usage', partition: 3, offset: '10' });
    });

    it('should leave the batch to the next owner when the consumer is stopping', async () => {
      const { eachBatch } = await started();
      const { payload, resolveOffset } = payloadOf(['10', '11'], { isRunning: () => false });
      await eachBatch(payload);
      expect(aggregation.plan).not.toHaveBeenCalled();
      expect(resolveOffset).not.toHaveBeenCalled();
    });

    it('should write and commit what is planned before leaving the group on shutdown', async () => {
      const { eachBatch } = await started();
      let finish: () => void = () => undefined;
      aggregation.write.mockImplementation(
        () => new Promise((resolve) => (finish = () => resolve({ aggregated: 1, deadLettered: 0, alreadyApplied: 0 }))),
      );
      await eachBatch(payloadOf(['10']).payload);
      const shutdown = sut.onApplicationShutdown();
      await new Promise((resolve) => setImmediate(resolve));
      expect(fake.consumer.pause).toHaveBeenCalledWith([{ topic: 'usage' }]);
      expect(fake.consumer.disconnect).not.toHaveBeenCalled();
      finish();
      await shutdown;
      expect(fake.consumer.commitOffsets).toHaveBeenCalledWith([{ topic: 'usage', partition: 3, offset: '11' }]);
      expect(fake.consumer.disconnect).toHaveBeenCalled();
    });
  });
});
