import { DomainError } from '@rs/key-domain';

/** A STAC link. */
export interface StacLink {
  rel: string;
  href: string;
  type?: string;
  title?: string;
}

/** A STAC Item (GeoJSON Feature). */
export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions: string[];
  id: string;
  geometry: null | Record<string, unknown>;
  bbox?: number[];
  properties: Record<string, unknown>;
  links: StacLink[];
  assets: Record<string, Record<string, unknown>>;
  collection?: string;
}

/** The STAC API answer to a search: a GeoJSON FeatureCollection with counts. */
export interface StacFeatureCollection {
  type: 'FeatureCollection';
  features: StacItem[];
  numberMatched: number;
  numberReturned: number;
  links: StacLink[];
}

export const STAC_VERSION = '1.1.0';

/** A time range; either end may be open. */
export interface TimeInterval {
  start?: Date;
  end?: Date;
}

export interface SortSpec {
  field: string;
  descending: boolean;
}

// The month, day, hour, minute and offset ranges are spelt out: Date would roll 24:00 or 99 minutes over.
const DATE = '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])';
const TIME = 'T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?';
const INSTANT = `${DATE}(${TIME})?`;

/** An ISO 8601 date or date-time as the services accept it; the OpenAPI `pattern` of such parameters. */
export const ISO_DATE_PATTERN = `^${INSTANT}$`;
/** STAC `datetime`: an instant, or `start/end` with one side open (`..` or empty); empty means no filter. */
export const DATETIME_INTERVAL_PATTERN = `^(|${INSTANT}|${INSTANT}/(${INSTANT}|\\.\\.)?|(\\.\\.)?/${INSTANT})$`;
const ISO_DATE = new RegExp(ISO_DATE_PATTERN);

/** An ISO 8601 date or date-time; 400 naming the parameter otherwise. */
export function parseIsoDate(raw: string, parameter: string): Date {
  const date = ISO_DATE.test(raw) ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw DomainError.invalidParameter(
      parameter,
      `'${raw.slice(0, 40)}' in '${parameter}' is not an ISO 8601 date, e.g. 2024-01-01T00:00:00Z`,
    );
  }
  return date;
}

/** STAC `datetime`: an instant, or `start/end` where either side may be `..` or empty (open). */
export function parseInterval(raw: string | undefined, parameter: string): TimeInterval | undefined {
  if (raw === undefined || raw === '') return undefined;
  const parts = raw.split('/');
  if (parts.length > 2)
    throw DomainError.invalidParameter(parameter, `'${parameter}' must be an instant or an interval 'start/end'`);
  const side = (value: string | undefined) =>
    value === undefined || value === '' || value === '..' ? undefined : parseIsoDate(value, parameter);
  if (parts.length === 1) {
    const instant = parseIsoDate(parts[0] as string, parameter);
    return { start: instant, end: instant };
  }
  const interval = { start: side(parts[0]), end: side(parts[1]) };
  if (!interval.start && !interval.end)
    throw DomainError.invalidParameter(parameter, `'${parameter}' must bound at least one side of the interval`);
  if (interval.start && interval.end && interval.start > interval.end) {
    throw DomainError.invalidParameter(parameter, `'${parameter}' ends before it starts`);
  }
  return interval;
}

/** True when [start, end] meets the interval (closed bounds). */
export function overlaps(start: Date, end: Date, interval: TimeInterval | undefined): boolean {
  if (!interval) return true;
  return (!interval.start || end >= interval.start) && (!interval.end || start <= interval.end);
}

/** `a,b, c` → ['a', 'b', 'c']; undefined for an absent or empty value. */
export function parseList(raw: string | undefined): string[] | undefined {
  const items = raw
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

/**
 * STAC `sortby`: `field`, `+field` or `-field`. A `+` that arrived unencoded in a URL reads as a space,
 * so a leading space means ascending too.
 */
export function parseSortBy(raw: string | undefined, allowed: readonly string[], fallback: SortSpec): SortSpec {
  if (raw === undefined || raw.trim() === '') return fallback;
  const descending = raw.startsWith('-');
  const field = raw.replace(/^[\s+-]/, '').trim();
  if (!allowed.includes(field)) {
    throw DomainError.invalidParameter(
      'sortby',
      `Cannot sort by '${field.slice(0, 40)}': use one of ${allowed.join(', ')} (prefix - for descending)`,
    );
  }
  return { field, descending };
}

/** Comparator over a property read by `value`, for Array.sort. */
export function compareBy<T>(value: (item: T, field: string) => unknown, sort: SortSpec): (a: T, b: T) => number {
  const direction = sort.descending ? -1 : 1;
  return (a, b) => {
    const left = value(a, sort.field) as string | number;
    const right = value(b, sort.field) as string | number;
    return left < right ? -direction : left > right ? direction : 0;
  };
}

export function featureCollection(
  features: StacItem[],
  numberMatched: number,
  selfHref: string,
): StacFeatureCollection {
  return {
    type: 'FeatureCollection',
    features,
    numberMatched,
    numberReturned: features.length,
    links: [{ rel: 'self', href: selfHref, type: 'application/geo+json' }],
  };
}
