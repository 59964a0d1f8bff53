import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_CHANNEL, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { keyLifecycleEvent } from '@rs/event-contracts/testing';
import { KeyLifecycleRedisSubscription, type RedisSubscribeClient } from './key-lifecycle.redis-subscription';

/** Stands for a subscribed ioredis client: tests emit 'message', 'ready' and 'error' on it. */
class FakeSubscriber extends EventEmitter {
  subscribe = jest.fn(async () => 1);
  disconnect = jest.fn();
}

describe(KeyLifecycleRedisSubscription.name, () => {
  let redis: FakeSubscriber;
  let logger: Logger;
  let onEvent: jest.Mock<void, [KeyLifecycleEventV1]>;
  let sut: KeyLifecycleRedisSubscription;

  beforeEach(() => {
    redis = new FakeSubscriber();
    logger = new Logger('test');
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    onEvent = jest.fn();
    sut = new KeyLifecycleRedisSubscription(
      { redisUrl: 'redis://unused', logger, redis: redis as unknown as RedisSubscribeClient },
      onEvent,
    );
    sut.start();
  });

  describe('start', () => {
    it('should subscribe to the lifecycle channel', () => {
      expect(redis.subscribe).toHaveBeenCalledWith(KEY_LIFECYCLE_CHANNEL);
    });

    it('should hand a well-formed event on the channel to the handler', () => {
      const event = keyLifecycleEvent('revoked', { key_id: 'k1', state_version: 4 });

      redis.emit('message', KEY_LIFECYCLE_CHANNEL, JSON.stringify(event));

      expect(onEvent).toHaveBeenCalledWith(
        expect.objectContaining({ action: 'revoked', key_id: 'k1', state_version: 4 }),
      );
    });

    it('should drop a malformed message without calling the handler', () => {
      redis.emit('message', KEY_LIFECYCLE_CHANNEL, '{"action":"revoked"}');
      redis.emit('message', KEY_LIFECYCLE_CHANNEL, 'not json');

      expect(onEvent).not.toHaveBeenCalled();
    });

    it('should ignore messages of another channel', () => {
      redis.emit('message', 'other', JSON.stringify(keyLifecycleEvent('revoked')));

      expect(onEvent).not.toHaveBeenCalled();
    });

    it('should keep listening when the handler throws', () => {
      onEvent.mockImplementationOnce(() => {
        throw new Error('boom');
      });
      const message = JSON.stringify(keyLifecycleEvent('revoked'));

      redis.emit('message', KEY_LIFECYCLE_CHANNEL, message);
      redis.emit('message', KEY_LIFECYCLE_CHANNEL, message);

      expect(onEvent).toHaveBeenCalledTimes(2);
    });

    it('should warn once per outage when Redis errors', () => {
      redis.emit('error', new Error('ECONNREFUSED'));
      redis.emit('error', new Error('ECONNREFUSED'));
      redis.emit('ready');
      redis.emit('error', new Error('ECONNRESET'));

      expect(logger.warn).toHaveBeenCalledTimes(2);
    });
  });

  describe('stop', () => {
    it('should close the connection', () => {
      sut.stop();

      expect(redis.disconnect).toHaveBeenCalled();
    });
  });
});
