import { KEY_LIFECYCLE_ACTIONS, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { Logger } from '@nestjs/common';
import type { ApiKeyRecord, LifecycleEventsPublisher } from '@rs/key-store';
import type { Kafka } from 'kafkajs';
import { KeyLifecycleListener } from './key-lifecycle.listener';
import { KeyRecordCache } from './key-record-cache';
import { keyLifecycleEvent } from '@rs/event-contracts/testing';

function record(id: string, userId = 'alice-id'): ApiKeyRecord {
  return { _id: id, user_id: userId, is_active: true } as ApiKeyRecord;
}

describe(KeyLifecycleListener.name, () => {
  let cache: KeyRecordCache;
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
    sut = new KeyLifecycleListener(cache, { consumer: jest.fn() } as unknown as Kafka);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  describe('onEvent', () => {
    beforeEach(() => {
      cache.markListening();
      fill();
    });

    it.each(['renewed', 'revoked', 'expired', 'deleted'] as const)('should evict the key on %s', (action) => {
      sut.onEvent(keyLifecycleEvent(action));
      expect(cache.get('h-1')).toBeUndefined();
      expect(cache.get('h-2')).toBeDefined();
    });

    it('should evict every key of the user on user_disabled', () => {
      sut.onEvent(keyLifecycleEvent('user_disabled', { key_id: 'key-1' }));
      expect([cache.get('h-1'), cache.get('h-2')]).toEqual([undefined, undefined]);
      expect(cache.get('h-3')).toBeDefined();
    });

    it('should forget unknown keys on created, and keep cached records', () => {
      cache.rememberUnknown('h-new');
      sut.onEvent(keyLifecycleEvent('created', { key_id: 'key-new' }));
      expect(cache.isUnknown('h-new')).toBe(false);
      expect(cache.get('h-1')).toBeDefined();
    });

    it('should evict on every action that can change a check, and on no other', () => {
      const keeping = KEY_LIFECYCLE_ACTIONS.filter((action) => {
        fill();
        sut.onEvent(keyLifecycleEvent(action));
        return cache.get('h-1') !== undefined;
      });
      expect(keeping).toEqual(['created', 'expiring']);
    });
  });

  describe('subscription', () => {
    it('should serve from the cache only between a join and a stop, dropping it on every join', () => {
      expect(cache.isLive()).toBe(false);
      sut.onJoin();
      fill();
      expect(cache.get('h-1')).toBeDefined();
      sut.onStop();
      expect(cache.get('h-1')).toBeUndefined();
      sut.onJoin();
      expect(cache.size).toBe(0);
    });

    it('should follow the lifecycle topic in a group of the key manager', () => {
      expect(sut.subscription?.groupId).toMatch(/^key-manager\.check\./);
    });

    it('should apply the events this process publishes at once, until shutdown', async () => {
      let listener: ((event: KeyLifecycleEventV1) => void) | undefined;
      const unsubscribe = jest.fn();
      const publisher = {
        onLocalEvent: jest.fn((fn: (event: KeyLifecycleEventV1) => void) => {
          listener = fn;
          return unsubscribe;
        }),
      } as unknown as LifecycleEventsPublisher;
      const local = new KeyLifecycleListener(cache, null, publisher);
      local.onApplicationBootstrap();
      local.onJoin();
      fill();
      listener?.(keyLifecycleEvent('revoked', { key_id: 'key-2' }));
      expect([cache.get('h-1'), cache.get('h-2')]).toEqual([expect.anything(), undefined]);
      await local.onApplicationShutdown();
      expect(unsubscribe).toHaveBeenCalled();
    });

    it('should not subscribe without Kafka', () => {
      expect(new KeyLifecycleListener(cache, null).subscription).toBeUndefined();
    });
  });

  describe('fast path', () => {
    it('should also follow lifecycle events on Redis when given a Redis URL', async () => {
      await sut.onApplicationShutdown();
      sut = new KeyLifecycleListener(cache, null, undefined, 'redis://127.0.0.1:1');
      expect(sut.fastPath).toBeDefined();
    });

    it('should evict once when the same revoked comes by Kafka and by Redis', () => {
      cache.markListening();
      fill();
      const revoked = keyLifecycleEvent('revoked', { state_version: 4 });

      sut.onEvent(revoked);
      sut.onEvent(revoked);

      expect(cache.size).toBe(2);
    });
  });
});
