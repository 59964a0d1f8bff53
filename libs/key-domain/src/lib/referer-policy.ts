import { DomainError } from './domain-error';
import { MAX_ALLOWED_REFERERS } from './api-key-rules';

// A host name, optionally with a leading "*." wildcard and a port: example.com, *.esa.int, localhost:8080.
const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * Normalises the `allowed_referers` entries: host names (with optional `*.` wildcard and port) or
 * http(s) origins. Returns lower-case entries, duplicates removed.
 */
export function parseAllowedReferers(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((value) =>
    typeof value === 'string' ? value.split(',') : [value],
  );
  const entries = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string')
      throw DomainError.invalidParameter('allowed_referers', "Query parameter 'allowed_referers' must be text");
    const trimmed = value.trim().toLowerCase();
    if (!trimmed) continue;
    entries.add(normaliseEntry(trimmed));
  }
  if (entries.size > MAX_ALLOWED_REFERERS) {
    throw DomainError.invalidParameter(
      'allowed_referers',
      `Query parameter 'allowed_referers' accepts at most ${MAX_ALLOWED_REFERERS} entries`,
    );
  }
  return [...entries];
}

function normaliseEntry(entry: string): string {
  if (entry.includes('://')) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw DomainError.invalidParameter(
        'allowed_referers',
        `'${entry.slice(0, 80)}' in 'allowed_referers' is not a valid URL`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw DomainError.invalidParameter(
        'allowed_referers',
        `'${entry.slice(0, 80)}' in 'allowed_referers' must use http or https`,
      );
    }
    return url.origin;
  }
  if (entry.length > 253 || !HOST_PATTERN.test(entry)) {
    throw DomainError.invalidParameter(
      'allowed_referers',
      `'${entry.slice(0, 80)}' in 'allowed_referers' is not a host name or origin`,
    );
  }
  return entry;
}

/**
 * True when the request's Referer or Origin matches one of the allowed entries. An empty list allows
 * everything; a key that lists referers refuses requests that carry neither header.
 */
export function isRefererAllowed(
  allowed: readonly string[],
  referer: string | undefined,
  origin?: string | undefined,
): boolean {
  if (allowed.length === 0) return true;
  const source = referer || origin;
  if (!source) return false;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false;
  }
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowed.some((entry) => {
    if (entry.includes('://')) return entry === url.origin.toLowerCase();
    const candidate = entry.includes(':') ? host : hostname;
    if (entry.startsWith('*.')) return candidate.endsWith(entry.slice(1)) && candidate.length > entry.length - 1;
    return candidate === entry;
  });
}
