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
