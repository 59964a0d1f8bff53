import type { KafkaConfig, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** The part of a kafkajs producer the usage publisher uses. */
export interface UsageProducer {
  connect(): Promise<void>;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

/** What the thread needs to build its client: plain data only (it crosses the thread boundary). */
export interface ThreadedProducerConfig {
  client: Pick<KafkaConfig, 'clientId' | 'brokers' | 'connectionTimeout' | 'retry'>;
  producer: Pick<ProducerConfig, 'allowAutoTopicCreation' | 'retry'>;
}

type Operation = 'connect' | 'send' | 'disconnect';
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * The producer thread, as plain CommonJS: webpack bundles each app into one file, so the thread cannot
 * be a module of its own. It only runs kafkajs calls for the main thread; buffering, retries and metrics
 * stay in KeyUsagePublisher. kafkajs is required by the path the main thread resolved.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Kafka, Partitioners, logLevel } = require(workerData.kafkajs);
const kafka = new Kafka({ ...workerData.config.client, logLevel: logLevel.NOTHING });
// The Java client's partitioner, so one key id lands in the same partition whoever produces it.
const producer = kafka.producer({ ...workerData.config.producer, createPartitioner: Partitioners.DefaultPartitioner });
parentPort.on('message', ({ id, operation, record }) => {
  const call = operation === 'send' ? producer.send(record) : producer[operation]();
  call.then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: error && error.message ? error.message : String(error) }),
  );
});
`;

/**
 * A kafkajs producer running in a worker thread. kafkajs encodes every record in JavaScript (varints,
 * CRC32C, partitioner): ~40 µs of CPU per usage event that would otherwise be taken from request handling
 * (docs/benchmarks.md). The request thread only hands over batches, a structured clone per send.
 * The thread is started on first use, restarted if it dies, and never keeps the process alive.
 */
export class ThreadedProducer implements UsageProducer {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly config: ThreadedProducerConfig) {}

  connect(): Promise<void> {
    return this.call('connect') as Promise<void>;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.call('send', record) as Promise<RecordMetadata[]>;
  }

  /** Disconnects the producer and stops the thread. */
  async disconnect(): Promise<void> {
    if (!this.worker) return;
    try {
      await this.call('disconnect');
    } finally {
      await this.terminate();
    }
  }

  /** Stops the thread at once; calls in flight fail. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private call(operation: Operation, record?: ProducerRecord): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, operation, record });
    });
  }

  private start(): Worker {
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { kafkajs: resolveKafkajs(), config: this.config } });
    worker.unref();
    worker.on('message', ({ id, result, error }: Reply) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (error === undefined) call?.resolve(result);
      else call?.reject(new Error(error));
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const call of this.pending.values()) call.reject(new Error(reason));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`Kafka producer thread failed: ${error.message}`));
    worker.on('exit', (code) => fail(`Kafka producer thread exited (${code})`));
    this.worker = worker;
    return worker;
  }
}

/**
 * Where kafkajs is, for the thread: resolved from the main script, then from the working directory (a
 * webpack bundle has no usable `require.resolve` for external packages).
 */
function resolveKafkajs(): string {
  const bases = [process.argv[1], path.join(process.cwd(), 'index.js')].filter((base): base is string => Boolean(base));
  for (const base of bases) {
    try {
      return createRequire(path.resolve(base)).resolve('kafkajs');
    } catch {
      // next base
    }
  }
  return 'kafkajs';
}
