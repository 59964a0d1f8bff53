import { env } from '@rs/service-kit';

/** One entry of the portal: a service's Swagger UI. */
export interface PortalService {
  title: string;
  url: string;
}

const DEFAULT_PORTAL_SERVICES = [
  'Auxip (ADGS auxiliary files)=http://127.0.0.1:3001/docs',
  'Cadip (CADU sessions)=http://127.0.0.1:3002/docs',
  'STAC catalog=http://127.0.0.1:3003/docs',
].join(',');

/**
 * Parses `Title=Swagger UI URL` entries separated by commas, in display order; throws naming every entry
 * without a title or an http(s) URL.
 */
export function parsePortalServices(value: string): PortalService[] {
  const problems: string[] = [];
  const services = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf('=');
      const title = entry.slice(0, Math.max(separator, 0)).trim();
      const url = entry.slice(separator + 1).trim();
      if (separator <= 0 || !title || !/^https?:\/\/[^\s]+$/.test(url))
        problems.push(`entry '${entry}' must be 'Title=http(s)://…'`);
      return { title, url: url.replace(/\/+$/, '') };
    });
  if (problems.length) throw new Error(problems.join('; '));
  return services;
}

/** Comma-separated http(s) URLs; throws naming the entries that are not. */
export function parseUrlList(value: string): string[] {
  const urls = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = urls.filter((url) => !/^https?:\/\/[^\s]+$/.test(url));
  if (bad.length) throw new Error(`not http(s) URLs: ${bad.join(', ')}`);
  return urls;
}

/** The services the portal lists after the API Key Manager. Defaults match `npm start` (tools/apps.mjs). */
export const PORTAL_ENV = {
  PORTAL_SERVICES: env.custom(DEFAULT_PORTAL_SERVICES, parsePortalServices),
  /**
   * The origin where every service is routed by path (docs/frontend.md), as browsers reach it; unset: PUBLIC_URL
   * (the Helm chart routes the key manager's host so). Its Swagger UI is at /frontend/docs.
   */
  FRONTEND_URL: env.optionalUrl(),
  /**
   * Where the frontend reads the other services' OpenAPI documents; unset: each PORTAL_SERVICES URL + `-json`. The
   * Helm chart sets in-cluster URLs, since a pod may not reach the public ingress.
   */
  FRONTEND_SPEC_URLS: env.custom('', parseUrlList),
};
