// Creates the platform's Kafka topics before the apps start (Helm pre-install/pre-upgrade hook, and the
// kafka-topics service of docker/docker-compose.yml): topics are created by the deployment, never automatically.
// Runs in the key-manager image, whose production dependencies include kafkajs (NODE_PATH=/app/node_modules).
// Existing topics are left as they are: adding partitions to the usage topic would move keys to other partitions.
//
// Environment: KAFKA_BROKERS (comma-separated), TOPICS (JSON: [{ "topic", "numPartitions", "configEntries"? }]),
// KAFKA_REPLICATION_FACTOR, optional KAFKA_SSL=true, KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
// KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, TOPICS_DEADLINE_SECONDS (how long to wait for the brokers), optional
// ACLS (JSON: [[user, resourceType, name, [operation...], patternType]]) granted to the apps' users, as ALLOW for
// any host (creating an existing ACL is a no-op).
'use strict';
const {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} = require('kafkajs');

function say(message) {
  process.stdout.write(`[create-topics] ${message}\n`);
}

/** ACL entries `[user, resourceType, name, [operation...], patternType?]` as kafkajs ALLOW bindings for any host. */
function aclBindings(entries) {
  return entries.flatMap(([user, type, name, operations, pattern = 'LITERAL']) =>
    operations.map((operation) => {
      const binding = {
        resourceType: AclResourceTypes[type],
        resourceName: name,
        resourcePatternType: ResourcePatternTypes[pattern],
        principal: `User:${user}`,
        host: '*',
        operation: AclOperationTypes[operation],
        permissionType: AclPermissionTypes.ALLOW,
      };
      if (!user || Object.values(binding).some((value) => value === undefined))
        throw new Error(`ACLS: bad entry ${JSON.stringify([user, type, name, operation, pattern])}`);
      return binding;
    }),
  );
}

/** Creates the topics that do not exist yet (existing ones are left as they are); resolves with those created. */
async function createMissingTopics(admin, topics, replicationFactor) {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter(({ topic }) => !existing.has(topic));
  if (missing.length) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map(({ topic, numPartitions, configEntries = [] }) => ({
        topic,
        numPartitions,
        replicationFactor,
        configEntries,
      })),
    });
  }
  return missing;
}

function config(env) {
  const brokers = (env.KAFKA_BROKERS || '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (!brokers.length) throw new Error('KAFKA_BROKERS is required');
  const topics = JSON.parse(env.TOPICS || '[]');
  if (!Array.isArray(topics) || !topics.length || !topics.every((t) => t.topic && t.numPartitions >= 1))
    throw new Error('TOPICS must be a JSON array of { topic, numPartitions }');
  const replicationFactor = Number(env.KAFKA_REPLICATION_FACTOR || 1);
  const mechanism = (env.KAFKA_SASL_MECHANISM || '').toLowerCase();
  const sasl = mechanism
    ? { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
    : undefined;
  if (sasl && (!sasl.username || !sasl.password))
    throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
  const acls = aclBindings(JSON.parse(env.ACLS || '[]'));
  return {
    brokers,
    topics,
    acls,
    replicationFactor,
    ssl: env.KAFKA_SSL === 'true',
    sasl,
    deadlineMs: Number(env.TOPICS_DEADLINE_SECONDS || 300) * 1000,
  };
}

async function ensureTopics({ brokers, topics, acls, replicationFactor, ssl, sasl }) {
  const kafka = new Kafka({
    clientId: 'rs-create-topics',
    brokers,
    ssl,
    sasl,
    connectionTimeout: 5000,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const missing = await createMissingTopics(admin, topics, replicationFactor);
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map(({ topic }) => topic) });
    for (const { topic, numPartitions } of topics) {
      const found = metadata.find((entry) => entry.name === topic);
      const partitions = found ? found.partitions.length : 0;
      const state = missing.some((entry) => entry.topic === topic) ? 'created' : 'exists';
      say(`${topic}: ${state}, ${partitions} partition(s)`);
      if (partitions !== numPartitions)
        say(`warning: ${topic} has ${partitions} partition(s), ${numPartitions} wanted; left as it is`);
    }
    if (acls.length) {
      await admin.createAcls({ acl: acls });
      say(`${acls.length} ACL(s) granted`);
    }
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  const settings = config(process.env);
  const deadline = Date.now() + settings.deadlineMs;
  say(`brokers ${settings.brokers.join(',')}, replication factor ${settings.replicationFactor}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(settings);
      return;
    } catch (error) {
      const reason = error && error.message ? error.message : String(error);
      if (Date.now() > deadline) throw new Error(`gave up after ${attempt} attempt(s): ${reason}`);
      say(`attempt ${attempt} failed (${reason}); retrying in 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

// The dev stack (tools/stack/lib/kafka-admin.mjs) requires this file for the same topic and ACL logic.
if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      say(error && error.message ? error.message : String(error));
      process.exit(1);
    },
  );
}

module.exports = { aclBindings, createMissingTopics };
