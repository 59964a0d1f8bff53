import { hasApiKeyParameter } from '@rs/service-kit';
import type { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER, API_KEY_PATH_PREFIX, API_KEY_QUERY_PARAMETER } from '../auth-guard.constants';
import type { AuthenticatedRequest } from '../auth-principal';

/** When the request reached the app, for the latency of usage events. */
export const REQUEST_STARTED_AT = Symbol('rs:requestStartedAt');

type TimedRequest = Request & { [REQUEST_STARTED_AT]?: number };

/**
 * Runs before routing. Moves an API key given as `/k/<key>/rest/of/path` or as the `api-key` query
 * parameter into the `x-api-key` header (the header wins when several are given) and removes it from
 * the URL, so routes match, query DTOs do not see an unknown parameter, and the key does not end up in
 * URL-based logs. Also stamps the request start time, and declares `request.principal` (undefined until the
 * guard sets it) so that every request has the same shape from the start, which keeps V8's property access
 * on requests fast.
 */
export function apiKeyLocationMiddleware(request: Request, _response: Response, next: NextFunction): void {
  (request as TimedRequest)[REQUEST_STARTED_AT] = performance.now();
  (request as AuthenticatedRequest).principal = undefined;
  const url = request.url;
  const queryStart = url.indexOf('?');
  let path = queryStart === -1 ? url : url.slice(0, queryStart);
  let query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const found: string[] = [];
  if (path.startsWith(API_KEY_PATH_PREFIX)) {
    const end = path.indexOf('/', API_KEY_PATH_PREFIX.length);
    found.push(
      safeDecode(end === -1 ? path.slice(API_KEY_PATH_PREFIX.length) : path.slice(API_KEY_PATH_PREFIX.length, end)),
    );
    path = end === -1 ? '/' : path.slice(end);
  }
  // The parameter name may come percent-encoded (`api%2Dkey=`): URLSearchParams decodes it.
  if (query.includes(`${API_KEY_QUERY_PARAMETER}=`) || (query.includes('%') && hasApiKeyParameter(query))) {
    const params = new URLSearchParams(query);
    const value = params.get(API_KEY_QUERY_PARAMETER);
    if (value !== null) found.push(value);
    params.delete(API_KEY_QUERY_PARAMETER);
    query = params.toString();
  }
  if (found.length === 0) return next();
  if (request.headers[API_KEY_HEADER] === undefined && found[0]) request.headers[API_KEY_HEADER] = found[0];
  request.url = query ? `${path}?${query}` : path;
  request.originalUrl = request.url;
  next();
}

/** performance.now() when the request reached the app, if the middleware saw it. */
export function requestStartedAt(request: Request): number | undefined {
  return (request as TimedRequest)[REQUEST_STARTED_AT];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
