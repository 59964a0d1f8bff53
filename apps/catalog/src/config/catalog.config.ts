import { type AuthGuardOptions, guardedServiceEnv, guardedServiceOptions } from '@rs/auth-guard';
import { env, type EnvOf, readEnv } from '@rs/service-kit';

/** Every variable the catalog reads, with its default (it has no secrets). */
export const CATALOG_ENV = {
  ...guardedServiceEnv(3003),
  MONGO_URL: env.string('mongodb://127.0.0.1:27017/rs_catalog'),
  /** Insert the sample collections (alice:s1-l1, bob:s2-l2) when they are missing. */
  CATALOG_SEED_SAMPLES: env.bool(true),
};

export type CatalogConfig = EnvOf<typeof CATALOG_ENV>;
export const CATALOG_CONFIG = Symbol('CATALOG_CONFIG');

export function loadCatalogConfig(source: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return readEnv(CATALOG_ENV, source);
}

export function authGuardOptions(config: CatalogConfig): AuthGuardOptions {
  return guardedServiceOptions('catalog', config);
}
