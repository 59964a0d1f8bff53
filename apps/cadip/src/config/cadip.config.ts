import type { AuthGuardOptions } from '@rs/auth-guard';
import { env, type EnvOf, httpEnv, KAFKA_ENV, KEYCLOAK_ENV, keycloakGuardOptions, readEnv } from '@rs/service-kit';

/** Every variable the Cadip service reads, with its default (it has no secrets). */
export const CADIP_ENV = {
  // PUBLIC_URL is the base of STAC links and of the Swagger OAuth2 redirect.
  ...httpEnv(3002),
  ...KEYCLOAK_ENV,
  KEY_MANAGER_URL: env.url('http://127.0.0.1:3000'),
  API_KEY_CACHE_TTL_MS: env.int(60_000, { min: 0 }),
  API_KEY_CACHE_MAX_ENTRIES: env.int(10_000, { min: 1 }),
  ...KAFKA_ENV,
  /** false: no usage events and no cache eviction by lifecycle events (cached keys live their TTL). */
  KAFKA_ENABLED: env.bool(true),
  TRUST_PROXY: env.string('loopback'),
};

export type CadipConfig = EnvOf<typeof CADIP_ENV>;
export const CADIP_CONFIG = Symbol('CADIP_CONFIG');

export function loadCadipConfig(source: NodeJS.ProcessEnv = process.env): CadipConfig {
  return readEnv(CADIP_ENV, source);
}

export function authGuardOptions(config: CadipConfig): AuthGuardOptions {
  return {
    serviceName: 'cadip',
    keycloak: keycloakGuardOptions(config),
    apiKey: { keyManagerUrl: config.KEY_MANAGER_URL, cacheTtlMs: config.API_KEY_CACHE_TTL_MS, cacheMaxEntries: config.API_KEY_CACHE_MAX_ENTRIES },
    kafka: config.KAFKA_ENABLED ? { brokers: config.KAFKA_BROKERS, clientId: 'cadip' } : false,
  };
}
