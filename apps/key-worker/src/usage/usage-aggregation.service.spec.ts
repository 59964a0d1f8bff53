import { MetricsService } from '@rs/service-kit';
import type { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { InMemoryUsageBuckets } from './testing/in-memory-usage-buckets.test-helper';
import {
  USAGE_NOW as NOW,
  usageDeltaMessage,
  usageMessage,
  usageMessages as messages,
} from './testing/usage-messages.test-helper';
import {
  type BatchOutcome,
  deadLetterReasonLabel,
  UsageAggregationService,
  type UsageMessage,
} from './usage-aggregation.service';
import type { UsageBucketsRepository } from './usage-buckets.repository';

const TOPIC = 'rs.apikey.usage.v1';

interface PartitionBatch {
  partition: number;
  messages: readonly UsageMessage[];
}

const batch = (list: UsageMessage[], partition = 0): PartitionBatch => ({ partition, messages: list });

/** One fetched batch through the service, as the pipeline does it: a plan of its messages, then its write. */
function applyBatch(sut: UsageAggregationService, { partition, messages }: PartitionBatch): Promise<BatchOutcome> {
  const plan = sut.newPlan(TOPIC, partition);
  sut.plan(plan, messages);
  return sut.write(plan);
}

describe(UsageAggregationService.name, () => {
  let buckets: InMemoryUsageBuckets;
  let published: DeadLetter[];
  let deadLetters: jest.Mocked<Pick<DeadLetterPublisher, 'publish'>>;
  let metrics: MetricsService;

  const createSut = (): UsageAggregationService =>
    new UsageAggregationService(
      buckets as unknown as UsageBucketsRepository,
      deadLetters as unknown as DeadLetterPublisher,
      () => NOW,
      metrics,
    );

  beforeEach(() => {
    buckets = new InMemoryUsageBuckets();
    published = [];
    deadLetters = { publish: jest.fn(async (letters: readonly DeadLetter[]) => void published.push(...letters)) };
    metrics = new MetricsService();
  });

  describe('plan, then write', () => {
    it('should aggregate counts, status classes and latencies into hour, day and total documents', async () => {
      const sut = createSut();
      const outcome = await applyBatch(sut, batch(messages(0, 60)));
      expect(outcome).toEqual({ aggregated: 60, deadLettered: 0, alreadyApplied: 0 });
      expect(buckets.total('hourly')).toBe(60);
      expect(buckets.total('daily')).toBe(60);
      expect(buckets.total('totals')).toBe(60);
      const hours = [...buckets.docs.hourly.values()];
      expect(hours.reduce((sum, doc) => sum + doc.count_5xx, 0)).toBe(12);
      expect(hours.reduce((sum, doc) => sum + doc.count_2xx, 0)).toBe(48);
      expect(hours.reduce((sum, doc) => sum + doc.latency_sum_ms, 0)).toBe(
        Array.from({ length: 60 }, (_, i) => i % 7).reduce((a, b) => a + b, 0),
      );
      expect(Math.max(...hours.map((doc) => doc.latency_max_ms))).toBe(6);
      // 3 keys × (search route in the current hour, session route in both hours).
      expect(buckets.docs.hourly.size).toBe(9);
      expect(buckets.docs.totals.get('k1')?.latest).toBe(NOW.getTime());
    });

    it('should change nothing when the same batch is applied again, by this replica or a fresh one', async () => {
      await applyBatch(createSut(), batch(messages(0, 30)));
      const first = structuredClone([...buckets.docs.hourly.entries()]);
      const sut = createSut();
      await expect(applyBatch(sut, batch(messages(0, 30)))).resolves.toEqual({
        aggregated: 0,
        deadLettered: 0,
        alreadyApplied: 30,
      });
      await expect(applyBatch(sut, batch(messages(0, 30)))).resolves.toEqual({
        aggregated: 0,
        deadLettered: 0,
        alreadyApplied: 30,
      });
      expect([...buckets.docs.hourly.entries()]).toEqual(first);
      expect(buckets.total('totals')).toBe(30);
    });

    it('should count every event once when a crash stops a batch half-way and the replay has other boundaries', async () => {
      const sut = createSut();
      await applyBatch(sut, batch(messages(0, 20)));
      buckets.crashAfterWrites(7);
      await expect(applyBatch(sut, batch(messages(20, 50)))).rejects.toThrow('worker killed');
      buckets.heal();
      // The restarted worker resumes from the last committed offset (20) with different batch boundaries.
      const restarted = createSut();
      await applyBatch(restarted, batch(messages(20, 35)));
      await applyBatch(restarted, batch(messages(35, 80)));
      expect(buckets.total('hourly')).toBe(80);
      expect(buckets.total('daily')).toBe(80);
      expect(buckets.total('totals')).toBe(80);
    });

    it('should count every event exactly once whatever the crash points and replay boundaries', async () => {
      // Deterministic pseudo-random runs: crash somewhere in a batch, restart from the last committed offset.
      let seed = 42;
      const random = (below: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % below;
      };
      for (let run = 0; run < 25; run++) {
        buckets = new InMemoryUsageBuckets();
        const total = 150;
        let committed = 0;
        let sut = createSut();
        while (committed < total) {
          const end = Math.min(total, committed + 1 + random(40));
          if (random(3) === 0) buckets.crashAfterWrites(random(12));
          try {
            await applyBatch(sut, batch(messages(committed, end)));
            committed = end;
          } catch {
            buckets.heal();
            sut = createSut();
          }
        }
        expect([buckets.total('hourly'), buckets.total('daily'), buckets.total('totals')]).toEqual([
          total,
          total,
          total,
        ]);
      }
    });

    it('should count every event once when two replicas apply overlapping batches of one partition', async () => {
      const first = createSut();
      const second = createSut();
      await applyBatch(first, batch(messages(0, 40)));
      // A replica that lost the partition in a rebalance still finishes its stale batch...
      await applyBatch(second, batch(messages(0, 25)));
      await applyBatch(first, batch(messages(40, 60)));
      // ...and its cache is now wrong about every document it touched.
      await applyBatch(second, batch(messages(25, 70)));
      await applyBatch(first, batch(messages(60, 90)));
      expect(buckets.total('hourly')).toBe(90);
      expect(buckets.total('totals')).toBe(90);
    });

    it('should keep partitions independent when one document receives events from two partitions', async () => {
      const sut = createSut();
      await applyBatch(sut, batch([usageMessage(5, { key_id: 'shared' })], 0));
      await applyBatch(sut, batch([usageMessage(5, { key_id: 'shared' })], 1));
      await applyBatch(sut, batch([usageMessage(5, { key_id: 'shared' })], 1));
      expect(buckets.docs.totals.get('shared')).toMatchObject({ count: 2, applied: { p0: 5, p1: 5 } });
    });

    it('should read no watermark in steady state when this replica wrote the documents', async () => {
      const sut = createSut();
      await applyBatch(sut, batch(messages(0, 30)));
      await applyBatch(sut, batch(messages(30, 60)));
      expect(buckets.reads).toBe(0);
    });

    it('should send malformed messages to the dead-letter topic with their reason and aggregate the rest', async () => {
      const sut = createSut();
      const list = [
        usageMessage(1),
        { offset: '2', key: Buffer.from('x'), value: Buffer.from('{not json') },
        usageMessage(3, { version: 2 }),
        usageMessage(4, { status: 'ok' }),
        { offset: '5', key: null, value: null },
        usageMessage(6),
      ];
      await expect(applyBatch(sut, batch(list, 4))).resolves.toEqual({
        aggregated: 2,
        deadLettered: 4,
        alreadyApplied: 0,
      });
      expect(published.map(({ record }) => [record.offset, record.reason])).toEqual([
        ['2', 'payload is not valid JSON'],
        ['3', "field 'version' is missing or invalid"],
        ['4', "field 'status' is missing or invalid"],
        ['5', 'payload is empty'],
      ]);
      expect(published[0]).toEqual({
        key: 'x',
        record: {
          reason: 'payload is not valid JSON',
          source_topic: TOPIC,
          partition: 4,
          offset: '2',
          failed_at: NOW.toISOString(),
          payload: '{not json',
        },
      });
      expect(buckets.total('totals')).toBe(2);
      const text = await metrics.registry.metrics();
      expect(text).toContain('key_worker_usage_dead_letters_total{reason="unknown_version"} 1');
      expect(text).toContain('key_worker_usage_messages_total{outcome="dead_lettered"} 4');
    });

    it('should fail the batch, so it is redelivered, when the dead-letter topic cannot be written', async () => {
      deadLetters.publish.mockRejectedValueOnce(new Error('broker down'));
      const sut = createSut();
      await expect(
        applyBatch(sut, batch([usageMessage(1), { offset: '2', key: null, value: Buffer.from('nope') }])),
      ).rejects.toThrow('broker down');
      expect(buckets.total('totals')).toBe(0);
    });

    it('should write the hour and day buckets at the same time, and the totals only once both are written', async () => {
      const calls: string[] = [];
      const insert = buckets.insertBuckets.bind(buckets);
      jest.spyOn(buckets, 'insertBuckets').mockImplementation(async (collection, ...rest) => {
        calls.push(`start ${collection}`);
        await new Promise((resolve) => setTimeout(resolve, collection === 'daily' ? 20 : 1));
        calls.push(`end ${collection}`);
        return insert(collection, ...rest);
      });
      await applyBatch(createSut(), batch(messages(0, 12)));
      expect(calls.slice(0, 2).sort()).toEqual(['start daily', 'start hourly']);
      expect(calls.slice(2)).toEqual(['end hourly', 'end daily', 'start totals', 'end totals']);
      expect(buckets.total('totals')).toBe(12);
    });

    it('should fail a write only once the other bucket write has ended, and leave the totals unwritten', async () => {
      const insert = buckets.insertBuckets.bind(buckets);
      jest.spyOn(buckets, 'insertBuckets').mockImplementation(async (collection, ...rest) => {
        if (collection === 'hourly') throw new Error('database gone');
        await new Promise((resolve) => setTimeout(resolve, 20));
        return insert(collection, ...rest);
      });
      await expect(applyBatch(createSut(), batch(messages(0, 12)))).rejects.toThrow('database gone');
      expect(buckets.total('daily')).toBe(12);
      expect(buckets.total('totals')).toBe(0);
    });
  });

  describe('usage deltas', () => {
    it('should add every route of a delta to the hour, day and total documents, and count requests', async () => {
      const outcome = await applyBatch(createSut(), batch([usageDeltaMessage(0), usageDeltaMessage(1)]));
      expect(outcome).toEqual({ aggregated: 8, deadLettered: 0, alreadyApplied: 0 });
      expect(buckets.total('hourly')).toBe(8);
      expect(buckets.total('daily')).toBe(8);
      expect(buckets.total('totals')).toBe(8);
      const [hour] = [...buckets.docs.hourly.values()];
      expect(hour).toMatchObject({ count: 8, count_2xx: 6, count_5xx: 2, latency_sum_ms: 14, latency_max_ms: 3 });
      expect(buckets.docs.totals.get('k1')?.latest).toBe(NOW.getTime());
    });

    it('should count a delta once when its producer sent it twice, and once again when it is replayed', async () => {
      const sut = createSut();
      const copy = usageDeltaMessage(1, { sequence: 1, event_id: 'd0' });
      await expect(applyBatch(sut, batch([usageDeltaMessage(0), copy]))).resolves.toMatchObject({ aggregated: 4 });
      await expect(applyBatch(sut, batch([usageDeltaMessage(0), copy]))).resolves.toMatchObject({
        aggregated: 0,
        alreadyApplied: 4,
      });
      expect(buckets.total('totals')).toBe(4);
    });

    it('should read per-request events and deltas of the same partition alike', async () => {
      const outcome = await applyBatch(createSut(), batch([usageMessage(0, { key_id: 'k1' }), usageDeltaMessage(1)]));
      expect(outcome).toEqual({ aggregated: 5, deadLettered: 0, alreadyApplied: 0 });
      expect(buckets.total('totals')).toBe(5);
    });

    it('should dead-letter a delta that breaks the contract', async () => {
      const outcome = await applyBatch(createSut(), batch([usageDeltaMessage(0, { routes: [] })]));
      expect(outcome).toEqual({ aggregated: 0, deadLettered: 1, alreadyApplied: 0 });
      expect(published[0].record.reason).toBe("field 'routes' is missing or invalid");
    });
  });

  describe(deadLetterReasonLabel.name, () => {
    it.each([
      ['payload is not valid JSON', 'not_json'],
      ['payload is not a JSON object', 'not_object'],
      ["field 'version' is missing or invalid", 'unknown_version'],
      ["field 'type' is missing or invalid", 'unknown_type'],
      ["field 'route' is missing or invalid", 'invalid_field'],
      ['payload is empty', 'empty'],
    ])('should label %p as %p', (reason, label) => {
      expect(deadLetterReasonLabel(reason)).toBe(label);
    });
  });
});
