import { KEY_LIFECYCLE_ACTIONS, type KeyLifecycleAction, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { Logger } from '@nestjs/common';
import type { ApiKeyRecord } from '@rs/key-store';
import type { Kafka } from 'kafkajs';
import { EventEmitter } from 'node:events';
import { KeyLifecycleListener } from './key-lifecycle.listener';
import { KeyRecordCache } from './key-record-cache';

const EVENTS = {
  GROUP_JOIN: 'group_join',
  FETCH: 'fetch',
  HEARTBEAT: 'heartbeat',
  CRASH: 'crash',
  DISCONNECT: 'disconnect',
  STOP: 'stop',
};

class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  eachMessage?: (payload: { message: { value: Buffer | null } }) => Promise<void>;
  connect = jest.fn(async () => {
    if (this.failConnects > 0) {
      this.failConnects--;
      throw new Error('Connection refused');
    }
  });
  subscribe = jest.fn(async () => undefined);
  run = jest.fn(async (config: { eachMessage: FakeConsumer['eachMessage'] }) => {
    this.eachMessage = config.eachMessage;
    this.emit(EVENTS.GROUP_JOIN, {});
  });
  disconnect = jest.fn(async () => undefined);

  constructor(private failConnects = 0) {
    super();
  }

  async deliver(event: unknown): Promise<void> {
    await this.eachMessage?.({ message: { value: Buffer.from(JSON.stringify(event)) } });
  }
}

function lifecycleEvent(action: KeyLifecycleAction, keyId = 'key-1', userId = 'alice-id'): KeyLifecycleEventV1 {
  return {
    event_id: 'e-1',
    type: 'key.lifecycle',
    version: 1,
    occurred_at: new Date().toISOString(),
    action,
    key_id: keyId,
    user_id: userId,
    actor: userId,
  };
}

function record(id: string, userId = 'alice-id'): ApiKeyRecord {
  return { _id: id, user_id: userId, is_active: true } as ApiKeyRecord;
}

const until = async (condition: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe(KeyLifecycleListener.name, () => {
  let cache: KeyRecordCache;
  let consumers: FakeConsumer[];
  let sut: KeyLifecycleListener;

  function fill(): void {
    cache.set('h-1', record('key-1'), cache.generation);
    cache.set('h-2', record('key-2'), cache.generation);
    cache.set('h-3', record('key-3', 'bob-id'), cache.generation);
  }

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    cache = new KeyRecordCache({ ttlMs: 30_000, maxEntries: 100, unknownTtlMs: 3_000 });
    consumers = [];
    const kafka = {
      consumer: jest.fn(() => {
        const consumer = new FakeConsumer(consumers.length === 0 ? 1 : 0);
        consumers.push(consumer);
        return consumer;
      }),
    } as unknown as Kafka;
    sut = new KeyLifecycleListener(cache, kafka);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  describe('handle', () => {
    beforeEach(() => {
      cache.markListening();
      fill();
    });

    it.each(['renewed', 'revoked', 'expired', 'deleted'] as const)('should evict the key on %s', (action) => {
      sut.handle(lifecycleEvent(action));
      expect(cache.get('h-1')).toBeUndefined();
      expect(cache.get('h-2')).toBeDefined();
    });

    it('should evict every key of the user on user_disabled', () => {
      sut.handle(lifecycleEvent('user_disabled', 'key-1'));
      expect([cache.get('h-1'), cache.get('h-2')]).toEqual([undefined, undefined]);
      expect(cache.get('h-3')).toBeDefined();
    });

    it('should forget unknown keys on created, and keep cached records', () => {
      cache.rememberUnknown('h-new');
      sut.handle(lifecycleEvent('created', 'key-new'));
      expect(cache.isUnknown('h-new')).toBe(false);
      expect(cache.get('h-1')).toBeDefined();
    });

    it('should evict on every action that can change a check, and on no other', () => {
      const keeping = KEY_LIFECYCLE_ACTIONS.filter((action) => {
        fill();
        sut.handle(lifecycleEvent(action));
        return cache.get('h-1') !== undefined;
      });
      expect(keeping).toEqual(['created', 'expiring']);
    });
  });

  describe('onApplicationBootstrap', () => {
    it('should retry until Kafka answers, then serve from the cache, evicting on delivered events', async () => {
      sut.onApplicationBootstrap();
      await until(() => consumers.length === 2 && cache.isLive());
      expect(consumers[1].subscribe).toHaveBeenCalledWith({ topic: 'rs.apikey.lifecycle.v1', fromBeginning: false });
      fill();
      await consumers[1].deliver(lifecycleEvent('revoked', 'key-2'));
      expect(cache.get('h-2')).toBeUndefined();
      expect(cache.get('h-1')).toBeDefined();
    });

    it('should ignore a malformed event', async () => {
      sut.onApplicationBootstrap();
      await until(() => cache.isLive());
      fill();
      await consumers[1].deliver({ action: 'revoked' });
      expect(cache.get('h-1')).toBeDefined();
    });

    it('should stop serving from the cache when the consumer stops, and drop it on the next join', async () => {
      sut.onApplicationBootstrap();
      await until(() => cache.isLive());
      fill();
      consumers[1].emit(EVENTS.DISCONNECT, {});
      expect(cache.get('h-1')).toBeUndefined();
      consumers[1].emit(EVENTS.GROUP_JOIN, {});
      expect(cache.get('h-1')).toBeUndefined();
      expect(cache.size).toBe(0);
    });

    it('should do nothing without Kafka', () => {
      const without = new KeyLifecycleListener(cache, null);
      without.onApplicationBootstrap();
      expect(cache.isLive()).toBe(false);
    });
  });
});
