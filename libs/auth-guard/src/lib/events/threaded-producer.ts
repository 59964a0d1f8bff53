// Also what lists @platformatic/kafka in each app's generated package.json: the thread only names it in a string.
import type { ProducerOptions } from '@platformatic/kafka';
import type { Message, ProducerRecord } from 'kafkajs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** What the usage publisher needs of a producer: a kafkajs producer (inline) or a ThreadedProducer. */
export interface UsageProducer {
  connect(): Promise<void>;
  send(record: ProducerRecord): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** What the thread needs to build its client: plain data only (it crosses the thread boundary). */
export interface ThreadedProducerConfig {
  clientId: string;
  brokers: string[];
}

/** A batch as it crosses to the thread: one array per field clones 2× cheaper here, and 5× in the thread, than message objects. */
interface Batch {
  topic: string;
  keys: Message['key'][];
  values: Message['value'][];
  headers: Message['headers'][];
}

type Operation = 'connect' | 'send' | 'disconnect';
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * Settings of the thread's @platformatic/kafka producer. A call fails within about a second when Kafka is
 * away (refused connections, 2 retries 200 ms apart), so KeyUsagePublisher's own reconnect loop takes over.
 */
const PRODUCER_OPTIONS = {
  connectTimeout: 3000,
  timeout: 5000,
  retries: 2,
  retryDelay: 200,
  autocreateTopics: true,
  acks: -1,
} satisfies Partial<ProducerOptions<string, string, string, string>>;

/** Distinct key ids whose partition hash the thread remembers before starting over. */
const PARTITION_CACHE_SIZE = 10_000;

/**
 * The producer thread, as plain CommonJS: webpack bundles each app into one file, so the thread cannot be
 * a module of its own. It only runs producer calls for the main thread; buffering, retries and metrics stay
 * in KeyUsagePublisher. @platformatic/kafka is ESM-only: imported by the path the main thread resolved.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { isAbsolute } = require('node:path');
const { pathToFileURL } = require('node:url');
const client = import(isAbsolute(workerData.client) ? pathToFileURL(workerData.client).href : workerData.client);
let producer;

// Java's partitioner (murmur2 & 0x7fffffff, modulo the partition count), so one key id lands in the same
// partition whoever produces it. Key ids repeat: their hash is remembered (~3 µs of murmur2 a message).
const hashes = new Map();
function cachedPartitioner(partitioner) {
  return (message, key) => {
    let hash = hashes.get(message.key);
    if (hash === undefined) {
      if (hashes.size >= workerData.partitionCacheSize) hashes.clear();
      hash = partitioner(message, key);
      hashes.set(message.key, hash);
    }
    return hash;
  };
}

const operations = {
  async connect() {
    const { Producer, stringSerializers, compatibilityPartitioner } = await client;
    producer ??= new Producer({ ...workerData.options, serializers: stringSerializers, partitioner: cachedPartitioner(compatibilityPartitioner) });
    await producer.connectToBrokers();
  },
  async send({ topic, keys, values, headers }) {
    if (!producer) throw new Error('Kafka producer not connected');
    const messages = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) messages[i] = { topic, key: keys[i], value: values[i], headers: headers[i] };
    return producer.send({ messages });
  },
  async disconnect() {
    const closing = producer;
    producer = undefined;
    await closing?.close();
  },
};

// "metadata failed 3 times." alone does not say why: add the distinct reasons of a MultipleErrors.
function describe(error) {
  const reasons = [...new Set((error?.errors ?? []).map((inner) => inner?.message))].filter(Boolean);
  const message = error?.message ?? String(error);
  return reasons.length ? message + ' ' + reasons.join('; ') : message;
}

parentPort.on('message', ({ id, operation, batch }) => {
  operations[operation](batch).then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: describe(error) }),
  );
});
`;

/**
 * A @platformatic/kafka producer running in a worker thread: the per-record encoding (varints, CRC32C,
 * partitioner) costs 8–11 µs of CPU per usage event (31–35 µs with kafkajs, docs/benchmarks.md) that would
 * otherwise be taken from request handling. The request thread only hands over batches, a structured clone
 * per send.
 * The thread is started on first use, restarted if it dies, and never keeps the process alive.
 */
export class ThreadedProducer implements UsageProducer {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  /** `client`: the module the thread imports its Kafka client from (tests pass a stand-in). */
  constructor(
    private readonly config: ThreadedProducerConfig,
    private readonly client: string = resolveFromMainScript('@platformatic/kafka'),
  ) {}

  connect(): Promise<void> {
    return this.call('connect') as Promise<void>;
  }

  /** Resolves with the client's result (offsets per partition). */
  send({ topic, messages }: ProducerRecord): Promise<unknown> {
    const batch: Batch = { topic, keys: [], values: [], headers: [] };
    for (const message of messages) {
      batch.keys.push(message.key);
      batch.values.push(message.value);
      batch.headers.push(message.headers);
    }
    return this.call('send', batch);
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

  private call(operation: Operation, batch?: Batch): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, operation, batch });
    });
  }

  private start(): Worker {
    const options = { ...PRODUCER_OPTIONS, clientId: this.config.clientId, bootstrapBrokers: this.config.brokers };
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { client: this.client, options, partitionCacheSize: PARTITION_CACHE_SIZE } });
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
 * Where a package is, for the thread: resolved from the main script, then from the working directory (a
 * webpack bundle has no usable `require.resolve` for external packages).
 */
function resolveFromMainScript(name: string): string {
  const bases = [process.argv[1], path.join(process.cwd(), 'index.js')].filter((base): base is string => Boolean(base));
  for (const base of bases) {
    try {
      return createRequire(path.resolve(base)).resolve(name);
    } catch {
      // next base
    }
  }
  return name;
}
