import { parseKeyUsageEvent } from '@rs/event-contracts';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { contractJson, usageFields } from '../testing/usage-fields.test-helper';
import { encodeUsageMessages, USAGE_FIELD_COUNT } from './key-usage-fields.util';
import { ThreadedProducer } from './threaded-producer';

const FAKE_CLIENT = path.join(__dirname, 'fake-kafka-client.fixture.mjs');
const CONFIG = { clientId: 'spec', brokers: ['127.0.0.1:1'], service: 'cadip' };

interface Delivered {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
  partition: number;
}

// Each new thread imports @platformatic/kafka: ~1.3 s of schema compilation, more on a busy machine.
jest.setTimeout(30_000);

describe(ThreadedProducer.name, () => {
  let sut: ThreadedProducer;

  afterEach(() => sut.terminate());

  describe('with @platformatic/kafka', () => {
    it('should bring the client errors back to the caller, and quickly once the thread runs, when Kafka is unreachable', async () => {
      // Nothing listens on port 1: every connection is refused.
      sut = new ThreadedProducer(CONFIG);
      await expect(sut.connect()).rejects.toThrow(/Cannot connect to any broker/);
      const started = Date.now();
      await expect(sut.send('usage', usageFields())).rejects.toThrow(/Cannot connect to any broker/);
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('with a stand-in client', () => {
    beforeEach(() => {
      sut = new ThreadedProducer(CONFIG, FAKE_CLIENT);
    });

    it('should send one message per event, keyed by key id, with the correlation id as a header', async () => {
      await sut.connect();
      const delivered = (await sut.send('usage', [...usageFields({ keyId: 'key-a' }), ...usageFields({ keyId: 'key-b', correlationId: 'corr-1' })])) as Delivered[];
      expect(delivered).toMatchObject([
        { topic: 'usage', key: 'key-a', headers: undefined },
        { topic: 'usage', key: 'key-b', headers: { 'x-correlation-id': 'corr-1' } },
      ]);
    });

    it('should build the contract JSON of each event, byte for byte, with the event id it was given', async () => {
      const fields = [
        ...usageFields({ keyId: 'key-a', eventId: randomUUID() }),
        ...usageFields({ keyId: 'key-b', status: 499, latencyMs: 0.0004, occurredAt: Date.parse('2026-02-28T23:59:59.999Z'), eventId: randomUUID() }),
      ];
      await sut.connect();
      const delivered = (await sut.send('usage', fields)) as Delivered[];
      delivered.forEach((message, index) => {
        expect(message.value).toBe(contractJson(fields.slice(index * USAGE_FIELD_COUNT, (index + 1) * USAGE_FIELD_COUNT)));
        expect(parseKeyUsageEvent(message.value)).toMatchObject({ ok: true });
      });
      expect(delivered.map((message) => JSON.parse(message.value).event_id)).toEqual([fields[8], fields[17]]);
    });

    it('should give the same bytes as the inline encoder', async () => {
      const fields = Array.from({ length: 50 }, (_, index) =>
        usageFields({ keyId: `key-${index % 7}`, status: 200 + index, latencyMs: index / 3, occurredAt: 1_790_000_000_000 + index * 997, eventId: randomUUID() }),
      ).flat();
      await sut.connect();
      const delivered = (await sut.send('usage', fields)) as Delivered[];
      expect(delivered.map((message) => message.value)).toEqual(encodeUsageMessages(fields, 'cadip').map((message) => message.value));
    });

    it("should put each key id in the partition kafkajs' Java-compatible partitioner picks, first time and from its cache", async () => {
      const partitionMetadata: PartitionMetadata[] = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      const javaPartitioner = Partitioners.DefaultPartitioner();
      // More distinct keys than the thread remembers, so its cache also starts over once.
      const keys = Array.from({ length: 12_000 }, () => randomUUID());
      const expected = keys.map((key) => javaPartitioner({ topic: 'usage', partitionMetadata, message: { key, value: null } }));
      await sut.connect();
      for (let pass = 0; pass < 2; pass++) {
        const delivered = (await sut.send('usage', keys.flatMap((keyId) => usageFields({ keyId })))) as Delivered[];
        expect(delivered.map((message) => message.partition)).toEqual(expected);
      }
    });

    it('should fail the calls in flight when the thread dies, and start a new thread on the next call', async () => {
      await sut.connect();
      await expect(sut.send('usage', usageFields({ keyId: 'exit' }))).rejects.toThrow('Kafka producer thread exited (3)');
      await expect(sut.send('usage', usageFields())).rejects.toThrow('Kafka producer not connected');
      await sut.connect();
      await expect(sut.send('usage', usageFields())).resolves.toHaveLength(1);
    });

    it('should fail the calls in flight when the thread is stopped', async () => {
      const inFlight = sut.connect();
      await sut.terminate();
      await expect(inFlight).rejects.toThrow(/thread exited/);
    });

    it('should resolve a disconnect without ever starting a thread', async () => {
      await expect(sut.disconnect()).resolves.toBeUndefined();
    });
  });
});
