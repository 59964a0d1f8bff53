import type { AuthGuardOptions } from '@rs/auth-guard';
import { env, type EnvOf, readEnv } from '@rs/service-kit';

/** Every variable the Auxip service reads, with its default (it has no secrets). */
export const AUXIP_ENV = {
  PORT: env.int(3001, { min: 0, max: 65535 }),
  /** Base URL clients reach the service at: STAC links and the Swagger OAuth2 redirect use it. */
  PUBLIC_URL: env.url('http://127.0.0.1:3001'),
  KEYCLOAK_URL: env.url('http://127.0.0.1:8180'),
  KEYCLOAK_REALM: env.string('rs-server'),
  KEYCLOAK_AUDIENCE: env.string('rs-server'),
  KEYCLOAK_SWAGGER_CLIENT_ID: env.string('swagger-ui'),
  KEY_MANAGER_URL: env.url('http://127.0.0.1:3000'),
  API_KEY_CACHE_TTL_MS: env.int(60_000, { min: 0 }),
  API_KEY_CACHE_MAX_ENTRIES: env.int(10_000, { min: 1 }),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
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
    keycloak: { url: config.KEYCLOAK_URL, realm: config.KEYCLOAK_REALM, audience: config.KEYCLOAK_AUDIENCE },
    apiKey: { keyManagerUrl: config.KEY_MANAGER_URL, cacheTtlMs: config.API_KEY_CACHE_TTL_MS, cacheMaxEntries: config.API_KEY_CACHE_MAX_ENTRIES },
    kafka: config.KAFKA_ENABLED ? { brokers: config.KAFKA_BROKERS, clientId: 'auxip' } : false,
  };
}
