// Kafka admin work of the stack through kafkajs (installed by `npm ci` before any stack command runs).
import { Kafka, logLevel } from 'kafkajs';

/**
 * The platform's topics, created by the stack so that no application depends on auto-creation.
 * Names: libs/event-contracts/src/lib/topics.constants.ts. The usage topic's partition count is the key
 * worker's USAGE_TOPIC_PARTITIONS default (apps/key-worker/src/config/key-worker.config.ts).
 */
export const PLATFORM_TOPICS = [
  { topic: 'rs.apikey.usage.v1', numPartitions: 6 },
  { topic: 'rs.apikey.usage.dlq.v1', numPartitions: 1 },
  { topic: 'rs.apikey.lifecycle.v1', numPartitions: 1 },
];

function client(port, options = {}) {
  return new Kafka({
    clientId: 'rs-stack',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    ...options,
  });
}

const PROBE_GROUP = 'rs-stack-healthcheck';

/**
 * Readiness: the broker answers, a group coordinator is elected (which makes the broker create
 * __consumer_offsets) and has loaded the group (OffsetFetch without error): what a consumer group join needs.
 * One attempt per call, each request bounded by `timeoutMs`; the caller polls.
 */
export async function kafkaReady(port, { timeoutMs = 3000 } = {}) {
  const admin = client(port, {
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin({ retry: { retries: 0 } });
  const check = async () => {
    await admin.connect();
    // describeCluster also loads the metadata that the coordinator lookup needs (it does not retry here)
    const { brokers, clusterId } = await admin.describeCluster();
    await admin.fetchOffsets({ groupId: PROBE_GROUP, topics: [] });
    return { ok: true, detail: `group coordinator ready, cluster ${clusterId} (${brokers.length} broker)` };
  };
  try {
    // kafkajs bounds each request, not a metadata refresh while the broker starts: bound the whole check too
    return await deadline(check(), 3 * timeoutMs);
  } catch (e) {
    return { ok: false, detail: reason(e) };
  } finally {
    await deadline(admin.disconnect(), timeoutMs).catch(() => {});
  }
}

function deadline(promise, ms) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The broker's error name (e.g. GROUP_LOAD_IN_PROGRESS) or the socket error, not kafkajs' retry wrapper. */
function reason(e) {
  const cause = e.originalError ?? e.cause ?? e;
  return cause.type ?? cause.code ?? cause.message;
}

/** Creates the platform topics that do not exist yet (existing ones are left as they are); returns those created. */
export async function ensureTopics(port, topics = PLATFORM_TOPICS) {
  const admin = client(port).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter(({ topic }) => !existing.has(topic));
    if (missing.length) {
      await admin.createTopics({
        topics: missing.map(({ topic, numPartitions }) => ({ topic, numPartitions, replicationFactor: 1 })),
        waitForLeaders: true,
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
