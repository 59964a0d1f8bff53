// Also what lists @platformatic/kafka in each app's generated package.json: the thread only names it in a string.
import type { ProducerOptions } from '@platformatic/kafka';
import { KEY_USAGE_EVENT_TYPE, KEY_USAGE_EVENT_VERSION } from '@rs/event-contracts';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { USAGE_FIELD_COUNT, type UsageFields } from './key-usage-fields.util';

/** What the usage publisher needs of a producer: a ThreadedProducer, or an InlineProducer on this thread. */
export interface UsageProducer {
  connect(): Promise<void>;
  /** Builds the usage events of `fields` (see UsageFields) and sends them to `topic`. */
  send(topic: string, fields: UsageFields): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** What the thread needs to build its client and the events: plain data only (it crosses the thread boundary). */
export interface ThreadedProducerConfig {
  clientId: string;
  brokers: string[];
  /** The `service` of every usage event. */
  service: string;
}

/** A batch as it crosses to the thread: the raw fields of its events, flat (a structured clone of short strings and numbers). */
interface Batch {
  topic: string;
  fields: UsageFields;
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

// The usage events of a batch of raw fields. Same bytes as encodeUsageMessages (key-usage-fields.util.ts),
// the contract's JSON (libs/event-contracts key-usage.event.ts), key order included: threaded-producer.spec.ts.
const { service, type, version, fieldCount } = workerData.usage;
function usageMessages(topic, fields) {
  const messages = new Array(fields.length / fieldCount);
  for (let offset = 0, i = 0; offset < fields.length; offset += fieldCount, i++) {
    const key = fields[offset];
    const value = JSON.stringify({
      event_id: fields[offset + 8],
      type,
      version,
      occurred_at: new Date(fields[offset + 6]).toISOString(),
      key_id: key,
      user_id: fields[offset + 1],
      service,
      method: fields[offset + 2],
      route: fields[offset + 3],
      status: fields[offset + 4],
      latency_ms: Math.round(fields[offset + 5] * 1000) / 1000,
    });
    const correlationId = fields[offset + 7];
    messages[i] = { topic, key, value, headers: correlationId ? { 'x-correlation-id': correlationId } : undefined };
  }
  return messages;
}

const operations = {
  async connect() {
    const { Producer, stringSerializers, compatibilityPartitioner } = await client;
    producer ??= new Producer({ ...workerData.options, serializers: stringSerializers, partitioner: cachedPartitioner(compatibilityPartitioner) });
    await producer.connectToBrokers();
  },
  async send({ topic, fields }) {
    if (!producer) throw new Error('Kafka producer not connected');
    return producer.send({ messages: usageMessages(topic, fields) });
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
 * otherwise be taken from request handling. The thread also builds the events themselves (event id, ISO
 * time, JSON) from the requests' raw fields: the request thread only hands over batches of those fields, a
 * structured clone per send.
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
  send(topic: string, fields: UsageFields): Promise<unknown> {
    return this.call('send', { topic, fields });
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
    const usage = { service: this.config.service, type: KEY_USAGE_EVENT_TYPE, version: KEY_USAGE_EVENT_VERSION, fieldCount: USAGE_FIELD_COUNT };
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { client: this.client, options, partitionCacheSize: PARTITION_CACHE_SIZE, usage } });
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
