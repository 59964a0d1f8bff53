import type { EachBatchPayload, Kafka } from 'kafkajs';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import type { PartitionBatch, UsageAggregationService } from './usage-aggregation.service';
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

describe(UsageEventsConsumer.name, () => {
  let fake: ReturnType<typeof fakeKafka>;
  let aggregation: jest.Mocked<Pick<UsageAggregationService, 'applyBatch' | 'forgetWatermarks'>>;
  let sut: UsageEventsConsumer;

  const started = async () => {
    sut.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return fake.consumer.run.mock.calls[0][0];
  };

  beforeEach(() => {
    fake = fakeKafka();
    aggregation = { applyBatch: jest.fn().mockResolvedValue({ aggregated: 0, deadLettered: 0, alreadyApplied: 0 }), forgetWatermarks: jest.fn() };
    sut = new UsageEventsConsumer(fake.kafka, config, aggregation as unknown as UsageAggregationService);
  });

  afterEach(() => sut.onApplicationShutdown());

  describe('onApplicationBootstrap', () => {
    it('should create the missing dead-letter topic and consume the usage topic with manual commits', async () => {
      const options = await started();
      expect(fake.admin.createTopics).toHaveBeenCalledWith({ waitForLeaders: true, topics: [{ topic: 'dlq', numPartitions: 1, replicationFactor: 1 }] });
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
    it('should commit each chunk after its aggregates are written, at the next offset', async () => {
      const { eachBatch } = await started();
      const { payload, commitOffsetsIfNecessary } = payloadOf(['10', '11', '12']);
      const order: string[] = [];
      aggregation.applyBatch.mockImplementation(async (batch: PartitionBatch) => {
        order.push(`apply ${batch.messages.map((m) => m.offset).join(',')}`);
        return { aggregated: batch.messages.length, deadLettered: 0, alreadyApplied: 0 };
      });
      commitOffsetsIfNecessary.mockImplementation(async (offsets?: { topics: Array<{ partitions: Array<{ offset: string }> }> }) => {
        order.push(`commit ${offsets?.topics[0].partitions[0].offset}`);
      });
      await eachBatch(payload);
      expect(order).toEqual(['apply 10,11', 'commit 12', 'apply 12', 'commit 13']);
    });

    it('should not commit when the aggregates could not be written, so the batch is redelivered', async () => {
      const { eachBatch } = await started();
      const { payload, commitOffsetsIfNecessary, resolveOffset } = payloadOf(['10']);
      aggregation.applyBatch.mockRejectedValueOnce(new Error('database down'));
      await expect(eachBatch(payload)).rejects.toThrow('database down');
      expect(commitOffsetsIfNecessary).not.toHaveBeenCalled();
      expect(resolveOffset).not.toHaveBeenCalled();
    });

    it('should leave the batch to the next owner when the consumer is stopping', async () => {
      const { eachBatch } = await started();
      const { payload, commitOffsetsIfNecessary } = payloadOf(['10', '11'], { isRunning: () => false });
      await eachBatch(payload);
      expect(aggregation.applyBatch).not.toHaveBeenCalled();
      expect(commitOffsetsIfNecessary).not.toHaveBeenCalled();
    });
  });
});
