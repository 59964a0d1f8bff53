import {
  latencyBucketIndex,
  parseKeyUsageDeltaEvent,
  parseKeyUsageMessage,
  USAGE_LATENCY_BUCKETS_MS,
} from './key-usage-delta.event';

function delta(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const at = '2026-03-01T10:00:00.000Z';
  return {
    event_id: 'e-1',
    type: 'key.usage.delta',
    version: 2,
    occurred_at: at,
    producer_id: 'p-1',
    sequence: 1,
    window_start: at,
    window_end: at,
    key_id: 'k-1',
    user_id: 'u-1',
    service: 'cadip',
    latest_request_at: at,
    routes: [route()],
    ...overrides,
  };
}

function route(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    method: 'GET',
    route: '/cadip/:station/session',
    status_class: 2,
    count: 2,
    latency_sum_ms: 3.5,
    latency_max_ms: 2,
    latency_histogram: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...overrides,
  };
}

describe(parseKeyUsageDeltaEvent.name, () => {
  it('should accept a delta as an object, JSON text or bytes', () => {
    const event = delta();
    expect(parseKeyUsageDeltaEvent(event)).toEqual({ ok: true, value: event });
    expect(parseKeyUsageDeltaEvent(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, value: event });
  });

  it.each([
    ['sequence', 0],
    ['window_start', 'yesterday'],
    ['routes', []],
    ['routes', [route({ count: 0 })]],
    ['routes', [route({ status_class: 6 })]],
    ['routes', [route({ latency_histogram: [1, 2] })]],
    ['routes', [route({ latency_sum_ms: -1 })]],
  ])("should refuse a delta whose '%s' is %j", (field, value) => {
    expect(parseKeyUsageDeltaEvent(delta({ [field]: value }))).toEqual({
      ok: false,
      reason: `field '${field}' is missing or invalid`,
    });
  });
});

describe(parseKeyUsageMessage.name, () => {
  it('should read a per-request event (v1) and a delta (v2)', () => {
    const v1 = {
      event_id: 'e',
      type: 'key.usage',
      version: 1,
      occurred_at: '2026-03-01T10:00:00Z',
      key_id: 'k',
      user_id: 'u',
      service: 'cadip',
      method: 'GET',
      route: '/r',
      status: 200,
      latency_ms: 1,
    };
    expect(parseKeyUsageMessage(JSON.stringify(v1))).toEqual({ ok: true, value: v1 });
    expect(parseKeyUsageMessage(JSON.stringify(delta()))).toMatchObject({ ok: true, value: { version: 2 } });
    expect(parseKeyUsageMessage('{oops')).toEqual({ ok: false, reason: 'payload is not valid JSON' });
    expect(parseKeyUsageMessage(delta({ version: 3 }))).toEqual({
      ok: false,
      reason: "field 'version' is missing or invalid",
    });
  });
});

describe(latencyBucketIndex.name, () => {
  it('should count a latency in the first bucket whose bound it does not exceed, the slowest after the last', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(5)).toBe(0);
    expect(latencyBucketIndex(5.01)).toBe(1);
    expect(latencyBucketIndex(2500)).toBe(USAGE_LATENCY_BUCKETS_MS.length - 1);
    expect(latencyBucketIndex(2500.1)).toBe(USAGE_LATENCY_BUCKETS_MS.length);
  });
});
