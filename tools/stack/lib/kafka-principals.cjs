// The stack broker's SASL principals and their development-only passwords. Fixed values, like the development
// realm's client secrets, so that every clone, a test's private broker and docker compose agree; production
// refuses them (libs/service-kit env.util: they contain "dev-secret"). CommonJS so that the ESM tools, jest
// and tools/built-app.cjs all load it.

/** Super user of the broker (super.users): the stack's own admin work and the test tools. */
const KAFKA_SUPER_USER = 'admin';

/** Principal of each app; the three guarded services share one. ACLs: tools/stack/lib/kafka-admin.mjs. */
const KAFKA_APP_PRINCIPALS = {
  'key-manager': 'key-manager',
  auxip: 'guard',
  cadip: 'guard',
  catalog: 'guard',
  'key-worker': 'key-worker',
};

/** Every SCRAM user the stack creates. */
const KAFKA_USERS = [KAFKA_SUPER_USER, ...new Set(Object.values(KAFKA_APP_PRINCIPALS))];

/** The SCRAM mechanism the stack's clients use (the broker also accepts SCRAM-SHA-256). */
const KAFKA_SASL_MECHANISM = 'scram-sha-512';

function kafkaDevPassword(user) {
  return `${user}-kafka-dev-secret`;
}

/** The KAFKA_* variables of a client that authenticates as `user` on the stack's broker. */
function kafkaClientEnv(user) {
  return { KAFKA_SASL_MECHANISM, KAFKA_USERNAME: user, KAFKA_PASSWORD: kafkaDevPassword(user) };
}

/** The KAFKA_* variables of an app of the platform (tools/apps.mjs), {} for an unknown name. */
function kafkaAppEnv(app) {
  const user = KAFKA_APP_PRINCIPALS[app];
  return user ? kafkaClientEnv(user) : {};
}

/** kafkajs `sasl` option of `user` on the stack's broker. */
function kafkaSasl(user = KAFKA_SUPER_USER, mechanism = KAFKA_SASL_MECHANISM) {
  return { mechanism, username: user, password: kafkaDevPassword(user) };
}

module.exports = {
  KAFKA_SUPER_USER,
  KAFKA_APP_PRINCIPALS,
  KAFKA_USERS,
  KAFKA_SASL_MECHANISM,
  kafkaDevPassword,
  kafkaClientEnv,
  kafkaAppEnv,
  kafkaSasl,
};
