import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { stackEndpoints } from './stack-endpoints';

export interface TopicRecorder<T> {
  messages: Array<{ key: string | null; value: T }>;
  stop: () => Promise<void>;
}

/** Records every message published on `topic` from now on (its own consumer group), parsed as JSON. */
export async function recordTopic<T = unknown>(topic: string): Promise<TopicRecorder<T>> {
  const kafka = new Kafka({
    clientId: 'test-recorder',
    brokers: stackEndpoints.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).catch(() => false);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `test-recorder-${randomUUID()}` });
  const messages: TopicRecorder<T>['messages'] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  let assigned!: () => void;
  const ready = new Promise<void>((resolve) => (assigned = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => assigned());
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? null,
        value: JSON.parse(message.value?.toString() ?? 'null') as T,
      });
    },
  });
  await ready;
  return { messages, stop: () => consumer.disconnect() };
}
