import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleAction, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { assertKeyUsable, DomainErrorCode } from '@rs/key-domain';
import {
  createUser,
  deleteUser,
  eventually,
  recordTopic,
  setUserEnabled,
  stackEndpoints,
  type TopicRecorder,
} from '@rs/testing';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  distinctLifecycleEvents,
  newRun,
  RunFixtures,
  type StoredDocument,
  storedKey,
  WorkerProcess,
} from './key-worker.harness';

const DAY = 24 * 3_600_000;

describe('key-worker scheduled jobs (real Redis, Mongo-wire DB, Kafka and Keycloak)', () => {
  const run = newRun('kwjobs');
  const fixtures = new RunFixtures(run);
  const workers: WorkerProcess[] = [];
  let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
  const keys = () => fixtures.db.collection<StoredDocument>('api_keys');
  const audit = () => fixtures.db.collection<StoredDocument>('api_key_audit');
  const eventsFor = (keyId: string, action: string) =>
    lifecycle.messages.filter(({ value }) => value.key_id === keyId && value.action === action);
  const distinctEventsFor = (keyId: string, action: KeyLifecycleAction) =>
    distinctLifecycleEvents(lifecycle, keyId, action);
  const startWorker = async (env: Record<string, string>) => {
    const worker = await WorkerProcess.start(run, env);
    workers.push(worker);
    return worker;
  };
  const stopWorkers = async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  };

  beforeAll(async () => {
    lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
  }, 60_000);

  afterEach(() => stopWorkers(), 60_000);

  afterAll(async () => {
    await lifecycle?.stop();
    await fixtures.cleanUp();
  }, 60_000);

  it('should expire each key whose time passed exactly once with two replicas (mark, audit, event) and leave the others alone', async () => {
    const now = Date.now();
    const expired = Array.from({ length: 12 }, () => storedKey({ expiration_date: new Date(now - 60_000) }));
    const expiringInTwoSeconds = storedKey({ expiration_date: new Date(now + 2000) });
    const future = storedKey();
    const neverExpires = storedKey({ never_expire: true, expiration_date: null });
    const revoked = storedKey({
      is_active: false,
      revoked_at: new Date(now - 1000),
      expiration_date: new Date(now - 60_000),
    });
    await keys().insertMany([...expired, expiringInTwoSeconds, future, neverExpires, revoked]);

    // A run that fails half-way (a replica stopping, a write refused) is finished by the next runs after 2 s.
    const env = { KEY_EXPIRY_EVERY_MS: '300', KEY_EXPIRY_RECOVERY_AFTER_MS: '2000' };
    await startWorker(env);
    await startWorker(env);
    const due = [...expired, expiringInTwoSeconds].map((key) => key._id);
    await eventually(
      async () =>
        expect(
          await keys().countDocuments({ _id: { $in: due }, expired_at: { $ne: null }, expiry_announced: true }),
        ).toBe(due.length),
      30_000,
      200,
    );
    await eventually(
      () => expect(due.every((keyId) => distinctEventsFor(keyId, 'expired') === 1)).toBe(true),
      15_000,
      200,
    );
    // More runs on both replicas change nothing.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await audit().countDocuments({ key_id: { $in: due }, action: 'expired' })).toBe(due.length);
    expect(due.map((keyId) => distinctEventsFor(keyId, 'expired'))).toEqual(due.map(() => 1));
    expect(eventsFor(due[0], 'expired')[0].value).toMatchObject({ actor: 'system:key-worker', user_id: 'it-user' });
    for (const untouched of [future, neverExpires, revoked]) {
      expect((await keys().findOne({ _id: untouched._id }))?.['expired_at'] ?? null).toBeNull();
      expect(eventsFor(untouched._id, 'expired')).toHaveLength(0);
    }

    // One scheduler per queue however many replicas registered it, and one run at a time.
    const queue = new Queue('key-expiry', {
      connection: {
        host: new URL(stackEndpoints.redisUrl).hostname,
        port: Number(new URL(stackEndpoints.redisUrl).port || 6379),
      },
      prefix: run.bullPrefix,
    });
    try {
      expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual(['key-expiry:every']);
      expect(await queue.getGlobalConcurrency()).toBe(1);
    } finally {
      await queue.close();
    }

    // The schedule survives the workers: stopped, a key expires meanwhile, a new worker processes it.
    await stopWorkers();
    const whileStopped = storedKey({ expiration_date: new Date(Date.now() - 1000) });
    await keys().insertOne(whileStopped);
    const restarted = await startWorker(env);
    await eventually(
      async () => expect(await keys().findOne({ _id: whileStopped._id })).toMatchObject({ expiry_announced: true }),
      30_000,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nworker log:\n${restarted.logs().slice(-4000)}`);
    });
  }, 120_000);

  it('should announce a key expiring within the notice window once per expiration date', async () => {
    const soon = storedKey({ expiration_date: new Date(Date.now() + DAY) });
    const later = storedKey({ expiration_date: new Date(Date.now() + 10 * DAY) });
    await keys().insertMany([soon, later]);
    await startWorker({ EXPIRING_NOTICE_EVERY_MS: '300', EXPIRING_NOTICE_DAYS: '3' });
    await eventually(() => expect(distinctEventsFor(soon._id, 'expiring')).toBe(1), 30_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(distinctEventsFor(soon._id, 'expiring')).toBe(1);
    expect(eventsFor(soon._id, 'expiring')[0].value.expiration_date).toBe(
      (soon['expiration_date'] as Date).toISOString(),
    );
    expect(eventsFor(later._id, 'expiring')).toHaveLength(0);
  }, 60_000);

  it('should take access away from the keys of a user disabled in Keycloak through the periodic sync, and give it back when re-enabled', async () => {
    const username = `kw-sync-${randomUUID().slice(0, 8)}`;
    const userId = await createUser(username, randomUUID(), []);
    // Only this user's key in the run's database: the fake owners of the other tests are unknown to Keycloak.
    await keys().deleteMany({});
    try {
      const key = storedKey({ user_id: userId, user_login: 'placeholder' });
      await keys().insertOne(key);
      await startWorker({ KEYCLOAK_SYNC_EVERY_MS: '500' });
      // First pass: user enabled, login refreshed from Keycloak.
      await eventually(
        async () => expect((await keys().findOne({ _id: key._id }))?.['user_login']).not.toBe('placeholder'),
        30_000,
        200,
      );

      await setUserEnabled(username, false);
      await eventually(
        async () => expect(await keys().findOne({ _id: key._id })).toMatchObject({ user_active: false }),
        30_000,
        200,
      );
      const stored = (await keys().findOne({ _id: key._id })) as Record<string, unknown>;
      // What the key manager's check decides from the stored key: refused, owner disabled.
      expect(() => assertKeyUsable(stored as never, new Date())).toThrow(
        expect.objectContaining({ code: DomainErrorCode.KEY_USER_DISABLED }),
      );
      // The audit record is written right after the keys (two writes, not one transaction): wait for it too.
      await eventually(
        async () => expect(await audit().countDocuments({ key_id: key._id, action: 'user_disabled' })).toBe(1),
        15_000,
        200,
      );
      await eventually(() => expect(distinctEventsFor(key._id, 'user_disabled')).toBe(1), 15_000, 200);

      await setUserEnabled(username, true);
      await eventually(
        async () => expect(await keys().findOne({ _id: key._id })).toMatchObject({ user_active: true }),
        30_000,
        200,
      );
    } finally {
      await deleteUser(username).catch(() => undefined);
    }
  }, 120_000);

  it('should delete hour buckets older than the retention and keep recent hours and the day buckets', async () => {
    const now = Date.now();
    const hourOf = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000);
    const bucket = (id: string, hour: Date) => ({
      _id: id,
      key_id: 'k',
      user_id: 'u',
      service: 's',
      method: 'GET',
      route: '/r',
      hour,
      count: 1,
      applied: { p0: 1 },
      updated_at: new Date(),
    });
    await fixtures.db
      .collection<StoredDocument>('api_key_usage_hourly')
      .insertMany([bucket('old', hourOf(now - 40 * DAY)), bucket('recent', hourOf(now - 2 * DAY))]);
    await fixtures.db
      .collection<StoredDocument>('api_key_usage_daily')
      .insertOne({ _id: 'old-day', key_id: 'k', day: new Date(now - 40 * DAY), count: 1 });
    await startWorker({ USAGE_RETENTION_EVERY_MS: '300', USAGE_HOURLY_RETENTION_DAYS: '30' });
    await eventually(
      async () =>
        expect(
          await fixtures.db.collection<StoredDocument>('api_key_usage_hourly').countDocuments({ _id: 'old' }),
        ).toBe(0),
      30_000,
      200,
    );
    expect(await fixtures.db.collection<StoredDocument>('api_key_usage_hourly').countDocuments({ _id: 'recent' })).toBe(
      1,
    );
    expect(await fixtures.db.collection<StoredDocument>('api_key_usage_daily').countDocuments({ _id: 'old-day' })).toBe(
      1,
    );
  }, 60_000);
});
