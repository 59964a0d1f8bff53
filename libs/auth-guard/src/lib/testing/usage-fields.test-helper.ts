import type { KeyUsageEventV1 } from '@rs/event-contracts';
import type { UsageFields } from '../events/key-usage-fields.util';

export interface UsageFieldsOverrides {
  keyId?: string;
  status?: number;
  latencyMs?: number;
  occurredAt?: number;
  correlationId?: string;
  eventId?: string;
}

/** One event's raw fields, as KeyUsagePublisher.record buffers them (a Cadip session search by user-1). */
export function usageFields(overrides: UsageFieldsOverrides = {}): UsageFields {
  const { keyId = 'key-1', status = 200, latencyMs = 1.2345678, occurredAt = Date.parse('2026-01-01T10:00:00.123Z'), correlationId } = overrides;
  const { eventId = '0b6b5ad5-8c1e-4c57-9f4e-3f1f7d0c2a11' } = overrides;
  return [keyId, 'user-1', 'GET', '/cadip/:station/session', status, latencyMs, occurredAt, correlationId, eventId];
}

/** The arguments of KeyUsagePublisher.record for these fields (it draws the event id itself). */
export function recordArguments(overrides: UsageFieldsOverrides = {}): UsageFields {
  return usageFields(overrides).slice(0, -1);
}

/**
 * The contract's JSON for one event's fields, built as the request thread built it before the fields were
 * handed over raw: an event object in the contract's field order, JSON.stringify'd. Producers must give
 * exactly these bytes. `eventId` replaces the fields' own (for events whose id KeyUsagePublisher drew).
 */
export function contractJson(fields: UsageFields, eventId = fields[8] as string, service = 'cadip'): string {
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
