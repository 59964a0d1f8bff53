// Proves each local service is the real thing, through the same client libraries the apps use.
import { eventually, stackEndpoints, testKafka, userToken } from '@rs/testing';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { MongoClient, MongoServerError } from 'mongodb';
import { randomUUID } from 'node:crypto';

const runId = randomUUID().slice(0, 8);

describe('Kafka', () => {
  it('should deliver produced messages to a consumer group, with committed offsets', async () => {
    const kafka = testKafka('smoke');
    const topic = `smoke.${runId}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    const groupId = `smoke-group-${runId}`;
    const consumer = kafka.consumer({ groupId });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => `message-${i}`);
    await producer.send({ topic, acks: -1, messages: sent.map((value, i) => ({ key: `k${i % 5}`, value })) });
    await producer.disconnect();

    await eventually(
      () => {
        if (received.length < sent.length) throw new Error(`received ${received.length}/${sent.length}`);
      },
      30000,
      200,
    );
    expect([...received].sort()).toEqual([...sent].sort());
    await consumer.disconnect();

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0].partitions.reduce((sum, partition) => sum + Number(partition.offset), 0);
    expect(committed).toBe(sent.length);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
});

describe('Mongo-wire database', () => {
  it('should store and find documents and reject a duplicate on a unique index', async () => {
    const client = await MongoClient.connect(stackEndpoints.mongoUrl(`smoke${runId.replace(/[^a-z]/g, '')}x`));
    try {
      const collection = client.db().collection<{ _id: string; hash: string; n: number }>('things');
      await collection.createIndex({ hash: 1 }, { unique: true });
      await collection.insertOne({ _id: 'a', hash: 'h1', n: 1 });
      expect(await collection.findOne({ hash: 'h1' })).toEqual({ _id: 'a', hash: 'h1', n: 1 });
      const duplicate = await collection.insertOne({ _id: 'b', hash: 'h1', n: 2 }).catch((error: unknown) => error);
      expect(duplicate).toBeInstanceOf(MongoServerError);
      expect((duplicate as MongoServerError).code).toBe(11000);
      await collection.updateOne({ _id: 'a' }, { $inc: { n: 5 } }, { upsert: true });
      expect((await collection.findOne({ _id: 'a' }))?.n).toBe(6);
      await client.db().dropDatabase();
    } finally {
      await client.close();
    }
  });
});

describe('Redis with BullMQ', () => {
  it('should run a job round trip and return its result', async () => {
    const url = new URL(stackEndpoints.redisUrl);
    const connection = { host: url.hostname, port: Number(url.port || 6379) };
    const prefix = `smoke-${runId}`;
    const queue = new Queue('smoke', { connection, prefix });
    const events = new QueueEvents('smoke', { connection, prefix });
    const worker = new Worker('smoke', async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection,
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      await expect(job.waitUntilFinished(events, 10000)).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await events.close();
    }
  });
});

describe('Keycloak', () => {
  it('should issue a demo user a token whose signature verifies against the realm JWKS', async () => {
    const token = await userToken('alice');
    const issuer = `${stackEndpoints.keycloakUrl}/realms/${stackEndpoints.realm}`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(token, jwks, { issuer, audience: 'rs-server' });
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    expect(payload.sub).toEqual(expect.any(String));
    expect(payload['preferred_username']).toBe('alice');
    expect((payload['realm_access'] as { roles: string[] }).roles).toContain('rs_cadip_ins_read');

    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(jwtVerify(tampered, jwks, { issuer, audience: 'rs-server' })).rejects.toThrow();
  });
});
