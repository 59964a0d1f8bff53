import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ThreadedProducer } from './threaded-producer';

const FAKE_CLIENT = path.join(__dirname, 'fake-kafka-client.fixture.mjs');

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
      sut = new ThreadedProducer({ clientId: 'spec', brokers: ['127.0.0.1:1'] });
      await expect(sut.connect()).rejects.toThrow(/Cannot connect to any broker/);
      const started = Date.now();
      await expect(sut.send({ topic: 'usage', messages: [{ key: 'k', value: 'v' }] })).rejects.toThrow(/Cannot connect to any broker/);
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('with a stand-in client', () => {
    beforeEach(() => {
      sut = new ThreadedProducer({ clientId: 'spec', brokers: ['127.0.0.1:1'] }, FAKE_CLIENT);
    });

    it('should hand every message over with its key, value and headers', async () => {
      await sut.connect();
      const delivered = (await sut.send({
        topic: 'usage',
        messages: [
          { key: 'key-a', value: '{"a":1}' },
          { key: 'key-b', value: '{"b":2}', headers: { 'x-correlation-id': 'corr-1' } },
        ],
      })) as Delivered[];
      expect(delivered).toMatchObject([
        { topic: 'usage', key: 'key-a', value: '{"a":1}', headers: undefined },
        { topic: 'usage', key: 'key-b', value: '{"b":2}', headers: { 'x-correlation-id': 'corr-1' } },
      ]);
    });

    it("should put each key id in the partition kafkajs' Java-compatible partitioner picks, first time and from its cache", async () => {
      const partitionMetadata: PartitionMetadata[] = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      const javaPartitioner = Partitioners.DefaultPartitioner();
      // More distinct keys than the thread remembers, so its cache also starts over once.
      const keys = Array.from({ length: 12_000 }, () => randomUUID());
      const expected = keys.map((key) => javaPartitioner({ topic: 'usage', partitionMetadata, message: { key, value: null } }));
      await sut.connect();
      for (let pass = 0; pass < 2; pass++) {
        const delivered = (await sut.send({ topic: 'usage', messages: keys.map((key) => ({ key, value: 'v' })) })) as Delivered[];
        expect(delivered.map((message) => message.partition)).toEqual(expected);
      }
    });

    it('should fail the calls in flight when the thread dies, and start a new thread on the next call', async () => {
      await sut.connect();
      await expect(sut.send({ topic: 'usage', messages: [{ key: 'exit', value: 'v' }] })).rejects.toThrow('Kafka producer thread exited (3)');
      await expect(sut.send({ topic: 'usage', messages: [{ key: 'k', value: 'v' }] })).rejects.toThrow('Kafka producer not connected');
      await sut.connect();
      await expect(sut.send({ topic: 'usage', messages: [{ key: 'k', value: 'v' }] })).resolves.toHaveLength(1);
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
