import {
  env,
  type EnvOf,
  EnvValidationError,
  httpEnv,
  KAFKA_ENV,
  kafkaSecurity,
  KEYCLOAK_ENV,
  keycloakGuardOptions,
} from '@rs/service-kit';
import type { AuthGuardOptions } from './auth-guard.options';

/**
 * The variables every guarded service reads the same way (HTTP, Keycloak, key manager, key cache, Kafka),
 * to spread into the service's own schema.
 */
export function guardedServiceEnv(defaultPort: number) {
  return {
    // PUBLIC_URL is the base of links in responses and of the Swagger OAuth2 redirect.
    ...httpEnv(defaultPort),
    ...KEYCLOAK_ENV,
    KEY_MANAGER_URL: env.url('http://127.0.0.1:3000'),
    /** This service's Keycloak client (client credentials): key checks then carry the end client's address. */
    KEY_CHECK_CLIENT_ID: env.optionalString(),
    KEY_CHECK_CLIENT_SECRET: env.optionalSecret(8),
    API_KEY_CACHE_TTL_MS: env.int(60_000, { min: 0 }),
    API_KEY_CACHE_MAX_ENTRIES: env.int(10_000, { min: 1 }),
    ...KAFKA_ENV,
    /** false: no usage events and no cache eviction by lifecycle events (cached keys live their TTL). */
    KAFKA_ENABLED: env.bool(true),
    /** How often the usage counted in memory is published to Kafka. */
    USAGE_FLUSH_INTERVAL_MS: env.int(1000, { min: 10 }),
    /** Redis shared by the replicas for per-key request limits; unset: the limits are not enforced. */
    REDIS_URL: env.optionalUrl(),
    /** Most tokens a replica takes from Redis at a time per key and window: the bound on unspent tokens. */
    QUOTA_MAX_BATCH: env.int(1000, { min: 1, max: 10_000 }),
    /** Reverse proxies (addresses, CIDRs) whose X-Forwarded-For names the client; default none. */
    TRUST_PROXY: env.trustProxy(),
  };
}

export type GuardedServiceEnv = EnvOf<ReturnType<typeof guardedServiceEnv>>;

/** AuthGuardModule options of a guarded service, from its environment. */
export function guardedServiceOptions(serviceName: string, config: GuardedServiceEnv): AuthGuardOptions {
  const { KEY_CHECK_CLIENT_ID: clientId, KEY_CHECK_CLIENT_SECRET: clientSecret } = config;
  if (!clientId !== !clientSecret)
    throw new EnvValidationError(['KEY_CHECK_CLIENT_ID and KEY_CHECK_CLIENT_SECRET go together: set both or neither']);
  return {
    serviceName,
    keycloak: keycloakGuardOptions(config),
    apiKey: {
      keyManagerUrl: config.KEY_MANAGER_URL,
      cacheTtlMs: config.API_KEY_CACHE_TTL_MS,
      cacheMaxEntries: config.API_KEY_CACHE_MAX_ENTRIES,
      serviceCredentials: clientId && clientSecret ? { clientId, clientSecret } : undefined,
    },
    kafka: config.KAFKA_ENABLED
      ? {
          brokers: config.KAFKA_BROKERS,
          security: kafkaSecurity(config),
          clientId: serviceName,
          usageFlushIntervalMs: config.USAGE_FLUSH_INTERVAL_MS,
        }
      : false,
    quota: config.REDIS_URL ? { redisUrl: config.REDIS_URL, maxBatch: config.QUOTA_MAX_BATCH } : false,
  };
}
