#!/usr/bin/env node
// Usage ingest: how many requests per second of usage the key worker aggregates, in usage deltas (the form
// guards publish), against the real Kafka and Mongo-wire DB of tools/stack, with the built worker
// (dist/apps/key-worker/main.js). See docs/benchmarks.md.
//
//   npx nx build key-worker && node tools/stack/stack.mjs up
//   node tools/bench/usage-ingest/run.mjs [--windows 200] [--keys 1000] [--routes 4] [--requests 25]
//
// A backlog of `windows` × `keys` deltas (one per key and window, each with `routes` route entries of
// `requests` requests) is produced first; then the worker starts and drains it. Ingest rate = deltas (and
// the requests they represent) / (worker joined → last request visible in the key totals). The run ends
// with an exactness check of the totals and the hour buckets. It uses its own topics, database and
// consumer group, and removes them at the end.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  benchArgs,
  ROOT,
  sleep,
  startBuiltApp,
  SUPER_USER_KAFKA_ENV,
  superUserSasl,
  uniqueDatabase,
} from '../built-apps.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const { MongoClient } = require('mongodb');

const args = benchArgs();
const WINDOWS = Number(args.windows ?? 200);
const KEYS = Number(args.keys ?? 1000);
const ROUTES = Number(args.routes ?? 4);
const REQUESTS = Number(args.requests ?? 25);
const PARTITIONS = 6;
const BROKERS = ['127.0.0.1:9092'];

const runId = uniqueDatabase('ingest');
const topic = `${runId}.usage`;
const deadLetterTopic = `${runId}.usage.dlq`;
const mongoUrl = `mongodb://127.0.0.1:27017/${runId}`;
const kafka = new Kafka({
  clientId: 'usage-ingest-bench',
  brokers: BROKERS,
  sasl: superUserSasl(),
  logLevel: logLevel.NOTHING,
});

/** Delta `window` of key `key`, as a guard publishes it (contract: libs/event-contracts). */
function delta(window, key, at) {
  const time = new Date(at).toISOString();
  return {
    event_id: randomUUID(),
    type: 'key.usage.delta',
    version: 2,
    occurred_at: time,
    producer_id: runId,
    sequence: window + 1,
    window_start: time,
    window_end: time,
    key_id: `key-${key}`,
    user_id: `user-${key % 50}`,
    service: 'cadip',
    latest_request_at: time,
    routes: Array.from({ length: ROUTES }, (_, route) => ({
      method: 'GET',
      route: `/cadip/:station/route-${route}`,
      status_class: route === 0 ? 4 : 2,
      count: REQUESTS,
      latency_sum_ms: REQUESTS * 3.5,
      latency_max_ms: 12,
      latency_histogram: [REQUESTS, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    })),
  };
}

async function produceBacklog() {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // Every delta within the current hour, so they all land in one hour bucket per key and route.
  const at = Date.now();
  for (let window = 0; window < WINDOWS; window++) {
    const messages = Array.from({ length: KEYS }, (_, key) => {
      const value = delta(window, key, at);
      return { key: value.key_id, value: JSON.stringify(value) };
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

const admin = kafka.admin();
await admin.connect();
const mongo = await MongoClient.connect(mongoUrl);
let worker;
try {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: PARTITIONS },
      { topic: deadLetterTopic, numPartitions: 1 },
    ],
  });
  const produceStarted = Date.now();
  await produceBacklog();
  const produceSeconds = (Date.now() - produceStarted) / 1000;
  const expected = WINDOWS * KEYS * ROUTES * REQUESTS;

  worker = await startBuiltApp('key-worker', {
    MONGO_URL: mongoUrl,
    USAGE_TOPIC: topic,
    USAGE_DEAD_LETTER_TOPIC: deadLetterTopic,
    USAGE_CONSUMER_GROUP: `bench.${runId}`,
    // Topics made for this run, which the worker's own principal may not read.
    ...SUPER_USER_KAFKA_ENV,
  });
  await worker.waitForLog('Joined');
  const joined = Date.now();
  const totals = () => mongo.db().collection('api_key_usage_totals');
  let counted = 0;
  while (counted < expected && Date.now() - joined < 600_000) {
    await sleep(250);
    const docs = await totals()
      .find({}, { projection: { total_queries: 1 } })
      .toArray();
    counted = docs.reduce((sum, doc) => sum + doc.total_queries, 0);
  }
  const drainSeconds = (Date.now() - joined) / 1000;
  const hours = await mongo
    .db()
    .collection('api_key_usage_hourly')
    .find({}, { projection: { count: 1 } })
    .toArray();
  const inHours = hours.reduce((sum, doc) => sum + doc.count, 0);
  console.log(
    JSON.stringify(
      {
        deltas: WINDOWS * KEYS,
        requests_represented: expected,
        produce_seconds: Math.round(produceSeconds * 10) / 10,
        drain_seconds: Math.round(drainSeconds * 10) / 10,
        deltas_per_s: Math.round((WINDOWS * KEYS) / drainSeconds),
        requests_represented_per_s: Math.round(expected / drainSeconds),
        counted_in_totals: counted,
        counted_in_hour_buckets: inHours,
        exact: counted === expected && inHours === expected,
      },
      null,
      2,
    ),
  );
  if (counted !== expected || inHours !== expected) process.exitCode = 1;
} finally {
  await worker?.stop();
  await mongo.db().dropDatabase();
  await mongo.close();
  await admin.deleteTopics({ topics: [topic, deadLetterTopic] }).catch(() => undefined);
  await admin.disconnect();
}
