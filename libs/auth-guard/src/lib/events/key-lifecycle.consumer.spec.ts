import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleAction, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import type { ApiKeyVerifier } from '../api-key/api-key.verifier';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions } from '../auth-guard.options';
import { KeyEventsStatus } from './key-events.status';
import { KeyLifecycleConsumer } from './key-lifecycle.consumer';

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
    await this.eachMessage?.({
      message: { value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)) },
    });
  }
}

function lifecycleEvent(action: KeyLifecycleAction, keyId = 'key-1'): KeyLifecycleEventV1 {
  return {
    event_id: 'e-1',
    type: 'key.lifecycle',
    version: 1,
    occurred_at: new Date().toISOString(),
    action,
    key_id: keyId,
    user_id: 'user-1',
    actor: 'user-1',
  };
}

const until = async (condition: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe(KeyLifecycleConsumer.name, () => {
  const options: AuthGuardOptions = {
    serviceName: 'cadip',
    keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
    apiKey: { keyManagerUrl: 'http://km' },
    kafka: { brokers: ['127.0.0.1:1'], clientId: 'cadip' },
  };
  let consumers: FakeConsumer[];
  let verifier: {
    enabled: boolean;
    evictKeyId: jest.Mock;
    refuseKeyId: jest.Mock;
    evictUser: jest.Mock;
    clear: jest.Mock;
  };
  let status: KeyEventsStatus;
  let sut: KeyLifecycleConsumer;

  function create(failConnects = 0): KeyLifecycleConsumer {
    const kafka = {
      consumer: jest.fn(() => {
        const consumer = new FakeConsumer(consumers.length === 0 ? failConnects : 0);
        consumers.push(consumer);
        return consumer;
      }),
    } as unknown as Kafka;
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
    consumers = [];
    verifier = {
      enabled: true,
      evictKeyId: jest.fn(() => 1),
      refuseKeyId: jest.fn(() => 1),
      evictUser: jest.fn(() => 2),
      clear: jest.fn(),
    };
    status = new KeyEventsStatus(options);
  });

  afterEach(async () => {
    await sut?.onApplicationShutdown();
  });

  describe('onApplicationBootstrap', () => {
    it('should subscribe from the newest offset in a consumer group of its own', async () => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      expect(sut.groupId).toMatch(new RegExp(`^auth-guard\\.cadip\\..+\\.${process.pid}\\.[0-9a-f]{6}$`));
      expect(consumers[0].subscribe).toHaveBeenCalledWith({ topic: KEY_LIFECYCLE_TOPIC, fromBeginning: false });
      expect(verifier.clear).toHaveBeenCalled();
    });

    it('should keep retrying in the background while Kafka is down', async () => {
      create(1).onApplicationBootstrap();
      expect(status.isLive()).toBe(false);
      await until(() => status.isLive(), 5000);
      expect(consumers).toHaveLength(2);
    });

    it('should not start without API keys', () => {
      verifier.enabled = false;
      create().onApplicationBootstrap();
      expect(consumers).toHaveLength(0);
    });
  });

  describe('events', () => {
    it.each(['renewed', 'deleted'] as const)('should evict the key on %s', async (action) => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      await consumers[0].deliver(lifecycleEvent(action, 'key-9'));
      expect(verifier.evictKeyId).toHaveBeenCalledWith('key-9');
      expect(verifier.refuseKeyId).not.toHaveBeenCalled();
    });

    it.each([
      ['revoked', 'KEY_REVOKED'],
      ['expired', 'KEY_EXPIRED'],
    ] as const)('should refuse the key on the spot on %s, with the key manager error %s', async (action, code) => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      await consumers[0].deliver(lifecycleEvent(action, 'key-9'));
      expect(verifier.refuseKeyId).toHaveBeenCalledWith('key-9', expect.any(Function));
      expect(verifier.refuseKeyId.mock.calls[0][1]()).toMatchObject({ code });
      expect(verifier.evictKeyId).not.toHaveBeenCalled();
    });

    it('should evict every key of the user on user_disabled', async () => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      await consumers[0].deliver(lifecycleEvent('user_disabled'));
      expect(verifier.evictUser).toHaveBeenCalledWith('user-1');
    });

    it.each(['created', 'expiring'] as const)('should keep the cache on %s', async (action) => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      await consumers[0].deliver(lifecycleEvent(action));
      expect(verifier.evictKeyId).not.toHaveBeenCalled();
    });

    it('should ignore a malformed event', async () => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      await consumers[0].deliver('{not json');
      await consumers[0].deliver({ ...lifecycleEvent('revoked'), key_id: '' });
      expect(verifier.evictKeyId).not.toHaveBeenCalled();
      expect(verifier.refuseKeyId).not.toHaveBeenCalled();
    });
  });

  describe('crash', () => {
    it('should report events as not flowing, and start over when kafkajs gives up', async () => {
      create().onApplicationBootstrap();
      await until(() => status.isLive());
      consumers[0].emit(EVENTS.CRASH, { payload: { error: new Error('boom'), restart: false } });
      expect(status.isLive()).toBe(false);
      await until(() => consumers.length === 2 && status.isLive());
    });
  });
});
