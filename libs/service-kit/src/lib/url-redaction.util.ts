/** The query parameter and path prefix that may carry an API key in a URL (see the auth guard). */
const API_KEY_PARAMETER = 'api-key';
const API_KEY_PATH = /^\/k\/[^/?]*/;
export const REDACTED = 'REDACTED';

function decodedName(segment: string): string {
  const name = segment.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/**
 * True when the query string names the `api-key` parameter, however its name is percent-encoded
 * (`api%2Dkey=` is the same parameter to every query parser).
 */
export function hasApiKeyParameter(query: string): boolean {
  if (!query.includes('=')) return false;
  return query.split('&').some((segment) => decodedName(segment) === API_KEY_PARAMETER);
}

/**
 * The URL as it may be logged: the value of every `api-key` parameter (encoded name or not) and a
 * `/k/<key>/` path prefix replaced by REDACTED; everything else kept byte for byte.
 */
export function redactApiKeysFromUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const path = (queryStart === -1 ? url : url.slice(0, queryStart)).replace(API_KEY_PATH, `/k/${REDACTED}`);
  if (queryStart === -1) return path;
  const query = url.slice(queryStart + 1);
  if (!hasApiKeyParameter(query)) return `${path}?${query}`;
  const redacted = query
    .split('&')
    .map((segment) =>
      decodedName(segment) === API_KEY_PARAMETER ? `${segment.split('=', 1)[0]}=${REDACTED}` : segment,
    );
  return `${path}?${redacted.join('&')}`;
}
