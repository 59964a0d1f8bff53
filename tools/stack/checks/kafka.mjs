// Smoke check: kafkajs produce + consume through consumer groups, and a transaction, against the local broker.
// Needs kafkajs (resolved from the repo's node_modules). Usage: node tools/stack/checks/kafka.mjs
import { Kafka, logLevel } from 'kafkajs';
import principals from '../lib/kafka-principals.cjs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const broker = `127.0.0.1:${process.env.KAFKA_PORT || 9092}`;
// The super user: the check makes a topic and a transactional id of its own.
const kafka = new Kafka({
  clientId: 'stack-check',
  brokers: [broker],
  sasl: principals.kafkaSasl(),
  logLevel: logLevel.NOTHING,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const assert = (c, m) => {
  if (!c) throw new Error(`kafka check failed: ${m}`);
};

const admin = kafka.admin();
await admin.connect();
const topic = `stack-check-${Date.now()}`;
await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
const md = await admin.fetchTopicMetadata({ topics: [topic] });
assert(md.topics[0].partitions.length === 4, 'topic has 4 partitions');

// 1. two members of one consumer group share the partitions and receive every message
const groupId = `g-${topic}`;
const seen = [new Set(), new Set()];
let count = 0;
const consumers = [];
for (const i of [0, 1]) {
  const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    eachMessage: async ({ partition }) => {
      seen[i].add(partition);
      count++;
    },
  });
  consumers.push(c);
}
const t0 = Date.now();
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: String(i) })) });
while (count < 40 && Date.now() - t0 < 30000) await sleep(100);
assert(count === 40, `received ${count}/40 messages`);
assert(seen[0].size > 0 && seen[1].size > 0, `both members got partitions (${[...seen[0]]} / ${[...seen[1]]})`);
for (const c of consumers) await c.disconnect();
const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
const committed = offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0);
assert(committed === 40, `committed offsets sum to 40 (got ${committed})`);
console.log(
  `kafka: 40 messages through a 2-member group in ${Date.now() - t0} ms, partitions ${[...seen[0]]} | ${[...seen[1]]}, offsets committed`,
);

// 2. transactional producer with sendOffsets
const tx = kafka.producer({ transactionalId: `tx-${topic}`, idempotent: true, maxInFlightRequests: 1 });
await tx.connect();
const t = await tx.transaction();
await t.send({ topic, messages: [{ key: 'tx', value: 'in-transaction' }] });
await t.sendOffsets({
  consumerGroupId: `gtx-${topic}`,
  topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }],
});
await t.commit();
await tx.disconnect();
console.log('kafka: transaction with sendOffsets committed');

await producer.disconnect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
console.log('KAFKA OK');
