/**
 * Jest `setupFiles` entry of every integration config: the defaults the apps need when they are booted
 * in-process against the services tools/stack starts. Values already in the environment win.
 */
import { randomBytes } from 'node:crypto';

const defaults: Record<string, string> = {
  API_KEY_HASH_SECRET: `integration-${randomBytes(24).toString('hex')}`,
  KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
};

/**
 * The stack broker's super user (tools/stack/lib/kafka-principals.cjs), unless KAFKA_SASL_MECHANISM says otherwise:
 * tests create topics and groups of their own. Apps started by tools/built-app.cjs get their own principal.
 */
if (!process.env['KAFKA_SASL_MECHANISM'])
  Object.assign(defaults, {
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_USERNAME: 'admin',
    KAFKA_PASSWORD: 'admin-kafka-dev-secret',
  });

for (const [name, value] of Object.entries(defaults)) {
  if (!process.env[name]) process.env[name] = value;
}
