import { MetricsService } from '@rs/service-kit';
import type { DeadLetterPublisher } from './dead-letter.publisher';
import { InMemoryUsageBuckets } from './testing/in-memory-usage-buckets.test-helper';
import { USAGE_NOW as NOW, usageMessages } from './testing/usage-messages.test-helper';
import {
  type BatchOutcome,
  UsageAggregationService,
  type UsageMessage,
  type UsagePlan,
} from './usage-aggregation.service';
import type { UsageBucketsRepository } from './usage-buckets.repository';
import { UsagePipeline, type UsagePlanner } from './usage-pipeline';

const TOPIC = 'rs.apikey.usage.v1';

const log = (length: number): UsageMessage[] => usageMessages(0, length);

/** The real aggregation service over in-memory documents, whose writes can be held back. */
class HeldPlanner implements UsagePlanner {
  readonly buckets = new InMemoryUsageBuckets();
  readonly written: string[] = [];
  private readonly service = new UsageAggregationService(
    this.buckets as unknown as UsageBucketsRepository,
    { publish: async () => undefined } as unknown as DeadLetterPublisher,
    () => NOW,
    new MetricsService(),
  );
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = null;
    this.open();
  }

  newPlan(topic: string, partition: number): UsagePlan {
    return this.service.newPlan(topic, partition);
  }

  plan(plan: UsagePlan, messages: readonly UsageMessage[]): void {
    this.service.plan(plan, messages);
  }

  async write(plan: UsagePlan): Promise<BatchOutcome> {
    if (this.gate) await this.gate;
    this.written.push(`${plan.firstOffset}-${plan.lastOffset}`);
    return this.service.write(plan);
  }
}

describe(UsagePipeline.name, () => {
  let planner: HeldPlanner;
  let commits: string[];
  let seeks: string[];
  let sut: UsagePipeline;

  beforeEach(() => {
    planner = new HeldPlanner();
    commits = [];
    seeks = [];
    sut = new UsagePipeline(
      planner,
      {
        commit: async (_topic, partition, offset) => void commits.push(`${partition}@${offset}`),
        seek: (_topic, partition, offset) => void seeks.push(`${partition}@${offset}`),
      },
      { maxPending: 10, maxConcurrentWrites: 1, retryDelayMs: 1, maxRetryDelayMs: 4 },
    );
  });

  it('should plan what arrives during a write into one plan, written next, and commit after each write', async () => {
    const messages = log(30);
    planner.hold();
    sut.add(TOPIC, 0, messages.slice(0, 5));
    sut.add(TOPIC, 0, messages.slice(5, 12));
    sut.add(TOPIC, 0, messages.slice(12, 20));
    expect(sut.pendingCount).toBe(15);
    expect(commits).toEqual([]);
    planner.release();
    await sut.drain();
    expect(planner.written).toEqual(['0-4', '5-19']);
    expect(commits).toEqual(['0@5', '0@20']);
    expect(planner.buckets.total('totals')).toBe(20);
  });

  it('should keep partitions apart: one partition waiting on its write does not hold another', async () => {
    const messages = log(10);
    planner.hold();
    sut.add(TOPIC, 1, messages.slice(0, 5));
    await expect(
      Promise.race([sut.room(TOPIC, 2), new Promise((resolve) => setTimeout(() => resolve('waited'), 50))]),
    ).resolves.toBeUndefined();
    planner.release();
    await sut.drain();
    expect(commits).toEqual(['1@5']);
  });

  it('should write at most maxConcurrentWrites plans at once, partitions taking turns', async () => {
    const messages = log(30);
    planner.hold();
    sut.add(TOPIC, 1, messages.slice(0, 5));
    sut.add(TOPIC, 2, messages.slice(0, 5));
    sut.add(TOPIC, 1, messages.slice(5, 10));
    await new Promise((resolve) => setImmediate(resolve));
    // Partition 1 holds the only slot; partition 2 waits with 5 planned, partition 1 with its next 5.
    expect(sut.pendingCount).toBe(10);
    planner.release();
    await sut.drain();
    expect(planner.written).toEqual(['0-4', '0-4', '5-9']);
    expect(commits).toEqual(['1@5', '2@5', '1@10']);
  });

  it('should make room wait while the pending plan is full and a write is in progress', async () => {
    const messages = log(30);
    planner.hold();
    sut.add(TOPIC, 0, messages.slice(0, 5));
    sut.add(TOPIC, 0, messages.slice(5, 15));
    let roomy = false;
    const room = sut.room(TOPIC, 0).then(() => (roomy = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(roomy).toBe(false);
    planner.release();
    await room;
    expect(roomy).toBe(true);
    await sut.drain();
  });

  describe('with minWriteIntervalMs', () => {
    const pipeline = (minWriteIntervalMs: number): UsagePipeline =>
      new UsagePipeline(
        planner,
        {
          commit: async (_topic, partition, offset) => void commits.push(`${partition}@${offset}`),
          seek: () => undefined,
        },
        { maxPending: 10, maxConcurrentWrites: 1, retryDelayMs: 1, maxRetryDelayMs: 4, minWriteIntervalMs },
      );
    const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

    it('should write a partition again only once the interval has passed, as one write of what arrived meanwhile', async () => {
      // An interval far above a busy CI machine's timer lag (80 ms once let the second write through early).
      sut = pipeline(1000);
      const messages = log(14);
      const started = Date.now();
      sut.add(TOPIC, 0, messages.slice(0, 5));
      await settle();
      sut.add(TOPIC, 0, messages.slice(5, 10));
      sut.add(TOPIC, 0, messages.slice(10, 14));
      await settle(20);
      expect(planner.written).toEqual(['0-4']);
      expect(sut.pendingCount).toBe(9);
      while (planner.written.length < 2 && Date.now() - started < 5000) await settle(20);
      expect(planner.written).toEqual(['0-4', '5-13']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(commits).toEqual(['0@5', '0@14']);
    });

    it('should not hold other partitions, a full plan, or drain', async () => {
      sut = pipeline(60_000);
      const messages = log(30);
      sut.add(TOPIC, 0, messages.slice(0, 5));
      sut.add(TOPIC, 1, messages.slice(0, 5));
      await settle();
      expect(planner.written).toEqual(['0-4', '0-4']);
      sut.add(TOPIC, 0, messages.slice(5, 15));
      await settle();
      expect(planner.written).toEqual(['0-4', '0-4', '5-14']);
      sut.add(TOPIC, 0, messages.slice(15, 20));
      await settle(20);
      expect(planner.written).toHaveLength(3);
      await sut.drain();
      expect(planner.written).toEqual(['0-4', '0-4', '5-14', '15-19']);
      expect(commits).toEqual(['0@5', '1@5', '0@15', '0@20']);
    });
  });

  it('should skip messages planned already (a re-fetch of the same offsets into the same plan)', async () => {
    const messages = log(20);
    planner.hold();
    sut.add(TOPIC, 0, messages.slice(0, 5));
    sut.add(TOPIC, 0, messages.slice(5, 10));
    sut.add(TOPIC, 0, messages.slice(7, 20));
    expect(sut.pendingCount).toBe(15);
    planner.release();
    await sut.drain();
    expect(planner.buckets.total('totals')).toBe(20);
    expect(commits.at(-1)).toBe('0@20');
  });

  it('should discard what a failed write leaves, seek back to the first unwritten offset, and hold the partition for the retry delay', async () => {
    const messages = log(40);
    sut.add(TOPIC, 0, messages.slice(0, 10));
    await sut.drain();
    planner.hold();
    planner.buckets.crashAfterWrites(2);
    sut.add(TOPIC, 0, messages.slice(10, 20));
    sut.add(TOPIC, 0, messages.slice(20, 25));
    planner.release();
    await sut.drain();
    expect(seeks).toEqual(['0@10']);
    expect(commits).toEqual(['0@10']);
    expect(sut.pendingCount).toBe(0);
    planner.buckets.heal();
    // The consumer fetches again from the offset it was told.
    await sut.room(TOPIC, 0);
    sut.add(TOPIC, 0, messages.slice(10, 40));
    await sut.drain();
    expect([planner.buckets.total('hourly'), planner.buckets.total('daily'), planner.buckets.total('totals')]).toEqual([
      40, 40, 40,
    ]);
    expect(commits.at(-1)).toBe('0@40');
  });

  it('should not commit a write of a group generation that a rebalance ended, and drop what was planned after it', async () => {
    const messages = log(20);
    planner.hold();
    sut.add(TOPIC, 0, messages.slice(0, 5));
    sut.add(TOPIC, 0, messages.slice(5, 10));
    sut.reset();
    planner.release();
    await sut.drain();
    expect(planner.written).toEqual(['0-4']);
    expect(commits).toEqual([]);
    // The consumer starts over from the committed offset: the replay counts nothing twice.
    sut.add(TOPIC, 0, messages.slice(0, 20));
    await sut.drain();
    expect(planner.buckets.total('totals')).toBe(20);
    expect(commits).toEqual(['0@20']);
  });

  it('should count every event exactly once through random fetch sizes, failed writes and rebalances', async () => {
    let seed = 7;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const total = 400;
    const messages = log(total);
    // A consumer of one partition: fetch position, committed offset; seek moves the position.
    let position = 0;
    let committed = 0;
    sut = new UsagePipeline(
      planner,
      {
        commit: async (_topic, _partition, offset) => void (committed = Number(offset)),
        seek: (_topic, _partition, offset) => {
          position = Number(offset);
          // The database is back by the time the partition is fetched again.
          planner.buckets.heal();
        },
      },
      { maxPending: 25, maxConcurrentWrites: 2, retryDelayMs: 1, maxRetryDelayMs: 2 },
    );
    while (committed < total) {
      if (random(15) === 0) planner.buckets.crashAfterWrites(random(6));
      if (random(20) === 0) {
        sut.reset();
        position = committed;
      }
      await sut.room(TOPIC, 0);
      const end = Math.min(total, position + 1 + random(30));
      sut.add(TOPIC, 0, messages.slice(position, end));
      position = end;
      if (random(4) === 0 || position === total) await sut.drain();
    }
    expect([planner.buckets.total('hourly'), planner.buckets.total('daily'), planner.buckets.total('totals')]).toEqual([
      total,
      total,
      total,
    ]);
  });
});
