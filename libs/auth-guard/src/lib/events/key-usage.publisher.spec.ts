import { Logger } from '@nestjs/common';
import { KEY_USAGE_TOPIC, type KeyUsageDeltaEventV2, parseKeyUsageDeltaEvent } from '@rs/event-contracts';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions, KafkaOptions } from '../auth-guard.options';
import { KeyUsagePublisher } from './key-usage.publisher';

interface SentRecord {
  topic: string;
  messages: { key: string; value: string }[];
}

class FakeProducer {
  up = true;
  readonly sent: SentRecord[] = [];
  connect = jest.fn(async () => {
    if (!this.up) throw new Error('Connection refused');
  });
  send = jest.fn(async (record: SentRecord) => {
    if (!this.up) throw new Error('Broker unreachable');
    this.sent.push(record);
  });
  disconnect = jest.fn(async () => undefined);

  get deltas(): KeyUsageDeltaEventV2[] {
    return this.sent.flatMap((record) => record.messages.map((message) => JSON.parse(message.value)));
  }
}

const NOW = Date.UTC(2026, 11, 2, 10, 30);

describe(KeyUsagePublisher.name, () => {
  let producer: FakeProducer;
  let registry: Registry;
  let sut: KeyUsagePublisher;

  function create(kafka: Partial<KafkaOptions> = {}, overrides: Partial<AuthGuardOptions> = {}): KeyUsagePublisher {
    const options: AuthGuardOptions = {
      serviceName: 'cadip',
      keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
      apiKey: { keyManagerUrl: 'http://km' },
      // The timer never fires in a test: flushes are called explicitly.
      kafka: { brokers: ['127.0.0.1:1'], clientId: 'cadip', usageFlushIntervalMs: 60_000, usageMaxSeries: 4, ...kafka },
      ...overrides,
    };
    sut = new KeyUsagePublisher(
      options,
      { producer: () => producer } as unknown as Kafka,
      new AuthGuardMetrics(registry),
    );
    sut.onApplicationBootstrap();
    return sut;
  }

  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;

  const record = (keyId = 'key-1', status = 200, latencyMs = 3, route = '/cadip/:station/session', now = NOW) =>
    sut.record(keyId, `user-of-${keyId}`, 'GET', route, status, latencyMs, now);

  /** A flush that may be held back by the backoff of an earlier failure. */
  async function flushNow(): Promise<void> {
    (sut as unknown as { nextAttemptAt: number }).nextAttemptAt = 0;
    await sut.flush();
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    producer = new FakeProducer();
    registry = new Registry();
  });

  afterEach(async () => {
    await sut?.onApplicationShutdown();
  });

  describe('flush', () => {
    it('should publish one delta per key, keyed by key id, as the contract says', async () => {
      create();
      record('key-a', 200, 3);
      record('key-a', 200, 30);
      record('key-a', 404, 1);
      record('key-b', 200, 7);
      await sut.flush();
      expect(producer.sent).toHaveLength(1);
      expect(producer.sent[0].topic).toBe(KEY_USAGE_TOPIC);
      expect(producer.sent[0].messages.map((message) => message.key)).toEqual(['key-a', 'key-b']);
      for (const message of producer.sent[0].messages)
        expect(parseKeyUsageDeltaEvent(message.value)).toMatchObject({ ok: true });
      const [a] = producer.deltas;
      expect(a).toMatchObject({
        producer_id: sut.producerId,
        sequence: 1,
        key_id: 'key-a',
        user_id: 'user-of-key-a',
        service: 'cadip',
      });
      expect(a.routes).toEqual([
        expect.objectContaining({ status_class: 2, count: 2, latency_sum_ms: 33, latency_max_ms: 30 }),
        expect.objectContaining({ status_class: 4, count: 1, latency_sum_ms: 1 }),
      ]);
      expect(await metric('auth_guard_usage_deltas_published_total')).toBe(2);
      expect(await metric('auth_guard_usage_requests_published_total')).toBe(4);
    });

    it('should publish nothing when nothing was counted, and number each window', async () => {
      create();
      await sut.flush();
      expect(producer.send).not.toHaveBeenCalled();
      record();
      await sut.flush();
      record();
      await sut.flush();
      expect(producer.deltas.map((delta) => delta.sequence)).toEqual([1, 2]);
    });

    it('should count nothing when the service accepts no API keys', async () => {
      create({}, { apiKey: false });
      record();
      await sut.flush();
      expect(sut.enabled).toBe(false);
      expect(producer.connect).not.toHaveBeenCalled();
    });
  });

  describe('while Kafka is down', () => {
    it('should keep counting and send everything once Kafka is back, the failed deltas unchanged', async () => {
      create();
      await sut.flush();
      expect(sut.isConnected).toBe(true);
      producer.up = false;
      record('key-1');
      await flushNow();
      record('key-1');
      record('key-2');
      await flushNow();
      expect(producer.sent).toHaveLength(0);
      producer.up = true;
      await flushNow();
      // The window taken before the outage first, as it was; then what was counted meanwhile.
      await flushNow();
      expect(producer.deltas.map((delta) => [delta.sequence, delta.key_id, delta.routes[0].count])).toEqual([
        [1, 'key-1', 1],
        [2, 'key-1', 1],
        [2, 'key-2', 1],
      ]);
    });

    it('should resend a failed send with the same event ids', async () => {
      create();
      const attempted: string[] = [];
      producer.send.mockImplementationOnce(async (batch: SentRecord) => {
        attempted.push(...batch.messages.map((message) => JSON.parse(message.value).event_id));
        throw new Error('Request timed out');
      });
      record();
      await flushNow();
      await flushNow();
      expect(producer.deltas.map((delta) => delta.event_id)).toEqual(attempted);
    });

    it('should wait longer after each failure in a row', async () => {
      producer.up = false;
      create();
      record();
      await sut.flush();
      await sut.flush();
      expect(producer.connect).toHaveBeenCalledTimes(1);
    });

    it('should not block start-up, and connect once Kafka is reachable', async () => {
      producer.up = false;
      create();
      record();
      await flushNow();
      expect(sut.isConnected).toBe(false);
      producer.up = true;
      await flushNow();
      expect(sut.isConnected).toBe(true);
      expect(producer.deltas).toHaveLength(1);
    });

    it('should drop and count requests beyond the series bound, and say how many series wait', async () => {
      producer.up = false;
      create();
      for (let key = 0; key < 6; key++) record(`key-${key}`);
      record('key-0');
      expect(await metric('auth_guard_usage_requests_dropped_total')).toBe(2);
      expect(await metric('auth_guard_usage_series_pending')).toBe(4);
    });
  });

  describe('onApplicationShutdown', () => {
    it('should publish what was counted and disconnect', async () => {
      create();
      record();
      await sut.onApplicationShutdown();
      expect(producer.deltas).toHaveLength(1);
      expect(producer.disconnect).toHaveBeenCalled();
    });
  });
});
