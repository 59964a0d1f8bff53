import { randomUUID } from 'node:crypto';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { stackEndpoints } from './stack-endpoints';

/**
 * The KAFKA_* credentials of the tests (integration-env.ts sets the stack's super user by default), to pass to
 * an app started as a child process with an environment of its own.
 */
export function testKafkaEnv(): Record<string, string> {
  const names = ['KAFKA_SASL_MECHANISM', 'KAFKA_USERNAME', 'KAFKA_PASSWORD', 'KAFKA_SSL'];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}

/** kafkajs SASL/TLS options from KAFKA_* (the same variables the apps read); none without a mechanism. */
export function testKafkaSecurity(env: NodeJS.ProcessEnv = process.env): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const mechanism = (env['KAFKA_SASL_MECHANISM'] ?? 'none').toLowerCase();
  const ssl = ['true', '1', 'yes', 'on'].includes((env['KAFKA_SSL'] ?? '').toLowerCase());
  if (mechanism === 'none') return { ssl };
  const sasl = { mechanism, username: env['KAFKA_USERNAME'] ?? '', password: env['KAFKA_PASSWORD'] ?? '' };
  return { sasl: sasl as SASLOptions, ssl };
}

/** A kafkajs client of the tests on the stack's broker, as the stack's super user unless KAFKA_* says otherwise. */
export function testKafka(clientId: string, options: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: stackEndpoints.kafkaBrokers,
    logLevel: logLevel.NOTHING,
    ...testKafkaSecurity(),
    ...options,
  });
}

export interface TopicRecorder<T> {
  messages: Array<{ key: string | null; value: T }>;
  stop: () => Promise<void>;
}

/** Records every message published on `topic` from now on (its own consumer group), parsed as JSON. */
export async function recordTopic<T = unknown>(topic: string): Promise<TopicRecorder<T>> {
  const kafka = testKafka('test-recorder');
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
