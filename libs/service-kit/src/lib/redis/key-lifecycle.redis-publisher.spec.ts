import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_CHANNEL } from '@rs/event-contracts';
import { KeyLifecycleRedisPublisher, type RedisPublishClient } from './key-lifecycle.redis-publisher';

class FakePublisher extends EventEmitter {
  publish = jest.fn(async (_channel: string, _message: string) => 1);
  connect = jest.fn(async () => undefined);
  disconnect = jest.fn();
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(KeyLifecycleRedisPublisher.name, () => {
  let redis: FakePublisher;
  let logger: Logger;
  let outcomes: string[];
  let sut: KeyLifecycleRedisPublisher;

  beforeEach(() => {
    redis = new FakePublisher();
    logger = new Logger('test');
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    outcomes = [];
    sut = new KeyLifecycleRedisPublisher({
      redisUrl: 'redis://unused',
      logger,
      onOutcome: (outcome) => outcomes.push(outcome),
      redis: redis as unknown as RedisPublishClient,
    });
  });

  describe('publish', () => {
    it('should publish the payload unchanged on the lifecycle channel', async () => {
      sut.publish('{"a":1}');
      await settle();

      expect(redis.publish).toHaveBeenCalledWith(KEY_LIFECYCLE_CHANNEL, '{"a":1}');
      expect(outcomes).toEqual(['sent']);
    });

    it('should neither throw nor reject when Redis fails, and warn once per outage', async () => {
      redis.publish.mockRejectedValue(new Error("Stream isn't writeable"));

      expect(() => {
        sut.publish('{}');
        sut.publish('{}');
      }).not.toThrow();
      await settle();

      expect(outcomes).toEqual(['failed', 'failed']);
      expect(logger.warn).toHaveBeenCalledTimes(1);
    });

    it('should say once that Redis is back after an outage', async () => {
      redis.publish.mockRejectedValueOnce(new Error('down'));
      sut.publish('{}');
      await settle();
      sut.publish('{}');
      sut.publish('{}');
      await settle();

      expect(outcomes).toEqual(['failed', 'sent', 'sent']);
      expect(logger.log).toHaveBeenCalledTimes(1);
    });

    it('should not throw when the client throws synchronously', () => {
      redis.publish.mockImplementation(() => {
        throw new Error('closed');
      });

      expect(() => sut.publish('{}')).not.toThrow();
      expect(outcomes).toEqual(['failed']);
    });
  });

  describe('start', () => {
    it('should not reject when the first connection fails', async () => {
      redis.connect.mockRejectedValue(new Error('ECONNREFUSED'));

      sut.start();
      await settle();

      expect(outcomes).toEqual(['failed']);
    });
  });
});
