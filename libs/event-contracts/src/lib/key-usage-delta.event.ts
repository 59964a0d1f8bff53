import {
  type FieldCheck,
  isIsoTime,
  isNonEmptyString,
  isNonNegativeInteger,
  isNonNegativeNumber,
  oneOf,
  parseJsonObject,
  type ParseResult,
  schemaParser,
} from './validation.util';
import { KEY_USAGE_EVENT_TYPE, type KeyUsageEventV1, parseKeyUsageEvent } from './key-usage.event';

export const KEY_USAGE_DELTA_EVENT_TYPE = 'key.usage.delta';
export const KEY_USAGE_DELTA_EVENT_VERSION = 2;

/**
 * Upper bounds (ms, inclusive) of the latency histogram of a usage delta; one more count follows for the
 * slower requests. Part of the contract: changing them is a new event version.
 */
export const USAGE_LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500];

/** Counts of one method × route template × status class of a key, within the delta's window. */
export interface KeyUsageDeltaRouteV2 {
  method: string;
  /** The route template (`/cadip/:station/session`), never the raw URL. */
  route: string;
  /** First digit of the HTTP status: 2 for 2xx, ... (499, a client that went away, is 4). */
  status_class: 1 | 2 | 3 | 4 | 5;
  count: number;
  latency_sum_ms: number;
  latency_max_ms: number;
  /** `USAGE_LATENCY_BUCKETS_MS.length + 1` counts: requests at or below each bound, then the slower ones. */
  latency_histogram: number[];
}

/**
 * The usage of one key at one guard instance over a window (about a second), on KEY_USAGE_TOPIC with the key
 * id as message key. `producer_id` and `sequence` name the window: the same pair never counts twice.
 */
export interface KeyUsageDeltaEventV2 {
  event_id: string;
  type: typeof KEY_USAGE_DELTA_EVENT_TYPE;
  version: typeof KEY_USAGE_DELTA_EVENT_VERSION;
  /** The window's end. */
  occurred_at: string;
  /** The guard instance (one per process start). */
  producer_id: string;
  /** Window number of that instance, from 1, increasing. */
  sequence: number;
  /** Every request counted was answered within [window_start, window_end], in one UTC hour. */
  window_start: string;
  window_end: string;
  key_id: string;
  user_id: string;
  /** `auxip`, `cadip`, `catalog`, ... */
  service: string;
  /** Time of the key's latest request in the window. */
  latest_request_at: string;
  routes: KeyUsageDeltaRouteV2[];
}

const MAX_ROUTES_PER_DELTA = 10_000;
const HISTOGRAM_LENGTH = USAGE_LATENCY_BUCKETS_MS.length + 1;

const parseRoute = schemaParser<KeyUsageDeltaRouteV2>({
  method: isNonEmptyString,
  route: isNonEmptyString,
  status_class: oneOf([1, 2, 3, 4, 5]),
  count: (value) => isNonNegativeInteger(value) && (value as number) > 0,
  latency_sum_ms: isNonNegativeNumber,
  latency_max_ms: isNonNegativeNumber,
  latency_histogram: (value) =>
    Array.isArray(value) && value.length === HISTOGRAM_LENGTH && value.every((count) => isNonNegativeInteger(count)),
});

const isRouteList: FieldCheck = (value) =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.length <= MAX_ROUTES_PER_DELTA &&
  value.every((route) => parseRoute(route).ok);

const parseDelta = schemaParser<KeyUsageDeltaEventV2>({
  event_id: isNonEmptyString,
  type: oneOf([KEY_USAGE_DELTA_EVENT_TYPE]),
  version: oneOf([KEY_USAGE_DELTA_EVENT_VERSION]),
  occurred_at: isIsoTime,
  producer_id: isNonEmptyString,
  sequence: (value) => isNonNegativeInteger(value) && (value as number) > 0,
  window_start: isIsoTime,
  window_end: isIsoTime,
  key_id: isNonEmptyString,
  user_id: isNonEmptyString,
  service: isNonEmptyString,
  latest_request_at: isIsoTime,
  routes: isRouteList,
});

/** Validates a usage delta given as an object, JSON text or JSON bytes (a Kafka message value). */
export function parseKeyUsageDeltaEvent(raw: unknown): ParseResult<KeyUsageDeltaEventV2> {
  return parseDelta(raw);
}

/** A message of the usage topic: a usage delta (v2), or a per-request event (v1) still on the topic. */
export type KeyUsageMessage = KeyUsageDeltaEventV2 | KeyUsageEventV1;

/** Validates a message of the usage topic of either version, parsing its JSON once. */
export function parseKeyUsageMessage(raw: unknown): ParseResult<KeyUsageMessage> {
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) return parsed;
  return parsed.value['type'] === KEY_USAGE_EVENT_TYPE ? parseKeyUsageEvent(parsed.value) : parseDelta(parsed.value);
}

/** Index in `latency_histogram` of a request that took `latencyMs`. */
export function latencyBucketIndex(latencyMs: number): number {
  let index = 0;
  while (index < USAGE_LATENCY_BUCKETS_MS.length && latencyMs > USAGE_LATENCY_BUCKETS_MS[index]) index++;
  return index;
}
