import { env, type EnvOf, httpEnv, KAFKA_ENV, KEYCLOAK_ENV, readEnv } from '@rs/service-kit';
import { PORTAL_ENV } from '../portal/portal.config';

/** Every variable the key manager reads, with its default; secrets have none. See README "Configuration". */
export const KEY_MANAGER_ENV = {
  ...httpEnv(3000),
  MONGO_URL: env.string('mongodb://127.0.0.1:27017/rs_keys'),
  REDIS_URL: env.url('redis://127.0.0.1:6379'),
  ...KAFKA_ENV,
  ...KEYCLOAK_ENV,
  KEYCLOAK_SYNC_CLIENT_ID: env.string('rs-key-manager'),
  KEYCLOAK_SYNC_CLIENT_SECRET: env.secret(8),
  KEYCLOAK_SYNC_INTERVAL_SECONDS: env.int(300, { min: 0 }),
  API_KEY_HASH_SECRET: env.secret(32),
  API_KEY_DEFAULT_LIFETIME_DAYS: env.int(15, { min: 1, max: 3650 }),
  API_KEY_MAX_LIFETIME_DAYS: env.int(365, { min: 1, max: 36500 }),
  /** Keycloak user attributes copied into every key's config (they win over the user's own config). */
  API_KEY_CONFIG_ATTRIBUTES: env.list('organization,max_requests_per_day'),
  ENFORCE_ALLOWED_REFERERS: env.bool(true),
  CHECK_FAILURE_LIMIT: env.int(30, { min: 1 }),
  CHECK_FAILURE_WINDOW_SECONDS: env.int(60, { min: 1 }),
  EVENT_PUBLISH_TIMEOUT_MS: env.int(250, { min: 10, max: 10000 }),
  TRUST_PROXY: env.string('loopback'),
  ...PORTAL_ENV,
};

export type KeyManagerConfig = EnvOf<typeof KEY_MANAGER_ENV>;
export const KEY_MANAGER_CONFIG = Symbol('KEY_MANAGER_CONFIG');

export function loadKeyManagerConfig(source: NodeJS.ProcessEnv = process.env): KeyManagerConfig {
  return readEnv(KEY_MANAGER_ENV, source);
}
