import { type AuthGuardOptions, guardedServiceEnv, guardedServiceOptions } from '@rs/auth-guard';
import { type EnvOf, readEnv } from '@rs/service-kit';

/** Every variable the Cadip service reads, with its default (it has no secrets). */
export const CADIP_ENV = guardedServiceEnv(3002);

export type CadipConfig = EnvOf<typeof CADIP_ENV>;
export const CADIP_CONFIG = Symbol('CADIP_CONFIG');

export function loadCadipConfig(source: NodeJS.ProcessEnv = process.env): CadipConfig {
  return readEnv(CADIP_ENV, source);
}

export function authGuardOptions(config: CadipConfig): AuthGuardOptions {
  return guardedServiceOptions('cadip', config);
}
