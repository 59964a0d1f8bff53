import type { UsageMessage } from '../usage-aggregation.service';

/** The clock of the usage specs: events are from this hour or the one before. */
export const USAGE_NOW = new Date('2026-03-01T10:30:00Z');

/**
 * A valid usage message whose fields vary with its offset: 3 keys, 2 hours, 2 routes, 1 in 5 a 503,
 * latency = offset % 7 ms.
 */
export function usageMessage(offset: number, overrides: Record<string, unknown> = {}): UsageMessage {
  const keyId = (overrides['key_id'] as string | undefined) ?? `k${offset % 3}`;
  const event = {
    event_id: `e${offset}`,
    type: 'key.usage',
    version: 1,
    occurred_at: new Date(USAGE_NOW.getTime() - (offset % 2) * 3_600_000).toISOString(),
    key_id: keyId,
    user_id: 'u1',
    service: 'cadip',
    method: 'GET',
    route: offset % 4 ? '/cadip/:station/session' : '/cadip/:station/cadu/search',
    status: offset % 5 ? 200 : 503,
    latency_ms: offset % 7,
    ...overrides,
  };
  return { offset: String(offset), key: Buffer.from(keyId), value: Buffer.from(JSON.stringify(event)) };
}

/** Messages of offsets `from` (included) to `to` (excluded). */
export const usageMessages = (from: number, to: number): UsageMessage[] =>
  Array.from({ length: to - from }, (_, index) => usageMessage(from + index));

/**
 * A valid usage delta message (v2) of key `k1` at `offset`: 4 requests of the session search (3 × 2xx,
 * 1 × 5xx) in the current hour, from window `sequence` of producer `p1`.
 */
export function usageDeltaMessage(offset: number, overrides: Record<string, unknown> = {}): UsageMessage {
  const at = USAGE_NOW.toISOString();
  const histogram = (count: number) => [count, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const delta = {
    event_id: `d${offset}`,
    type: 'key.usage.delta',
    version: 2,
    occurred_at: at,
    producer_id: 'p1',
    sequence: offset + 1,
    window_start: at,
    window_end: at,
    key_id: 'k1',
    user_id: 'u1',
    service: 'cadip',
    latest_request_at: at,
    routes: [
      {
        method: 'GET',
        route: '/cadip/:station/session',
        status_class: 2,
        count: 3,
        latency_sum_ms: 6,
        latency_max_ms: 3,
        latency_histogram: histogram(3),
      },
      {
        method: 'GET',
        route: '/cadip/:station/session',
        status_class: 5,
        count: 1,
        latency_sum_ms: 1,
        latency_max_ms: 1,
        latency_histogram: histogram(1),
      },
    ],
    ...overrides,
  };
  return { offset: String(offset), key: Buffer.from(delta.key_id), value: Buffer.from(JSON.stringify(delta)) };
}
