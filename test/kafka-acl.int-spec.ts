// The stack's broker authenticates every client (SASL/SCRAM) and authorises each principal for its own topics
// and consumer groups only: a process that reaches the broker cannot forge lifecycle or usage events.
import { KEY_LIFECYCLE_TOPIC, KEY_USAGE_DEAD_LETTER_TOPIC, KEY_USAGE_TOPIC } from '@rs/event-contracts';
import { stackEndpoints } from '@rs/testing';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { kafkaPrincipals } from '../tools/built-app.cjs';

const { kafkaAppEnv, kafkaSasl } = kafkaPrincipals;

const runId = randomUUID().slice(0, 8);

/** A client that gives up at the first refusal, authenticated as `user` (none: anonymous). */
function client(user: string | null, options: Partial<KafkaConfig> = {}): Kafka {
  const sasl: SASLOptions | undefined = user ? kafkaSasl(user) : undefined;
  return new Kafka({
    clientId: `kafka-acl-test-${runId}`,
    brokers: stackEndpoints.kafkaBrokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 0 },
    sasl,
    ...options,
  });
}

/** The broker's error code (TOPIC_AUTHORIZATION_FAILED…) behind kafkajs' wrappers, else the message. */
function brokerError(error: unknown): string {
  let cause = error as { type?: string; message?: string; originalError?: unknown; cause?: unknown } | undefined;
  while (cause && !cause.type && (cause.originalError || cause.cause))
    cause = (cause.originalError ?? cause.cause) as typeof cause;
  return cause?.type ?? cause?.message ?? String(error);
}

/** Sends one test record to `topic` as `user`; resolves to 'OK' or the broker's refusal. */
async function send(user: string | null, topic: string, options: Partial<KafkaConfig> = {}): Promise<string> {
  const producer = client(user, options).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: `kafka-acl-test-${runId}`, value: '{"test":true}' }] });
    return 'OK';
  } catch (error) {
    return brokerError(error);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Consumes `topic` in `groupId` as `user`; resolves to 'OK' after a first fetch, or the broker's refusal. */
async function consume(user: string, topic: string, groupId: string): Promise<string> {
  const consumer = client(user).consumer({ groupId, allowAutoTopicCreation: false, retry: { retries: 0 } });
  try {
    const joined = new Promise<string>((resolve) => {
      consumer.on(consumer.events.FETCH, () => resolve('OK'));
      consumer.on(consumer.events.CRASH, ({ payload }) => resolve(brokerError(payload.error)));
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async () => undefined });
    return await joined;
  } catch (error) {
    return brokerError(error);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

const guard = kafkaAppEnv('cadip')['KAFKA_USERNAME'];
const keyManager = kafkaAppEnv('key-manager')['KAFKA_USERNAME'];
const keyWorker = kafkaAppEnv('key-worker')['KAFKA_USERNAME'];

describe('Kafka authentication', () => {
  it('should refuse an anonymous client', async () => {
    expect(await send(null, KEY_LIFECYCLE_TOPIC)).not.toBe('OK');
    const admin = client(null).admin();
    try {
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  });

  it('should refuse a known user with a wrong password', async () => {
    const producer = client(null, {
      sasl: { mechanism: 'scram-sha-512', username: guard, password: 'not-the-password' },
    }).producer();
    await expect(producer.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await producer.disconnect().catch(() => undefined);
  });
});

describe('Kafka authorisation', () => {
  it("should refuse a lifecycle event from the guards' credentials", async () => {
    expect(await send(guard, KEY_LIFECYCLE_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("should accept a lifecycle event from the key manager's credentials", async () => {
    expect(await send(keyManager, KEY_LIFECYCLE_TOPIC)).toBe('OK');
  });

  it('should refuse a usage event from any principal but the guards', async () => {
    expect(await send(keyManager, KEY_USAGE_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await send(keyWorker, KEY_USAGE_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('should let the key worker write dead letters, which the guards may not', async () => {
    expect(await send(keyWorker, KEY_USAGE_DEAD_LETTER_TOPIC)).toBe('OK');
    expect(await send(guard, KEY_USAGE_DEAD_LETTER_TOPIC)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('should let the guards follow lifecycle events in their own consumer groups only', async () => {
    expect(await consume(guard, KEY_LIFECYCLE_TOPIC, `auth-guard.kafka-acl-test.${runId}`)).toBe('OK');
    expect(await consume(guard, KEY_LIFECYCLE_TOPIC, `key-manager.check.${runId}`)).not.toBe('OK');
  });

  it('should refuse the usage stream to the guards, which only write it', async () => {
    expect(await consume(guard, KEY_USAGE_TOPIC, `auth-guard.kafka-acl-test.${runId}`)).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
  });

  it('should create no topic on a send to an unknown one, even for the super user', async () => {
    const result = await send('admin', `kafka-acl-test.${runId}`);
    expect(result).not.toBe('OK');
    const admin = client('admin').admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(`kafka-acl-test.${runId}`);
    } finally {
      await admin.disconnect();
    }
  });
});
