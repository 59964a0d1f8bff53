import type { AuthGuardOptions } from '@rs/auth-guard';
import { env, type EnvOf, httpEnv, KAFKA_ENV, KEYCLOAK_ENV, keycloakGuardOptions, readEnv } from '@rs/service-kit';

/** Every variable the catalog reads, with its default (it has no secrets). */
export const CATALOG_ENV = {
  // PUBLIC_URL is the base of STAC links and of the Swagger OAuth2 redirect.
  ...httpEnv(3003),
  MONGO_URL: env.string('mongodb://127.0.0.1:27017/rs_catalog'),
  /** Insert the sample collections (alice:s1-l1, bob:s2-l2) when they are missing. */
  CATALOG_SEED_SAMPLES: env.bool(true),
  ...KEYCLOAK_ENV,
  KEY_MANAGER_URL: env.url('http://127.0.0.1:3000'),
  API_KEY_CACHE_TTL_MS: env.int(60_000, { min: 0 }),
  API_KEY_CACHE_MAX_ENTRIES: env.int(10_000, { min: 1 }),
  ...KAFKA_ENV,
  /** false: no usage events and no cache eviction by lifecycle events (cached keys live their TTL). */
  KAFKA_ENABLED: env.bool(true),
  TRUST_PROXY: env.string('loopback'),
};

export type CatalogConfig = EnvOf<typeof CATALOG_ENV>;
export const CATALOG_CONFIG = Symbol('CATALOG_CONFIG');

export function loadCatalogConfig(source: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return readEnv(CATALOG_ENV, source);
}

export function authGuardOptions(config: CatalogConfig): AuthGuardOptions {
  return {
    serviceName: 'catalog',
    keycloak: keycloakGuardOptions(config),
    apiKey: { keyManagerUrl: config.KEY_MANAGER_URL, cacheTtlMs: config.API_KEY_CACHE_TTL_MS, cacheMaxEntries: config.API_KEY_CACHE_MAX_ENTRIES },
    kafka: config.KAFKA_ENABLED ? { brokers: config.KAFKA_BROKERS, clientId: 'catalog' } : false,
  };
}
