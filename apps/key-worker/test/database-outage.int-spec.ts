import { eventually, PrivateMongo } from '@rs/testing';
import { manyEvents, newRun, RunFixtures, WorkerProcess } from './key-worker.harness';

const TOTAL = 12_000;

describe('key-worker while its Mongo-wire DB is down', () => {
  const run = newRun('kwdbdown');
  let mongo: PrivateMongo;
  let fixtures: RunFixtures;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    mongo = await PrivateMongo.create();
    await mongo.start();
    fixtures = new RunFixtures(run, mongo.url(run.database));
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await fixtures.cleanUp();
    await mongo.dispose();
  }, 60_000);

  it('should keep running, then count every event exactly once, when the database is killed mid-stream and comes back', async () => {
    worker = await WorkerProcess.start(run, {
      MONGO_URL: mongo.url(run.database),
      USAGE_FETCH_MAX_BYTES_PER_PARTITION: '65536',
    });
    await worker.joined();
    const events = manyEvents(TOTAL, 30, 'dbdown');
    await fixtures.produceEvents(events.slice(0, TOTAL / 2));
    await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThan(0), 60_000, 50);

    // Killed while writing; the rest of the stream arrives while it is down.
    await mongo.kill();
    await fixtures.produceEvents(events.slice(TOTAL / 2));
    await eventually(
      () => expect(worker?.logs()).toMatch(/Usage aggregates of partition \d+ not written/),
      60_000,
      200,
    );
    expect(worker.child.exitCode).toBeNull();

    await mongo.start();
    await eventually(async () => expect(await fixtures.totalQueries()).toBeGreaterThanOrEqual(TOTAL), 120_000, 250);
    // Let anything that would double count arrive, then check exactness in every collection.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await fixtures.totalQueries()).toBe(TOTAL);
    expect(await fixtures.bucketCount('api_key_usage_hourly')).toBe(TOTAL);
    expect(await fixtures.bucketCount('api_key_usage_daily')).toBe(TOTAL);
    expect(worker.child.exitCode).toBeNull();
  }, 300_000);
});
