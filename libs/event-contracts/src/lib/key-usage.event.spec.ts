import { parseKeyUsageEvent, type KeyUsageEventV1 } from './key-usage.event';

function usageEvent(overrides: Partial<Record<keyof KeyUsageEventV1, unknown>> = {}): Record<string, unknown> {
  return {
    event_id: 'e-1',
    type: 'key.usage',
    version: 1,
    occurred_at: '2026-01-01T10:00:00.000Z',
    key_id: 'k-1',
    user_id: 'u-1',
    service: 'cadip',
    method: 'GET',
    route: '/cadip/:station/session',
    status: 200,
    latency_ms: 3.5,
    ...overrides,
  };
}

describe(parseKeyUsageEvent.name, () => {
  it('should accept a valid event given as an object, text or bytes', () => {
    const event = usageEvent();
    expect(parseKeyUsageEvent(event)).toEqual({ ok: true, value: event });
    expect(parseKeyUsageEvent(JSON.stringify(event))).toEqual({ ok: true, value: event });
    expect(parseKeyUsageEvent(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, value: event });
  });

  it('should refuse text that is not JSON', () => {
    expect(parseKeyUsageEvent('{oops')).toEqual({ ok: false, reason: 'payload is not valid JSON' });
    expect(parseKeyUsageEvent('[1]')).toEqual({ ok: false, reason: 'payload is not a JSON object' });
  });

  it.each([
    ['version', 2],
    ['type', 'key.other'],
    ['status', 700],
    ['latency_ms', -1],
    ['occurred_at', 'yesterday'],
    ['key_id', ''],
  ])('should name the field %s when it holds %p', (field, value) => {
    expect(parseKeyUsageEvent(usageEvent({ [field]: value }))).toEqual({
      ok: false,
      reason: `field '${field}' is missing or invalid`,
    });
  });
});
