import { eventually } from '@rs/testing';
import { manyEvents, newRun, RunFixtures, WorkerProcess } from './key-worker.harness';

describe('key-worker replicas sharing the usage consumer group', () => {
  const run = newRun('kwrepl');
  const fixtures = new RunFixtures(run);
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fixtures.cleanUp();
  }, 60_000);

  it('should split the partitions between two replicas and keep the aggregates exact, also when one of them dies', async () => {
    const options = { USAGE_FETCH_MAX_BYTES_PER_PARTITION: '65536' };
    workers.push(await WorkerProcess.start(run, options));
    await workers[0].joined();
    workers.push(await WorkerProcess.start(run, options));
    await workers[1].joined();

    await fixtures.produceEvents(manyEvents(12_000, 60, 'repl'));
    await eventually(async () => expect(await fixtures.totalQueries()).toBe(12_000), 120_000, 250);
    // Both replicas did part of the work (partitions are shared, not duplicated).
    const shares = await Promise.all(
      workers.map((worker) => worker.metric('key_worker_usage_requests_total', 'outcome="aggregated"')),
    );
    expect(shares.every((share) => share > 0)).toBe(true);
    expect(shares[0] + shares[1]).toBeGreaterThanOrEqual(12_000);

    // One replica dies mid-stream: the other takes its partitions over from their committed offsets.
    const more = fixtures.produceEvents(manyEvents(12_000, 60, 'repl'));
    await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThan(14_000), 120_000, 50);
    await workers[1].kill();
    await more;
    await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThanOrEqual(24_000), 180_000, 250);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await fixtures.totalQueries()).toBe(24_000);
    expect(await fixtures.bucketCount('api_key_usage_hourly')).toBe(24_000);
    expect(await fixtures.bucketCount('api_key_usage_daily')).toBe(24_000);
  }, 420_000);
});
