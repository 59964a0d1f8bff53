import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import type { ApiKeyVerifier } from '../api-key/api-key.verifier';
import { type CachedKeyCheck, KeyCache } from '../api-key/key-cache';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions } from '../auth-guard.options';
import { KeyEventsStatus } from './key-events.status';
import { KeyLifecycleConsumer } from './key-lifecycle.consumer';
import { keyLifecycleEvent } from '@rs/event-contracts/testing';

describe(KeyLifecycleConsumer.name, () => {
  const options: AuthGuardOptions = {
    serviceName: 'cadip',
    keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
    apiKey: { keyManagerUrl: 'http://km' },
    kafka: { brokers: ['127.0.0.1:1'], clientId: 'cadip' },
  };
  let verifier: {
    enabled: boolean;
    evictKeyId: jest.Mock;
    refuseKeyId: jest.Mock;
    holdsVersion: jest.Mock;
    evictUser: jest.Mock;
    clear: jest.Mock;
  };
  let status: KeyEventsStatus;
  let sut: KeyLifecycleConsumer;

  function create(kafka: Kafka | null = { consumer: jest.fn() } as unknown as Kafka): KeyLifecycleConsumer {
    sut = new KeyLifecycleConsumer(
      options,
      kafka,
      verifier as unknown as ApiKeyVerifier,
      status,
      new AuthGuardMetrics(new Registry()),
    );
    return sut;
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    verifier = {
      enabled: true,
      evictKeyId: jest.fn(() => 1),
      refuseKeyId: jest.fn(() => 1),
      holdsVersion: jest.fn(() => false),
      evictUser: jest.fn(() => 2),
      clear: jest.fn(),
    };
    status = new KeyEventsStatus(options);
  });

  afterEach(async () => {
    await sut?.onApplicationShutdown();
  });

  describe('subscription', () => {
    it('should follow the lifecycle topic in a group of the service', () => {
      expect(create().subscription?.groupId).toMatch(/^auth-guard\.cadip\./);
    });

    it('should not subscribe without API keys or without Kafka', () => {
      expect(create(null).subscription).toBeUndefined();
      verifier.enabled = false;
      expect(create().subscription).toBeUndefined();
    });

    it('should drop the cache and report events as flowing on every join, and as stopped on a stop', () => {
      create().onJoin();
      expect(verifier.clear).toHaveBeenCalled();
      expect(status.isLive()).toBe(true);
      sut.onStop();
      expect(status.isLive()).toBe(false);
    });
  });

  describe('onEvent', () => {
    it.each(['renewed', 'deleted', 'rotated', 'rotation_ended', 'scopes_changed'] as const)(
      'should evict the key on %s',
      (action) => {
        create().onEvent(keyLifecycleEvent(action, { key_id: 'key-9' }));
        expect(verifier.evictKeyId).toHaveBeenCalledWith('key-9');
        expect(verifier.refuseKeyId).not.toHaveBeenCalled();
      },
    );

    it.each([
      ['revoked', 'KEY_REVOKED'],
      ['expired', 'KEY_EXPIRED'],
    ] as const)('should refuse the key on the spot on %s, with the key manager error %s', (action, code) => {
      create().onEvent(keyLifecycleEvent(action, { key_id: 'key-9' }));
      expect(verifier.refuseKeyId).toHaveBeenCalledWith('key-9', expect.any(Function), undefined);
      expect(verifier.refuseKeyId.mock.calls[0][1]()).toMatchObject({ code });
      expect(verifier.evictKeyId).not.toHaveBeenCalled();
    });

    it('should refuse as of the event’s state version when the cache holds an older state', () => {
      create().onEvent({ ...keyLifecycleEvent('revoked', { key_id: 'key-9' }), state_version: 3 });
      expect(verifier.holdsVersion).toHaveBeenCalledWith('key-9', 3);
      expect(verifier.refuseKeyId).toHaveBeenCalledWith('key-9', expect.any(Function), 3);
    });

    it.each(['revoked', 'user_disabled', 'renewed'] as const)(
      'should ignore a %s older than the state the cache holds (a deferred event relayed late)',
      (action) => {
        verifier.holdsVersion.mockReturnValue(true);
        create().onEvent({ ...keyLifecycleEvent(action, { key_id: 'key-9' }), state_version: 2 });
        expect(verifier.refuseKeyId).not.toHaveBeenCalled();
        expect(verifier.evictKeyId).not.toHaveBeenCalled();
        expect(verifier.evictUser).not.toHaveBeenCalled();
      },
    );

    it('should evict every key of the user on user_disabled', () => {
      create().onEvent(keyLifecycleEvent('user_disabled'));
      expect(verifier.evictUser).toHaveBeenCalledWith('alice-id');
    });

    it.each(['created', 'expiring'] as const)('should keep the cache on %s', (action) => {
      create().onEvent(keyLifecycleEvent(action));
      expect(verifier.evictKeyId).not.toHaveBeenCalled();
      expect(verifier.refuseKeyId).not.toHaveBeenCalled();
    });
  });

  describe('fast path', () => {
    it('should also follow lifecycle events on Redis when the guard has the quota Redis', () => {
      const withRedis = { ...options, quota: { redisUrl: 'redis://127.0.0.1:1' } };
      sut = new KeyLifecycleConsumer(
        withRedis,
        null,
        verifier as unknown as ApiKeyVerifier,
        status,
        new AuthGuardMetrics(new Registry()),
      );
      expect(sut.fastPath).toBeDefined();
    });

    it('should not follow Redis without a quota Redis', () => {
      expect(create().fastPath).toBeUndefined();
    });
  });

  describe('onEvent, the same event by Kafka and by Redis', () => {
    /** A verifier over a real KeyCache holding one check of key-1 as of state version 5. */
    function withRealCache(): KeyCache {
      const cache = new KeyCache(10);
      cache.set('d1', cachedCheck(5));
      verifier = {
        enabled: true,
        evictKeyId: jest.fn((keyId: string) => cache.evictKeyId(keyId)),
        refuseKeyId: jest.fn((...args: Parameters<KeyCache['refuseKeyId']>) => cache.refuseKeyId(...args)),
        holdsVersion: jest.fn((keyId: string, version: number) => cache.holdsVersion(keyId, version)),
        evictUser: jest.fn((userId: string) => cache.evictUser(userId)),
        clear: jest.fn(() => cache.clear()),
      };
      create();
      return cache;
    }

    function cachedCheck(stateVersion: number): CachedKeyCheck {
      return {
        principal: {
          user_id: 'alice-id',
          user_login: 'alice',
          iam_roles: [],
          config: {},
          auth_method: 'api_key',
          key_id: 'key-1',
        },
        allowed_referers: [],
        expiresAt: Date.now() + 60_000,
        stateVersion,
      };
    }

    it('should refuse once on revoked and change nothing with the second copy', () => {
      const cache = withRealCache();
      const revoked = keyLifecycleEvent('revoked', { state_version: 6 });

      sut.onEvent(revoked);
      sut.onEvent(revoked);

      expect(verifier.refuseKeyId).toHaveBeenCalledTimes(1);
      expect(cache.get('d1')?.refusal?.().code).toBe('KEY_REVOKED');
    });

    it.each(['renewed', 'rotated'] as const)(
      'should keep the check fetched after %s when the second copy arrives',
      (action) => {
        const cache = withRealCache();
        const event = keyLifecycleEvent(action, { state_version: 6 });

        sut.onEvent(event);
        expect(cache.get('d1')).toBeUndefined();
        cache.set('d1', cachedCheck(6));
        sut.onEvent(event);

        expect(cache.get('d1')?.stateVersion).toBe(6);
        expect(verifier.evictKeyId).toHaveBeenCalledTimes(1);
      },
    );

    it('should not refuse a renewed key when the older revoked copy arrives late by the other path', () => {
      const cache = withRealCache();
      cache.set('d1', cachedCheck(7));

      sut.onEvent(keyLifecycleEvent('revoked', { state_version: 6 }));

      expect(cache.get('d1')?.refusal).toBeUndefined();
    });
  });
});
