import type { KeyUsageEventV1 } from '@rs/event-contracts';
import {
  BucketPlanner,
  bucketId,
  deltaAfter,
  floorToDay,
  floorToHour,
  planBuckets,
  routeKeyOf,
  type UsageSample,
} from './usage-buckets.util';

function usageEvent(overrides: Partial<KeyUsageEventV1> = {}): KeyUsageEventV1 {
  return {
    event_id: 'e',
    type: 'key.usage',
    version: 1,
    occurred_at: '2026-03-01T10:15:00.000Z',
    key_id: 'k1',
    user_id: 'u1',
    service: 'cadip',
    method: 'GET',
    route: '/cadip/:station/session',
    status: 200,
    latency_ms: 10,
    ...overrides,
  };
}

const sample = (offset: number, status = 200, latencyMs = 10, occurredAtMs = 0, count = 1): UsageSample => ({
  offset,
  statusClass: Math.floor(status / 100),
  count,
  latencySumMs: latencyMs,
  latencyMaxMs: latencyMs,
  occurredAtMs,
});

describe('usage buckets', () => {
  describe(floorToHour.name, () => {
    it('should floor to the UTC hour and day', () => {
      const at = Date.parse('2026-03-01T10:59:59.999Z');
      expect(new Date(floorToHour(at)).toISOString()).toBe('2026-03-01T10:00:00.000Z');
      expect(new Date(floorToDay(at)).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    });
  });

  describe(bucketId.name, () => {
    it('should give the same id for the same bucket and different ids when any part differs', () => {
      expect(bucketId('hourly', ['k1', 'cadip', 'GET', '/a', '1'])).toBe(
        bucketId('hourly', ['k1', 'cadip', 'GET', '/a', '1']),
      );
      expect(bucketId('hourly', ['k1', 'cadip', 'GET', '/a', '1'])).not.toBe(
        bucketId('daily', ['k1', 'cadip', 'GET', '/a', '1']),
      );
      // No separator ambiguity: parts are JSON-encoded.
      expect(bucketId('hourly', ['a|b', 'c'])).not.toBe(bucketId('hourly', ['a', 'b|c']));
    });
  });

  describe(planBuckets.name, () => {
    it('should put each event in its hour bucket, its day bucket and its key totals when events span hours and routes', () => {
      const plans = planBuckets([
        { offset: 1, event: usageEvent() },
        { offset: 2, event: usageEvent({ occurred_at: '2026-03-01T11:01:00.000Z' }) },
        { offset: 3, event: usageEvent({ route: '/cadip/:station/cadu/search' }) },
        { offset: 4, event: usageEvent({ key_id: 'k2' }) },
      ]);
      const byCollection = (collection: string) => plans.filter((plan) => plan.collection === collection);
      expect(byCollection('hourly').map((plan) => plan.samples.map((s) => s.offset))).toEqual([[1], [2], [3], [4]]);
      expect(byCollection('daily').map((plan) => plan.samples.map((s) => s.offset))).toEqual([[1, 2], [3], [4]]);
      expect(byCollection('totals').map((plan) => [plan.id, plan.samples.map((s) => s.offset)])).toEqual([
        ['k1', [1, 2, 3]],
        ['k2', [4]],
      ]);
      expect(byCollection('hourly')[0].identity).toEqual({
        key_id: 'k1',
        user_id: 'u1',
        service: 'cadip',
        method: 'GET',
        route: '/cadip/:station/session',
        hour: new Date('2026-03-01T10:00:00.000Z'),
      });
    });
  });

  describe(BucketPlanner.name, () => {
    it('should keep routes apart when their fields concatenate to the same text', () => {
      const sut = new BucketPlanner();
      const at = Date.parse('2026-03-01T10:15:00.000Z');
      sut.add(1, usageEvent({ key_id: 'k1', service: 'ab', method: 'GET' }), at);
      sut.add(2, usageEvent({ key_id: 'k1', service: 'a', method: 'bGET' }), at);
      sut.add(3, usageEvent({ key_id: 'k1', service: 'ab', method: 'GET' }), at);
      const hourly = sut.plans.filter((plan) => plan.collection === 'hourly');
      expect(hourly.map((plan) => [plan.identity['service'], plan.samples.map((s) => s.offset)])).toEqual([
        ['ab', [1, 3]],
        ['a', [2]],
      ]);
      expect(new Set(hourly.map((plan) => plan.id)).size).toBe(2);
    });

    it('should share one sample between the hour, day and totals plans of an event', () => {
      const sut = new BucketPlanner();
      sut.add(7, usageEvent({ status: 503, latency_ms: 12 }), 1234);
      expect(sut.plans.map((plan) => [plan.collection, plan.samples])).toEqual([
        ['daily', [sample(7, 503, 12, 1234)]],
        ['totals', [sample(7, 503, 12, 1234)]],
        ['hourly', [sample(7, 503, 12, 1234)]],
      ]);
    });
  });

  describe('addDelta', () => {
    it('should add one sample per route of the delta, in the hour of its latest request', () => {
      const sut = new BucketPlanner();
      const at = '2026-03-01T10:59:59.000Z';
      const route = { method: 'GET', route: '/a', latency_histogram: [] };
      sut.addDelta(3, {
        ...{ event_id: 'e', type: 'key.usage.delta', version: 2, occurred_at: at, producer_id: 'p', sequence: 1 },
        ...{ window_start: at, window_end: at, key_id: 'k', user_id: 'u', service: 'cadip', latest_request_at: at },
        routes: [
          { ...route, status_class: 2, count: 5, latency_sum_ms: 10, latency_max_ms: 4 },
          { ...route, route: '/b', status_class: 4, count: 1, latency_sum_ms: 1, latency_max_ms: 1 },
        ],
      });
      const hourly = sut.plans.filter((plan) => plan.collection === 'hourly');
      expect(hourly.map((plan) => [plan.identity['route'], plan.identity['hour']])).toEqual([
        ['/a', new Date('2026-03-01T10:00:00Z')],
        ['/b', new Date('2026-03-01T10:00:00Z')],
      ]);
      const [total] = sut.plans.filter((plan) => plan.collection === 'totals');
      expect(total.samples.map((s) => [s.offset, s.count, s.statusClass])).toEqual([
        [3, 5, 2],
        [3, 1, 4],
      ]);
    });
  });

  describe(routeKeyOf.name, () => {
    it('should differ when the same characters are split differently between fields', () => {
      const base = { key_id: 'k', service: 'cadip', method: 'GET', route: '/a' };
      expect(routeKeyOf(base)).toBe(routeKeyOf({ ...base }));
      expect(routeKeyOf({ ...base, key_id: 'k5', service: ':cadip' })).not.toBe(
        routeKeyOf({ ...base, key_id: 'k', service: '5:cadip' }),
      );
      expect(routeKeyOf({ ...base, method: 'GET/', route: 'a' })).not.toBe(
        routeKeyOf({ ...base, method: 'GET', route: '/a' }),
      );
    });
  });

  describe(deltaAfter.name, () => {
    it('should sum counts, status classes and latencies of every sample when nothing was applied', () => {
      const delta = deltaAfter(
        [
          sample(5, 200, 10, 100),
          sample(6, 404, 30, 300),
          sample(7, 503, 5, 200),
          sample(8, 302, 1, 50),
          sample(9, 101, 0, 10),
        ],
        -1,
      );
      expect(delta).toEqual({
        counters: {
          count: 5,
          count_2xx: 1,
          count_3xx: 1,
          count_4xx: 1,
          count_5xx: 1,
          latency_sum_ms: 46,
          latency_max_ms: 30,
        },
        latestQueryDateMs: 300,
        lastOffset: 9,
        skipped: 0,
      });
    });

    it('should count only samples after the watermark when part of the batch was applied before', () => {
      const delta = deltaAfter([sample(5), sample(6), sample(7)], 5);
      expect(delta?.counters.count).toBe(2);
      expect(delta?.skipped).toBe(1);
      expect(delta?.lastOffset).toBe(7);
    });

    it('should add the requests of a sample that stands for several, and skip them together', () => {
      const delta = deltaAfter([sample(5, 200, 10, 100, 4), sample(6, 500, 8, 200, 3)], 5);
      expect(delta?.counters).toMatchObject({ count: 3, count_5xx: 3, latency_sum_ms: 8 });
      expect(delta?.skipped).toBe(4);
    });

    it('should return null when the whole batch was applied before', () => {
      expect(deltaAfter([sample(5), sample(6)], 6)).toBeNull();
      expect(deltaAfter([sample(5), sample(6)], 100)).toBeNull();
    });
  });
});
