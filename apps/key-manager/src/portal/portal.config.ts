import { env, EnvValidationError, type EnvOf, readEnv } from '@rs/service-kit';

/** One entry of the portal: a service's Swagger UI. */
export interface PortalService {
  title: string;
  url: string;
}

/**
 * The services the portal lists after the API Key Manager, as `Title=Swagger UI URL` entries separated by
 * commas, in display order. Defaults match `npm start` (tools/apps.mjs).
 */
export const PORTAL_ENV = {
  PORTAL_SERVICES: env.list(
    [
      'Auxip (ADGS auxiliary files)=http://127.0.0.1:3001/docs',
      'Cadip (CADU sessions)=http://127.0.0.1:3002/docs',
      'STAC catalog=http://127.0.0.1:3003/docs',
    ].join(','),
  ),
};

export type PortalConfig = EnvOf<typeof PORTAL_ENV>;
export const PORTAL_SERVICES = Symbol('PORTAL_SERVICES');

/** Parses PORTAL_SERVICES; fails at boot, naming the variable, on an entry without a title or a URL. */
export function loadPortalServices(source: NodeJS.ProcessEnv = process.env): PortalService[] {
  const { PORTAL_SERVICES: entries } = readEnv(PORTAL_ENV, source);
  const problems: string[] = [];
  const services = entries.map((entry) => {
    const separator = entry.indexOf('=');
    const title = entry.slice(0, Math.max(separator, 0)).trim();
    const url = entry.slice(separator + 1).trim();
    if (separator <= 0 || !title || !/^https?:\/\/[^\s]+$/.test(url)) problems.push(`PORTAL_SERVICES entry '${entry}' must be 'Title=http(s)://…'`);
    return { title, url: url.replace(/\/+$/, '') };
  });
  if (problems.length) throw new EnvValidationError(problems);
  return services;
}
