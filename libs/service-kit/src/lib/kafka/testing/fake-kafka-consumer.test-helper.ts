import type { Kafka } from 'kafkajs';
import { EventEmitter } from 'node:events';

const EVENTS = {
  GROUP_JOIN: 'group_join',
  FETCH: 'fetch',
  HEARTBEAT: 'heartbeat',
  CRASH: 'crash',
  DISCONNECT: 'disconnect',
  STOP: 'stop',
};

/** A kafkajs consumer that joins at once (after `failConnects` refused connections) and takes messages by hand. */
export class FakeKafkaConsumer extends EventEmitter {
  static readonly EVENTS = EVENTS;
  readonly events = EVENTS;
  eachMessage?: (payload: { message: { value: Buffer | null } }) => Promise<void>;
  connect = jest.fn(async () => {
    if (this.failConnects > 0) {
      this.failConnects--;
      throw new Error('Connection refused');
    }
  });
  subscribe = jest.fn(async () => undefined);
  run = jest.fn(async (config: { eachMessage: FakeKafkaConsumer['eachMessage'] }) => {
    this.eachMessage = config.eachMessage;
    this.emit(EVENTS.GROUP_JOIN, {});
  });
  disconnect = jest.fn(async () => undefined);

  constructor(private failConnects = 0) {
    super();
  }

  async deliver(event: unknown): Promise<void> {
    await this.eachMessage?.({
      message: { value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)) },
    });
  }
}

/** A kafkajs client whose consumers are fakes; the first one refuses `failFirstConnects` connections. */
export function fakeKafka(failFirstConnects = 0): { kafka: Kafka; consumers: FakeKafkaConsumer[] } {
  const consumers: FakeKafkaConsumer[] = [];
  const kafka = {
    consumer: jest.fn(() => {
      const consumer = new FakeKafkaConsumer(consumers.length === 0 ? failFirstConnects : 0);
      consumers.push(consumer);
      return consumer;
    }),
  } as unknown as Kafka;
  return { kafka, consumers };
}

export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
