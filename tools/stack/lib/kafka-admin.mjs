// Kafka admin work of the stack through kafkajs (installed by `npm ci` before any stack command runs).
import kafkajs from 'kafkajs';
import topicsJob from '../../../deploy/helm/rs-platform/files/create-topics.cjs';
import principals from './kafka-principals.cjs';

const { Kafka, logLevel } = kafkajs;
const { aclBindings, createMissingTopics } = topicsJob;
const { KAFKA_SUPER_USER, KAFKA_USERS, kafkaDevPassword, kafkaSasl } = principals;

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

const [USAGE_TOPIC, DEAD_LETTER_TOPIC, LIFECYCLE_TOPIC] = PLATFORM_TOPICS.map(({ topic }) => topic);

/**
 * Least privilege per principal (users: lib/kafka-principals.cjs). Group prefixes are the apps' consumer group
 * names: `key-manager.check.<host>…`, `auth-guard.<service>.<host>…`, `key-worker.usage`. IdempotentWrite lets
 * the guards' idempotent producer start on brokers older than 2.8, where WRITE on a topic does not imply it.
 */
export const PLATFORM_ACLS = [
  ['key-manager', 'TOPIC', LIFECYCLE_TOPIC, ['WRITE', 'DESCRIBE', 'READ']],
  ['key-manager', 'GROUP', 'key-manager.', ['READ'], 'PREFIXED'],
  ['guard', 'TOPIC', USAGE_TOPIC, ['WRITE', 'DESCRIBE']],
  ['guard', 'TOPIC', LIFECYCLE_TOPIC, ['READ', 'DESCRIBE']],
  ['guard', 'GROUP', 'auth-guard.', ['READ'], 'PREFIXED'],
  ['guard', 'CLUSTER', 'kafka-cluster', ['IDEMPOTENT_WRITE']],
  ['key-worker', 'TOPIC', USAGE_TOPIC, ['READ', 'DESCRIBE']],
  ['key-worker', 'TOPIC', DEAD_LETTER_TOPIC, ['WRITE', 'DESCRIBE']],
  // The worker's key store publishes expiry and user-disabled events through the outbox relay.
  ['key-worker', 'TOPIC', LIFECYCLE_TOPIC, ['WRITE', 'DESCRIBE']],
  ['key-worker', 'GROUP', 'key-worker.', ['READ'], 'PREFIXED'],
];

/**
 * The stack's admin client of the broker on `port` (or the brokers on `[port…]`): the super user over PLAIN, which
 * needs no SCRAM credential in the metadata yet.
 */
export function client(port, options = {}) {
  return new Kafka({
    clientId: 'rs-stack',
    brokers: [port].flat().map((each) => `127.0.0.1:${each}`),
    logLevel: logLevel.NOTHING,
    sasl: kafkaSasl(KAFKA_SUPER_USER, 'plain'),
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

/**
 * Creates the platform topics that do not exist yet (existing ones are left as they are), each partition on
 * `replicationFactor` brokers; returns those created.
 */
export async function ensureTopics(port, topics = PLATFORM_TOPICS, { replicationFactor = 1 } = {}) {
  const admin = client(port).admin();
  await admin.connect();
  try {
    return await createMissingTopics(admin, topics, replicationFactor);
  } finally {
    await admin.disconnect();
  }
}

/** The SCRAM users that cannot authenticate (missing, or another password): the ones to (re)create. */
export async function scramUsersToSet(port) {
  const failing = [];
  for (const user of KAFKA_USERS) {
    const admin = client(port, {
      sasl: kafkaSasl(user),
      connectionTimeout: 3000,
      requestTimeout: 3000,
      retry: { retries: 0 },
    }).admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
    } catch (e) {
      if (reason(e) !== 'KafkaJSSASLAuthenticationError' && !/SASL/i.test(String(e.message))) throw e;
      failing.push({ user, password: kafkaDevPassword(user) });
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  return failing;
}

/** Creates the platform's ACLs (creating an existing one is a no-op for the broker); returns how many bindings. */
export async function ensureAcls(port, acls = PLATFORM_ACLS) {
  const bindings = aclBindings(acls);
  const admin = client(port).admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: bindings });
    return bindings.length;
  } finally {
    await admin.disconnect();
  }
}
