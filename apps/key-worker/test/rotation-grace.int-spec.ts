// The end of rotation grace periods, run by the built key worker's expiry scheduler against the real Redis, Mongo-wire
// DB and Kafka: each end claimed once, audited, and announced as `rotation_ended`; pending ones left alone.
import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { eventually, recordTopic, type TopicRecorder } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import {
  distinctLifecycleEvents,
  newRun,
  RunFixtures,
  storedKey,
  type StoredDocument,
  WorkerProcess,
} from './key-worker.harness';

/** A rotated key whose old value stops working at `graceEnd`. */
function rotatedKey(graceEnd: Date): StoredDocument {
  const id = randomUUID();
  return storedKey({
    _id: id,
    hint: 'rsk_new…',
    never_expire: true,
    expiration_date: null,
    rotated_at: new Date(),
    previous_hash: `old-hash-${id}`,
    previous_hint: 'rsk_old…',
    previous_hash_expires_at: graceEnd,
    previous_hash_ended_at: null,
    state_version: 2,
  });
}

describe('key-worker: ends of rotation grace periods', () => {
  const run = newRun('kwrot');
  const fixtures = new RunFixtures(run);
  let worker: WorkerProcess | undefined;
  let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
  const keys = () => fixtures.db.collection<StoredDocument>('api_keys');
  const audit = () => fixtures.db.collection<StoredDocument>('api_key_audit');
  const endsOf = (keyId: string) => distinctLifecycleEvents(lifecycle, keyId, 'rotation_ended');

  beforeAll(async () => {
    lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await lifecycle?.stop();
    await fixtures.cleanUp();
  }, 60_000);

  it('should end each grace period that is over once (mark, audit, event) and leave pending ones alone', async () => {
    const now = Date.now();
    const over = [rotatedKey(new Date(now - 60_000)), rotatedKey(new Date(now + 1500))];
    const pending = rotatedKey(new Date(now + 3_600_000));
    await keys().insertMany([...over, pending]);

    worker = await WorkerProcess.start(run, { KEY_EXPIRY_EVERY_MS: '300', KEY_EXPIRY_RECOVERY_AFTER_MS: '2000' });
    const ids = over.map((key) => key._id);
    await eventually(
      async () =>
        expect(
          await keys().countDocuments({
            _id: { $in: ids },
            previous_hash_ended_at: { $ne: null },
            previous_end_announced: true,
          }),
        ).toBe(ids.length),
      30_000,
      200,
    );
    await eventually(() => expect(ids.map(endsOf)).toEqual([1, 1]), 15_000, 200);
    // Later runs change nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await audit().countDocuments({ key_id: { $in: ids }, action: 'rotation_ended' })).toBe(ids.length);
    expect(ids.map(endsOf)).toEqual([1, 1]);
    const event = lifecycle.messages.find(
      ({ value }) => value.key_id === ids[0] && value.action === 'rotation_ended',
    )?.value;
    expect(event).toMatchObject({
      actor: 'system:key-worker',
      state_version: 3,
      previous_secret_expires_at: (over[0]['previous_hash_expires_at'] as Date).toISOString(),
    });
    expect(await keys().findOne({ _id: pending._id })).toMatchObject({ previous_hash_ended_at: null });
    expect(endsOf(pending._id)).toBe(0);
  }, 120_000);
});
