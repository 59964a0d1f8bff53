import {
  isIsoTime,
  isNonEmptyString,
  isNonNegativeInteger,
  isNonNegativeNumber,
  oneOf,
  schemaParser,
  type ParseResult,
} from './validation.util';

export const KEY_USAGE_EVENT_TYPE = 'key.usage';
export const KEY_USAGE_EVENT_VERSION = 1;

/** Emitted by the auth guard after each API-key-authenticated response, on KEY_USAGE_TOPIC. */
export interface KeyUsageEventV1 {
  event_id: string;
  type: typeof KEY_USAGE_EVENT_TYPE;
  version: typeof KEY_USAGE_EVENT_VERSION;
  occurred_at: string;
  key_id: string;
  user_id: string;
  /** `auxip`, `cadip`, `catalog`, ... */
  service: string;
  method: string;
  /** The route template (`/cadip/:station/session`), never the raw URL. */
  route: string;
  status: number;
  latency_ms: number;
}

const isHttpStatus = (value: unknown): boolean =>
  isNonNegativeInteger(value) && (value as number) >= 100 && (value as number) <= 599;

// Prepared once: the key worker parses every usage event with it.
const parseUsage = schemaParser<KeyUsageEventV1>({
  event_id: isNonEmptyString,
  type: oneOf([KEY_USAGE_EVENT_TYPE]),
  version: oneOf([KEY_USAGE_EVENT_VERSION]),
  occurred_at: isIsoTime,
  key_id: isNonEmptyString,
  user_id: isNonEmptyString,
  service: isNonEmptyString,
  method: isNonEmptyString,
  route: isNonEmptyString,
  status: isHttpStatus,
  latency_ms: isNonNegativeNumber,
});

/** Validates a usage event given as an object, JSON text or JSON bytes (a Kafka message value). */
export function parseKeyUsageEvent(raw: unknown): ParseResult<KeyUsageEventV1> {
  return parseUsage(raw);
}

/** What the worker publishes on KEY_USAGE_DEAD_LETTER_TOPIC for a message it cannot use. */
export interface DeadLetterRecordV1 {
  reason: string;
  source_topic: string;
  partition: number;
  offset: string;
  failed_at: string;
  /** The original payload as text, truncated to a safe size. */
  payload: string;
}
