import ROUTES from './frontend-routing.json';

/**
 * The frontend origin's path routing: path prefix → app (frontend-routing.json). One table for the Helm chart's
 * ingress (checked by tools/deploy/validate-chart.mjs), the local proxy of `npm start` (tools/frontend/proxy.mjs)
 * and the aggregated OpenAPI document, so a documented path is always served by the app that documents it.
 */
export const FRONTEND_ROUTES: Readonly<Record<string, string>> = ROUTES;

/** Whether `path` is `prefix` itself or below it ("/" holds every path). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return path.startsWith('/');
  return path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`);
}

/** The app the frontend origin sends `path` to: the longest matching prefix wins. */
export function appOfPath(
  path: string,
  routes: Readonly<Record<string, string>> = FRONTEND_ROUTES,
): string | undefined {
  const prefix = Object.keys(routes)
    .filter((candidate) => isUnderPrefix(path, candidate))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : routes[prefix];
}
