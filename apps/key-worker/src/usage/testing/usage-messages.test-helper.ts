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
export const usageMessages = (from: number, to: number): UsageMessage[] => Array.from({ length: to - from }, (_, index) => usageMessage(from + index));
