import { KEY_LIFECYCLE_TOPIC } from '@rs/event-contracts';
import { MetricsService } from '@rs/service-kit';
import type { Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { ApiKeysRepository } from './api-keys.repository';
import type { OutboxEvent } from './event-outbox.schema';
import type { KeyStoreOptions } from './key-store.options';
import { pendingLifecycleEvent } from './lifecycle-event.util';
import { type LifecycleFastPath, LifecycleEventsPublisher } from './lifecycle-events.publisher';

const TIMEOUT_MS = 50;
const options = { clientId: 'test', kafkaBrokers: [], eventPublishTimeoutMs: TIMEOUT_MS } as unknown as KeyStoreOptions;
const revoked = pendingLifecycleEvent(
  { action: 'revoked', key_id: 'k1', user_id: 'u1', actor: 'u1', reason: 'revoked by its owner' },
  3,
  new Date(),
);

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(LifecycleEventsPublisher.name, () => {
  let sut: LifecycleEventsPublisher;
  let producer: { connect: jest.Mock; send: jest.Mock; disconnect: jest.Mock };
  let outbox: { deleteMany: jest.Mock; find: jest.Mock };
  let keys: { findPendingEvents: jest.Mock; forgetPendingEvents: jest.Mock };

  beforeEach(() => {
    producer = {
      connect: jest.fn(async () => undefined),
      send: jest.fn(async () => []),
      disconnect: jest.fn(async () => undefined),
    };
    outbox = { deleteMany: jest.fn(async () => ({ deletedCount: 1 })), find: jest.fn(() => findReturning([])) };
    keys = { findPendingEvents: jest.fn(async () => []), forgetPendingEvents: jest.fn(async () => undefined) };
    sut = new LifecycleEventsPublisher(
      options,
      outbox as unknown as Model<OutboxEvent>,
      keys as unknown as ApiKeysRepository,
      new MetricsService(),
      producer as unknown as Producer,
    );
  });

  function withFastPath(fastPath: LifecycleFastPath): LifecycleEventsPublisher {
    return new LifecycleEventsPublisher(
      options,
      outbox as unknown as Model<OutboxEvent>,
      keys as unknown as ApiKeysRepository,
      new MetricsService(),
      producer as unknown as Producer,
      fastPath,
    );
  }

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
    return query;
  }

  describe('publish', () => {
    it('should send the stored event as it is, keyed by key id, then remove it from its key', async () => {
      await sut.publish([revoked]);
      expect(producer.send).toHaveBeenCalledWith({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: [{ key: 'k1', value: revoked.payload }],
      });
      expect(JSON.parse(revoked.payload)).toMatchObject({ action: 'revoked', key_id: 'k1', state_version: 3 });
      await settle();
      expect(keys.forgetPendingEvents).toHaveBeenCalledWith([revoked]);
    });

    it('should resolve after the timeout, leaving the event on its key, when Kafka does not acknowledge', async () => {
      producer.send.mockReturnValue(new Promise(() => undefined));
      const started = Date.now();
      await sut.publish([revoked]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(keys.forgetPendingEvents).not.toHaveBeenCalled();
    });

    it('should resolve, leaving the event to the relay, when Kafka fails at once', async () => {
      producer.send.mockRejectedValue(new Error('broker down'));
      await expect(sut.publish([revoked])).resolves.toBeUndefined();
      await settle();
      expect(keys.forgetPendingEvents).not.toHaveBeenCalled();
    });

    it('should resolve when Kafka acknowledged even though removing the stored copy failed', async () => {
      keys.forgetPendingEvents.mockRejectedValue(new Error('database down'));
      await expect(sut.publish([revoked])).resolves.toBeUndefined();
      await settle();
    });

    it('should do nothing for no events', async () => {
      await sut.publish([]);
      expect(producer.send).not.toHaveBeenCalled();
    });

    it("should hand each event to this process's local listeners first, even with Kafka down", async () => {
      producer.send.mockRejectedValue(new Error('broker down'));
      const listener = jest.fn();
      const unsubscribe = sut.onLocalEvent(listener);
      await sut.publish([revoked]);
      expect(listener).toHaveBeenCalledWith(
        expect.objectContaining({ action: 'revoked', key_id: 'k1', state_version: 3 }),
      );
      unsubscribe();
      await sut.publish([revoked]);
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('should publish each event on the fast path before Kafka acknowledges it', async () => {
      const fastPath = { start: jest.fn(), stop: jest.fn(), publish: jest.fn() };
      sut = withFastPath(fastPath);
      producer.send.mockReturnValue(new Promise(() => undefined));

      await sut.publish([revoked]);

      expect(fastPath.publish).toHaveBeenCalledWith(revoked.payload);
    });

    it('should start the fast path with the module and stop it at shutdown', async () => {
      const fastPath = { start: jest.fn(), stop: jest.fn(), publish: jest.fn() };
      sut = withFastPath(fastPath);

      sut.onModuleInit();
      await sut.onApplicationShutdown();

      expect(fastPath.start).toHaveBeenCalled();
      expect(fastPath.stop).toHaveBeenCalled();
    });
  });

  describe('relay', () => {
    it('should re-send only events older than a publish in progress, in stored order, then remove them', async () => {
      const renewed = pendingLifecycleEvent(
        { action: 'renewed', key_id: 'k1', user_id: 'u1', actor: 'u1' },
        4,
        new Date(),
      );
      keys.findPendingEvents.mockResolvedValue([revoked, renewed]);
      const before = Date.now();
      await expect(sut.relay()).resolves.toBe(2);
      const [storedBefore] = keys.findPendingEvents.mock.calls[0] as [Date];
      // A publish waits at most eventPublishTimeoutMs for Kafka; the relay leaves its events alone meanwhile.
      expect(storedBefore.getTime()).toBeLessThanOrEqual(before - TIMEOUT_MS);
      expect(producer.send).toHaveBeenCalledWith({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: [
          { key: 'k1', value: revoked.payload },
          { key: 'k1', value: renewed.payload },
        ],
      });
      expect(keys.forgetPendingEvents).toHaveBeenCalledWith([revoked, renewed]);
    });

    it('should keep the events when Kafka fails', async () => {
      keys.findPendingEvents.mockResolvedValue([revoked]);
      producer.send.mockRejectedValue(new Error('broker down'));
      await expect(sut.relay()).resolves.toBe(0);
      expect(keys.forgetPendingEvents).not.toHaveBeenCalled();
    });

    it('should drain the event_outbox collection an earlier release left', async () => {
      const legacy = {
        _id: 'e1',
        topic: KEY_LIFECYCLE_TOPIC,
        key: 'k9',
        payload: '{"event_id":"e1"}',
        created_at: new Date(0),
      };
      outbox.find.mockReturnValue(findReturning([legacy]));
      await expect(sut.relay()).resolves.toBe(1);
      expect(producer.send).toHaveBeenCalledWith({
        topic: KEY_LIFECYCLE_TOPIC,
        acks: -1,
        messages: [{ key: 'k9', value: '{"event_id":"e1"}' }],
      });
      expect(outbox.deleteMany).toHaveBeenCalledWith({ _id: { $in: ['e1'] } });
    });

    it('should not touch Kafka when nothing waits', async () => {
      await expect(sut.relay()).resolves.toBe(0);
      expect(producer.send).not.toHaveBeenCalled();
    });
  });
});
