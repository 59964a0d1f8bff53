import { type AuthGuardOptions, guardedServiceEnv, guardedServiceOptions } from '@rs/auth-guard';
import { type EnvOf, readEnv } from '@rs/service-kit';

/** Every variable the Auxip service reads, with its default (it has no secrets). */
export const AUXIP_ENV = guardedServiceEnv(3001);

export type AuxipConfig = EnvOf<typeof AUXIP_ENV>;
export const AUXIP_CONFIG = Symbol('AUXIP_CONFIG');

export function loadAuxipConfig(source: NodeJS.ProcessEnv = process.env): AuxipConfig {
  return readEnv(AUXIP_ENV, source);
}

export function authGuardOptions(config: AuxipConfig): AuthGuardOptions {
  return guardedServiceOptions('auxip', config);
}
