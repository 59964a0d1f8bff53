#!/usr/bin/env node
// The frontend origin of `npm start`: one port where every app is routed by path prefix, as the Helm chart's
// ingress routes the key manager's host (libs/api-frontend/src/lib/frontend-routing.json is the one table).
// http-proxy-middleware inside the `npm start` process: no package to install at run time, up in milliseconds
// (docs/frontend.md says why not nginx).
//   node tools/frontend/proxy.mjs --port 3080 key-manager=http://127.0.0.1:3000 auxip=http://127.0.0.1:3001 ...
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProxyMiddleware } from 'http-proxy-middleware';
import ROUTES from '../../libs/api-frontend/src/lib/frontend-routing.json' with { type: 'json' };

export { ROUTES };

/** The app a request path goes to: the longest route prefix it is under (as libs/api-frontend appOfPath). */
export function appOfPath(url, routes = ROUTES) {
  const pathname = url.split('?')[0];
  const under = (prefix) => prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`);
  const prefix = Object.keys(routes)
    .filter(under)
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : routes[prefix];
}

/**
 * Starts the frontend proxy on `port` (127.0.0.1); `targets` maps each app of the route table to its base URL.
 * Resolves with the listening server. A request for an app that is down answers 502 with the platform's error shape.
 */
export async function startFrontendProxy({ port, host = '127.0.0.1', targets, routes = ROUTES }) {
  const missing = [...new Set(Object.values(routes))].filter((app) => !targets[app]);
  if (missing.length) throw new Error(`frontend proxy: no target for ${missing.join(', ')}`);
  const proxy = createProxyMiddleware({
    target: targets[routes['/']] ?? Object.values(targets)[0],
    router: (request) => targets[appOfPath(request.url ?? '/', routes)],
    // X-Forwarded-* tell the apps (which trust no proxy by default) what the browser asked for.
    xfwd: true,
    on: {
      error(error, _request, response) {
        if (!('writeHead' in response) || response.headersSent) return void response.end?.();
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            code: 'BAD_GATEWAY',
            message: `the service behind this path did not answer (${error.code})`,
          }),
        );
      },
    },
  });
  const server = http.createServer((request, response) => proxy(request, response, () => response.end()));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { port: { type: 'string' } }, allowPositionals: true });
  const targets = Object.fromEntries(positionals.map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
  const server = await startFrontendProxy({ port: Number(values.port), targets });
  console.log(`frontend proxy on http://127.0.0.1:${server.address().port}: ${JSON.stringify(targets)}`);
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
}
