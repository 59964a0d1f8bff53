import { Logger } from '@nestjs/common';
import { KEY_LIFECYCLE_TOPIC } from '@rs/event-contracts';
import { type KeyLifecycleHandlers, KeyLifecycleSubscription } from './key-lifecycle.subscription';
import { FakeKafkaConsumer, fakeKafka, until } from './testing/fake-kafka-consumer.test-helper';
import { keyLifecycleEvent } from '@rs/event-contracts/testing';

const revoked = keyLifecycleEvent('revoked');

describe(KeyLifecycleSubscription.name, () => {
  let handlers: jest.Mocked<KeyLifecycleHandlers> & { live: boolean };
  let sut: KeyLifecycleSubscription;

  function create(failFirstConnects = 0) {
    const fake = fakeKafka(failFirstConnects);
    sut = new KeyLifecycleSubscription(
      { kafka: fake.kafka, groupPrefix: 'auth-guard.cadip', logger: new Logger('test'), meanwhile: 'testing' },
      handlers,
    );
    return fake.consumers;
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    handlers = {
      live: false,
      onEvent: jest.fn(),
      onJoin: jest.fn(() => {
        handlers.live = true;
      }),
      onActivity: jest.fn(),
      onStop: jest.fn(() => {
        handlers.live = false;
      }),
    };
  });

  afterEach(async () => {
    await sut?.stop();
  });

  it('should subscribe from the newest offset in a consumer group of its own', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    expect(sut.groupId).toMatch(new RegExp(`^auth-guard\\.cadip\\..+\\.${process.pid}\\.[0-9a-f]{6}$`));
    expect(consumers[0].subscribe).toHaveBeenCalledWith({ topic: KEY_LIFECYCLE_TOPIC, fromBeginning: false });
  });

  it('should keep retrying in the background while Kafka is down', async () => {
    const consumers = create(1);
    sut.start();
    expect(handlers.live).toBe(false);
    await until(() => handlers.live, 5000);
    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnect).toHaveBeenCalled();
  });

  it('should hand over well-formed events and count them as activity', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    await consumers[0].deliver(revoked);
    expect(handlers.onEvent).toHaveBeenCalledWith(revoked);
    expect(handlers.onActivity).toHaveBeenCalled();
  });

  it('should ignore a malformed event', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    await consumers[0].deliver('{not json');
    await consumers[0].deliver({ ...revoked, key_id: '' });
    expect(handlers.onEvent).not.toHaveBeenCalled();
  });

  it('should report fetches and heartbeats as activity, and a disconnect as a stop', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    consumers[0].emit(FakeKafkaConsumer.EVENTS.HEARTBEAT, {});
    expect(handlers.onActivity).toHaveBeenCalledTimes(1);
    consumers[0].emit(FakeKafkaConsumer.EVENTS.DISCONNECT, {});
    expect(handlers.live).toBe(false);
  });

  it('should report a crash as a stop, and start over when kafkajs gives up', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    consumers[0].emit(FakeKafkaConsumer.EVENTS.CRASH, { payload: { error: new Error('boom'), restart: false } });
    expect(handlers.live).toBe(false);
    await until(() => consumers.length === 2 && handlers.live);
  });

  it('should disconnect and stop on stop', async () => {
    const consumers = create();
    sut.start();
    await until(() => handlers.live);
    await sut.stop();
    expect(consumers[0].disconnect).toHaveBeenCalled();
    expect(handlers.live).toBe(false);
  });
});
