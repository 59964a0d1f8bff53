import { KEY_USAGE_TOPIC } from '@rs/event-contracts';
import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions, KafkaOptions } from '../auth-guard.options';
import { contractJson, recordArguments, usageFields, type UsageFieldsOverrides } from '../testing/usage-fields.test-helper';
import { KeyUsagePublisher } from './key-usage.publisher';

class FakeProducer {
  up = true;
  readonly sent: { topic: string; messages: { key: string; value: string }[] }[] = [];
  connect = jest.fn(async () => {
    if (!this.up) throw new Error('Connection refused');
  });
  send = jest.fn(async (record: { topic: string; messages: { key: string; value: string }[] }) => {
    if (!this.up) throw new Error('Broker unreachable');
    this.sent.push(record);
  });
  disconnect = jest.fn(async () => undefined);

  get messages(): { key: string; value: string }[] {
    return this.sent.flatMap((record) => record.messages);
  }
}

const until = async (condition: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe(KeyUsagePublisher.name, () => {
  let producer: FakeProducer;
  let registry: Registry;
  let sut: KeyUsagePublisher;

  function create(kafka: Partial<KafkaOptions> = {}): KeyUsagePublisher {
    const options: AuthGuardOptions = {
      serviceName: 'cadip',
      keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
      apiKey: { keyManagerUrl: 'http://km' },
      kafka: { brokers: ['127.0.0.1:1'], clientId: 'cadip', usageFlushIntervalMs: 20, usageBatchSize: 10, usageBufferMax: 25, usageProducerThread: false, ...kafka },
    };
    const client = { producer: () => producer } as unknown as Kafka;
    sut = new KeyUsagePublisher(options, client, new AuthGuardMetrics(registry));
    return sut;
  }

  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;

  /** Records one response's usage, its fields as usageFields gives them. */
  const record = (overrides: UsageFieldsOverrides = {}) => sut.record(...(recordArguments(overrides) as Parameters<KeyUsagePublisher['record']>));

  /** Connects, records a full batch (10) and holds its send in flight; resolves with what acknowledges it. */
  async function fullBatchInFlight(): Promise<() => void> {
    create({ usageFlushIntervalMs: 60_000 }).onApplicationBootstrap();
    await until(() => sut.isConnected);
    const send = producer.send.getMockImplementation() as FakeProducer['send'];
    let acknowledge: () => void = () => undefined;
    producer.send.mockImplementationOnce(async (batch) => {
      await new Promise<void>((resolve) => (acknowledge = resolve));
      return send(batch);
    });
    for (let i = 0; i < 10; i++) record();
    await until(() => producer.send.mock.calls.length === 1);
    return () => acknowledge();
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    producer = new FakeProducer();
    registry = new Registry();
  });

  afterEach(async () => {
    await sut?.beforeApplicationShutdown();
  });

  describe('record', () => {
    it('should send buffered events in one batch keyed by key id on the usage topic, as the contract JSON', async () => {
      create().onApplicationBootstrap();
      record({ keyId: 'key-a' });
      record({ keyId: 'key-b', correlationId: 'corr-1' });
      await until(() => producer.messages.length === 2);
      expect(producer.sent).toHaveLength(1);
      expect(producer.sent[0].topic).toBe(KEY_USAGE_TOPIC);
      expect(producer.messages.map((message) => message.key)).toEqual(['key-a', 'key-b']);
      const eventIds = producer.messages.map((message) => JSON.parse(message.value).event_id);
      expect(producer.messages[0].value).toBe(contractJson(usageFields({ keyId: 'key-a' }), eventIds[0]));
      // Drawn per event when recorded.
      eventIds.forEach((eventId) => expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
      expect(eventIds[0]).not.toBe(eventIds[1]);
      expect(producer.sent[0].messages[1]).toMatchObject({ headers: { 'x-correlation-id': 'corr-1' } });
      expect(await metric('auth_guard_usage_events_published_total')).toBe(2);
    });

    it('should send a full batch without waiting for the timer', async () => {
      create({ usageFlushIntervalMs: 60_000 }).onApplicationBootstrap();
      await until(() => sut.isConnected);
      for (let i = 0; i < 10; i++) record();
      await until(() => producer.messages.length === 10);
      expect(producer.sent).toHaveLength(1);
    });

    it('should leave events recorded while a batch is in flight to the next flush, not send them in a batch of their own', async () => {
      const acknowledge = await fullBatchInFlight();
      for (let i = 0; i < 3; i++) record();
      acknowledge();
      await until(() => producer.messages.length === 10);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(producer.send).toHaveBeenCalledTimes(1);
      expect(sut.bufferedCount).toBe(3);
      await sut.flush();
      expect(producer.sent.map((batch) => batch.messages.length)).toEqual([10, 3]);
    });

    it('should go on sending full batches that filled while a batch was in flight', async () => {
      const acknowledge = await fullBatchInFlight();
      for (let i = 0; i < 12; i++) record();
      acknowledge();
      await until(() => producer.messages.length === 20);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(producer.sent.map((batch) => batch.messages.length)).toEqual([10, 10]);
      expect(sut.bufferedCount).toBe(2);
    });

    it('should stay off when the service accepts no API keys', () => {
      const options: AuthGuardOptions = { serviceName: 's', keycloak: { url: 'http://kc', realm: 'r', audience: 'a' }, apiKey: false, kafka: { brokers: ['b:1'], clientId: 's' } };
      sut = new KeyUsagePublisher(options, { producer: () => producer } as unknown as Kafka, new AuthGuardMetrics(registry));
      sut.onApplicationBootstrap();
      expect(sut.enabled).toBe(false);
      expect(producer.connect).not.toHaveBeenCalled();
    });

    it('should do nothing when Kafka is disabled', () => {
      const options: AuthGuardOptions = { serviceName: 's', keycloak: { url: 'http://kc', realm: 'r', audience: 'a' }, apiKey: false, kafka: false };
      sut = new KeyUsagePublisher(options, null, new AuthGuardMetrics(registry));
      sut.onApplicationBootstrap();
      record();
      expect(sut.enabled).toBe(false);
      expect(sut.bufferedCount).toBe(0);
    });
  });

  describe('while Kafka is down', () => {
    it('should not block start-up, buffer events and deliver them when Kafka returns', async () => {
      producer.up = false;
      create().onApplicationBootstrap();
      for (let i = 0; i < 5; i++) record({ keyId: `key-${i}` });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sut.bufferedCount).toBe(5);
      producer.up = true;
      await until(() => producer.messages.length === 5, 5000);
      expect(producer.messages.map((message) => message.key)).toEqual(['key-0', 'key-1', 'key-2', 'key-3', 'key-4']);
    });

    it('should keep a failed batch in order and resend it after reconnecting, with the same event ids', async () => {
      create().onApplicationBootstrap();
      await until(() => sut.isConnected);
      const attempted: string[] = [];
      const send = producer.send.getMockImplementation() as FakeProducer['send'];
      producer.send.mockImplementation(async (batch) => {
        attempted.push(...batch.messages.map((message) => JSON.parse(message.value).event_id));
        return send(batch);
      });
      producer.up = false;
      record({ keyId: 'key-1' });
      await until(() => !sut.isConnected);
      record({ keyId: 'key-2' });
      producer.up = true;
      await until(() => producer.messages.length === 2, 5000);
      expect(producer.messages.map((message) => message.key)).toEqual(['key-1', 'key-2']);
      const [first, second] = producer.messages.map((message) => JSON.parse(message.value).event_id);
      expect(first).not.toBe(second);
      // The failed attempt carried key-1's event under the id it is finally delivered with.
      expect(attempted[0]).toBe(first);
    });

    it('should put back the oldest events of a failed batch that still fit in the bound and count the rest as dropped', async () => {
      create({ usageFlushIntervalMs: 60_000 }).onApplicationBootstrap();
      await until(() => sut.isConnected);
      const send = producer.send.getMockImplementation();
      let failSend: (error: Error) => void = () => undefined;
      producer.send.mockImplementationOnce(() => new Promise((_, reject) => (failSend = reject)));
      for (let i = 0; i < 10; i++) record({ keyId: `old-${i}` });
      await until(() => producer.send.mock.calls.length === 1);
      for (let i = 0; i < 20; i++) record({ keyId: `new-${i}` });
      producer.send.mockImplementation(send);
      failSend(new Error('Broker unreachable'));
      await until(() => !sut.isConnected);
      expect(sut.bufferedCount).toBe(25);
      expect(await metric('auth_guard_usage_events_dropped_total')).toBe(5);
      await until(() => producer.messages.length === 25, 5000);
      expect(producer.messages.map((message) => message.key)).toEqual([...['old-0', 'old-1', 'old-2', 'old-3', 'old-4'], ...Array.from({ length: 20 }, (_, i) => `new-${i}`)]);
    });

    it('should drop and count events beyond the buffer bound', async () => {
      producer.up = false;
      create().onApplicationBootstrap();
      for (let i = 0; i < 30; i++) record();
      expect(sut.bufferedCount).toBe(25);
      expect(await metric('auth_guard_usage_events_dropped_total')).toBe(5);
      expect(await metric('auth_guard_usage_events_buffered')).toBe(25);
    });
  });

  describe('beforeApplicationShutdown', () => {
    it('should flush what is buffered and disconnect', async () => {
      create({ usageFlushIntervalMs: 60_000 }).onApplicationBootstrap();
      await until(() => sut.isConnected);
      record();
      await sut.beforeApplicationShutdown();
      expect(producer.messages).toHaveLength(1);
      expect(producer.disconnect).toHaveBeenCalled();
      record();
      expect(sut.bufferedCount).toBe(0);
    });
  });
});
