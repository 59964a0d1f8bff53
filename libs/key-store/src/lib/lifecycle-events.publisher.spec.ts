import { KEY_LIFECYCLE_TOPIC } from '@rs/event-contracts';
import { MetricsService } from '@rs/service-kit';
import type { Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { OutboxEvent } from './event-outbox.schema';
import type { KeyStoreOptions } from './key-store.options';
import { type LifecycleChange, LifecycleEventsPublisher } from './lifecycle-events.publisher';

const TIMEOUT_MS = 50;
const options = { clientId: 'test', kafkaBrokers: [], eventPublishTimeoutMs: TIMEOUT_MS } as unknown as KeyStoreOptions;
const revoked: LifecycleChange = {
  action: 'revoked',
  key_id: 'k1',
  user_id: 'u1',
  actor: 'u1',
  reason: 'revoked by its owner',
};

/** A promise settled from outside, to control the order in which Kafka and the database answer. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(LifecycleEventsPublisher.name, () => {
  let sut: LifecycleEventsPublisher;
  let producer: { connect: jest.Mock; send: jest.Mock; disconnect: jest.Mock };
  let outbox: { insertMany: jest.Mock; deleteMany: jest.Mock; find: jest.Mock };
  let metrics: MetricsService;

  beforeEach(() => {
    producer = {
      connect: jest.fn(async () => undefined),
      send: jest.fn(async () => []),
      disconnect: jest.fn(async () => undefined),
    };
    outbox = {
      insertMany: jest.fn(async () => []),
      deleteMany: jest.fn(async () => ({ deletedCount: 1 })),
      find: jest.fn(),
    };
    metrics = new MetricsService();
    sut = new LifecycleEventsPublisher(
      options,
      outbox as unknown as Model<OutboxEvent>,
      metrics,
      producer as unknown as Producer,
    );
  });

  describe('publish', () => {
    it('should send to Kafka without waiting for the outbox write, and resolve on the acknowledgement', async () => {
      const write = deferred<unknown>();
      outbox.insertMany.mockReturnValue(write.promise);
      await sut.publish([revoked]);
      expect(producer.send).toHaveBeenCalledWith({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: [{ key: 'k1', value: expect.any(String) }],
      });
      const event = JSON.parse(producer.send.mock.calls[0][0].messages[0].value);
      expect(event).toMatchObject({ action: 'revoked', key_id: 'k1', type: 'key.lifecycle', version: 1 });
      expect(outbox.insertMany).toHaveBeenCalledWith([
        expect.objectContaining({ _id: event.event_id, key: 'k1', topic: KEY_LIFECYCLE_TOPIC }),
      ]);
      // The outbox copy of an acknowledged event is deleted once it is stored.
      expect(outbox.deleteMany).not.toHaveBeenCalled();
      write.resolve([]);
      await settle();
      expect(outbox.deleteMany).toHaveBeenCalledWith({ _id: { $in: [event.event_id] } });
    });

    it('should resolve once stored, keeping the outbox copy, when Kafka does not acknowledge in time', async () => {
      producer.send.mockReturnValue(new Promise(() => undefined));
      const started = Date.now();
      await sut.publish([revoked]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(outbox.insertMany).toHaveBeenCalledTimes(1);
      expect(outbox.deleteMany).not.toHaveBeenCalled();
    });

    it('should resolve once stored when Kafka fails at once', async () => {
      producer.send.mockRejectedValue(new Error('broker down'));
      await expect(sut.publish([revoked])).resolves.toBeUndefined();
      await settle();
      expect(outbox.deleteMany).not.toHaveBeenCalled();
    });

    it('should resolve when Kafka acknowledged even though the outbox write failed', async () => {
      outbox.insertMany.mockRejectedValue(new Error('database down'));
      await expect(sut.publish([revoked])).resolves.toBeUndefined();
      await settle();
      expect(outbox.deleteMany).not.toHaveBeenCalled();
    });

    it('should reject when the events were neither acknowledged nor stored', async () => {
      producer.send.mockRejectedValue(new Error('broker down'));
      outbox.insertMany.mockRejectedValue(new Error('database down'));
      await expect(sut.publish([revoked])).rejects.toThrow('database down');
    });

    it('should wait for the outbox write after a Kafka timeout, however long it takes', async () => {
      producer.send.mockReturnValue(new Promise(() => undefined));
      const write = deferred<unknown>();
      outbox.insertMany.mockReturnValue(write.promise);
      let done = false;
      const publishing = sut.publish([revoked]).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 2));
      expect(done).toBe(false);
      write.resolve([]);
      await publishing;
      expect(done).toBe(true);
    });

    it('should do nothing for no changes', async () => {
      await sut.publish([]);
      expect(producer.send).not.toHaveBeenCalled();
      expect(outbox.insertMany).not.toHaveBeenCalled();
    });
  });

  describe('relay', () => {
    const stored = [
      { _id: 'e1', topic: KEY_LIFECYCLE_TOPIC, key: 'k1', payload: '{"event_id":"e1"}', created_at: new Date() },
    ];

    interface FindQuery {
      sort: jest.Mock;
      limit: jest.Mock;
      lean: jest.Mock;
      exec: jest.Mock;
    }

    function findReturning(rows: unknown[]): FindQuery {
      const query: FindQuery = {
        sort: jest.fn(() => query),
        limit: jest.fn(() => query),
        lean: jest.fn(() => query),
        exec: jest.fn(async () => rows),
      };
      outbox.find.mockReturnValue(query);
      return query;
    }

    it('should re-send only entries older than a publish in progress, oldest first, then delete them', async () => {
      const query = findReturning(stored);
      const before = Date.now();
      await expect(sut.relay()).resolves.toBe(1);
      const { created_at } = outbox.find.mock.calls[0][0] as { created_at: { $lte: Date } };
      // A publish waits at most eventPublishTimeoutMs for Kafka; the relay leaves its entries alone meanwhile.
      expect(created_at.$lte.getTime()).toBeLessThanOrEqual(before - TIMEOUT_MS);
      expect(query.sort).toHaveBeenCalledWith({ created_at: 1 });
      expect(producer.send).toHaveBeenCalledWith({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: [{ key: 'k1', value: '{"event_id":"e1"}' }],
      });
      expect(outbox.deleteMany).toHaveBeenCalledWith({ _id: { $in: ['e1'] } });
    });

    it('should keep the entries when Kafka fails', async () => {
      findReturning(stored);
      producer.send.mockRejectedValue(new Error('broker down'));
      await expect(sut.relay()).resolves.toBe(0);
      expect(outbox.deleteMany).not.toHaveBeenCalled();
    });

    it('should not touch Kafka when nothing waits', async () => {
      findReturning([]);
      await expect(sut.relay()).resolves.toBe(0);
      expect(producer.send).not.toHaveBeenCalled();
    });
  });
});
