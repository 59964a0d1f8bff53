import { eventually } from '@rs/testing';
import { manyEvents, newRun, RunFixtures, WorkerProcess } from './key-worker.harness';

const TOTAL = 30_000;
// Small fetches make many batches, so a kill is likely to land in the middle of one's writes.
const SMALL_BATCHES = { USAGE_FETCH_MAX_BYTES_PER_PARTITION: '16384', USAGE_BATCH_SIZE: '200' };

describe('key-worker exactly-once effect across crashes (SIGKILL mid-stream)', () => {
  const run = newRun('kwcrash');
  const fixtures = new RunFixtures(run);
  let worker: WorkerProcess | undefined;

  /** True when some document holds an event at or past its partition's committed offset: a restart will replay it. */
  async function appliedBeyondCommitted(): Promise<boolean> {
    const admin = fixtures.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: run.group, topics: [run.usageTopic] });
      const committed = new Map(offsets.partitions.map(({ partition, offset }) => [`p${partition}`, Number(offset)]));
      const docs = await fixtures.db.collection('api_key_usage_hourly').find({}).toArray();
      return docs.some((doc) =>
        Object.entries((doc['applied'] ?? {}) as Record<string, number>).some(
          ([field, applied]) => applied >= (committed.get(field) ?? -1),
        ),
      );
    } finally {
      await admin.disconnect();
    }
  }

  afterAll(async () => {
    await worker?.stop();
    await fixtures.cleanUp();
  }, 60_000);

  it('should count every produced event exactly once after the worker is killed three times while aggregating', async () => {
    worker = await WorkerProcess.start(run, SMALL_BATCHES);
    await worker.joined();
    const events = manyEvents(TOTAL, 40, 'crash');
    const produced = fixtures.produceEvents(events);

    let killsWithAppliedButUncommittedEvents = 0;
    for (const killAt of [TOTAL * 0.15, TOTAL * 0.4, TOTAL * 0.65]) {
      // Kill while aggregates are moving: some documents of the batch in flight written, others not, offsets not committed.
      await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThan(killAt), 120_000, 50);
      await worker.kill();
      expect(await fixtures.totalQueries()).toBeLessThan(TOTAL);
      if (await appliedBeyondCommitted()) killsWithAppliedButUncommittedEvents++;
      worker = await WorkerProcess.start(run, SMALL_BATCHES);
    }
    await produced;

    await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThanOrEqual(TOTAL), 180_000, 250);
    // Let anything that would double count arrive, then check exactness in every collection.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await fixtures.totalQueries()).toBe(TOTAL);
    expect(await fixtures.bucketCount('api_key_usage_hourly')).toBe(TOTAL);
    expect(await fixtures.bucketCount('api_key_usage_daily')).toBe(TOTAL);
    const perKey = await fixtures.db.collection('api_key_usage_totals').find({}).toArray();
    expect(perKey).toHaveLength(40);
    expect(perKey.every((doc) => doc['total_queries'] === TOTAL / 40)).toBe(true);
    // The replay path was really taken: at least one kill left events written to the aggregates but not committed.
    expect(killsWithAppliedButUncommittedEvents).toBeGreaterThan(0);
  }, 420_000);
});
