import type { KeyUsageEventV1 } from '@rs/event-contracts';
import type { UsageFields } from '../events/key-usage-fields.util';

export interface UsageFieldsOverrides {
  keyId?: string;
  status?: number;
  latencyMs?: number;
  occurredAt?: number;
  correlationId?: string;
}

/** One event's raw fields, as KeyUsagePublisher.record buffers them (a Cadip session search by user-1). */
export function usageFields(overrides: UsageFieldsOverrides = {}): UsageFields {
  const { keyId = 'key-1', status = 200, latencyMs = 1.2345678, occurredAt = Date.parse('2026-01-01T10:00:00.123Z'), correlationId } = overrides;
  return [keyId, 'user-1', 'GET', '/cadip/:station/session', status, latencyMs, occurredAt, correlationId];
}

/**
 * The contract's JSON for one event's fields, built as the request thread built it before the fields were
 * handed over raw: an event object in the contract's field order, JSON.stringify'd. Producers must give
 * exactly these bytes (the event id aside, which they draw).
 */
export function contractJson(fields: UsageFields, eventId: string, service = 'cadip'): string {
  const event: KeyUsageEventV1 = {
    event_id: eventId,
    type: 'key.usage',
    version: 1,
    occurred_at: new Date(fields[6] as number).toISOString(),
    key_id: fields[0] as string,
    user_id: fields[1] as string,
    service,
    method: fields[2] as string,
    route: fields[3] as string,
    status: fields[4] as number,
    latency_ms: Math.round((fields[5] as number) * 1000) / 1000,
  };
  return JSON.stringify(event);
}
