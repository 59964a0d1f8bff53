import { DEFAULT_MAX_ACTIVE_KEYS_PER_USER, type KeyPolicy } from '@rs/key-domain';
import { env, type EnvOf, EnvValidationError, httpEnv, KAFKA_ENV, KEYCLOAK_ENV, readEnv } from '@rs/service-kit';
import { PORTAL_ENV } from '../portal/portal.config';

/** Every variable the key manager reads, with its default; secrets have none. See README "Configuration". */
/** The highest per-minute limit any key can have (the spec states it): API_KEY_MAX_RATE_LIMIT_PER_MINUTE's bound. */
export const RATE_LIMIT_PER_MINUTE_CEILING = 100_000;

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
  /** Bounds every expiration date, at creation and renewal; must be at least the default lifetime. */
  API_KEY_MAX_LIFETIME_DAYS: env.int(365, { min: 1, max: 36500 }),
  /** Whether users may create keys that never expire (RS-Server allows it). */
  API_KEY_ALLOW_NEVER_EXPIRES: env.bool(true),
  /** Active (not revoked, not expired) keys one user may hold; one more answers 409. */
  API_KEY_MAX_ACTIVE_PER_USER: env.int(DEFAULT_MAX_ACTIVE_KEYS_PER_USER, { min: 1, max: 100000 }),
  /** Highest `rate_limit_per_minute` a key may be given at creation. */
  API_KEY_MAX_RATE_LIMIT_PER_MINUTE: env.int(RATE_LIMIT_PER_MINUTE_CEILING, {
    min: 1,
    max: RATE_LIMIT_PER_MINUTE_CEILING,
  }),
  /** Keycloak user attributes copied into every key's config (they win over the user's own config). */
  API_KEY_CONFIG_ATTRIBUTES: env.list('organization,max_requests_per_day'),
  ENFORCE_ALLOWED_REFERERS: env.bool(true),
  CHECK_FAILURE_LIMIT: env.int(30, { min: 1 }),
  CHECK_FAILURE_WINDOW_SECONDS: env.int(60, { min: 1 }),
  /** How long a usable key's record answers checks without the database, while lifecycle events flow (0: off). */
  CHECK_CACHE_TTL_SECONDS: env.int(30, { min: 0, max: 3600 }),
  CHECK_CACHE_MAX_ENTRIES: env.int(50000, { min: 1 }),
  /** How long a hash the database does not know is answered as unknown without asking again (0: off). */
  CHECK_UNKNOWN_KEY_TTL_SECONDS: env.int(3, { min: 0, max: 60 }),
  EVENT_PUBLISH_TIMEOUT_MS: env.int(250, { min: 10, max: 10000 }),
  /** Reverse proxies (addresses, CIDRs) in front of the key manager whose X-Forwarded-For is believed; default none. */
  TRUST_PROXY: env.trustProxy(),
  /** Keycloak clients of the guarded services whose token on a key check lets them name the end client's address. */
  KEY_CHECK_SERVICE_CLIENTS: env.list('rs-auxip,rs-cadip,rs-catalog'),
  ...PORTAL_ENV,
};

export type KeyManagerConfig = EnvOf<typeof KEY_MANAGER_ENV>;
export const KEY_MANAGER_CONFIG = Symbol('KEY_MANAGER_CONFIG');

export function loadKeyManagerConfig(source: NodeJS.ProcessEnv = process.env): KeyManagerConfig {
  const config = readEnv(KEY_MANAGER_ENV, source);
  if (config.API_KEY_DEFAULT_LIFETIME_DAYS > config.API_KEY_MAX_LIFETIME_DAYS) {
    throw new EnvValidationError([
      `API_KEY_DEFAULT_LIFETIME_DAYS (${config.API_KEY_DEFAULT_LIFETIME_DAYS}) must not exceed ` +
        `API_KEY_MAX_LIFETIME_DAYS (${config.API_KEY_MAX_LIFETIME_DAYS})`,
    ]);
  }
  return config;
}

/** The key policy the configuration sets. */
export function keyPolicyOf(config: KeyManagerConfig): KeyPolicy {
  return {
    maxLifetimeDays: config.API_KEY_MAX_LIFETIME_DAYS,
    allowNeverExpires: config.API_KEY_ALLOW_NEVER_EXPIRES,
    maxActiveKeysPerUser: config.API_KEY_MAX_ACTIVE_PER_USER,
  };
}
