import type { AuthGuardOptions } from '@rs/auth-guard';
import { env, type EnvOf, httpEnv, KAFKA_ENV, KEYCLOAK_ENV, keycloakGuardOptions, readEnv } from '@rs/service-kit';

/** Every variable the Auxip service reads, with its default (it has no secrets). */
export const AUXIP_ENV = {
  // PUBLIC_URL is the base of STAC links and of the Swagger OAuth2 redirect.
  ...httpEnv(3001),
  ...KEYCLOAK_ENV,
  KEY_MANAGER_URL: env.url('http://127.0.0.1:3000'),
  API_KEY_CACHE_TTL_MS: env.int(60_000, { min: 0 }),
  API_KEY_CACHE_MAX_ENTRIES: env.int(10_000, { min: 1 }),
  ...KAFKA_ENV,
  /** false: no usage events and no cache eviction by lifecycle events (cached keys live their TTL). */
  KAFKA_ENABLED: env.bool(true),
  TRUST_PROXY: env.string('loopback'),
};

export type AuxipConfig = EnvOf<typeof AUXIP_ENV>;
export const AUXIP_CONFIG = Symbol('AUXIP_CONFIG');

export function loadAuxipConfig(source: NodeJS.ProcessEnv = process.env): AuxipConfig {
  return readEnv(AUXIP_ENV, source);
}

export function authGuardOptions(config: AuxipConfig): AuthGuardOptions {
  return {
    serviceName: 'auxip',
    keycloak: keycloakGuardOptions(config),
    apiKey: { keyManagerUrl: config.KEY_MANAGER_URL, cacheTtlMs: config.API_KEY_CACHE_TTL_MS, cacheMaxEntries: config.API_KEY_CACHE_MAX_ENTRIES },
    kafka: config.KAFKA_ENABLED ? { brokers: config.KAFKA_BROKERS, clientId: 'auxip' } : false,
  };
}
