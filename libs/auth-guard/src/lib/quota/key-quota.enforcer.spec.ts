import { DomainErrorCode, type DomainError } from '@rs/key-domain';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import { KeyQuotaEnforcer } from './key-quota.enforcer';
import type { QuotaStore, QuotaWindow } from './quota.store';

/** Counters in memory, shared by every enforcer given the same store, as Redis is by replicas. */
class FakeQuotaStore implements QuotaStore {
  readonly counters = new Map<string, number>();
  takes = 0;
  failing = false;
  private readyListeners: (() => void)[] = [];

  async take(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<number> {
    this.takes++;
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const name = `${window}:${keyId}:${windowStart}`;
    const counter = (this.counters.get(name) ?? 0) + count;
    this.counters.set(name, counter);
    return counter;
  }

  async giveBack(window: QuotaWindow, keyId: string, windowStart: number, count: number): Promise<void> {
    const name = `${window}:${keyId}:${windowStart}`;
    this.counters.set(name, (this.counters.get(name) ?? 0) - count);
  }

  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  ready(): void {
    this.failing = false;
    for (const listener of this.readyListeners) listener();
  }

  async connect(): Promise<void> {
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  }

  closed = false;

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface FakeResponse {
  headers: Record<string, string>;
  setHeader(name: string, value: string): void;
}

function fakeResponse(): FakeResponse & Response {
  const response: FakeResponse = {
    headers: {},
    setHeader(name, value) {
      this.headers[name] = value;
    },
  };
  return response as FakeResponse & Response;
}

function keyPrincipal(limits: { perMinute?: number; perDay?: string }, keyId = 'key-1'): AuthPrincipal {
  return {
    user_id: 'alice-id',
    user_login: 'alice',
    iam_roles: [],
    config: limits.perDay === undefined ? { organization: 'ESA' } : { max_requests_per_day: limits.perDay },
    auth_method: 'api_key',
    key_id: keyId,
    rate_limit_per_minute: limits.perMinute,
  };
}

const OPTIONS = {
  serviceName: 'cadip',
  apiKey: { keyManagerUrl: 'http://key-manager' },
  kafka: false,
  quota: { redisUrl: 'redis://unused', maxBatch: 10, retryAfterFailureMs: 5_000 },
} as AuthGuardOptions;
// 12:00:30 UTC: half a minute before the minute ends, 12 h before the day does.
const NOON = Date.UTC(2026, 0, 15, 12, 0, 30);

/** Admits one request; resolves to the outcome: 'allowed', or the refusal's code. */
async function request(sut: KeyQuotaEnforcer, principal: AuthPrincipal, response = fakeResponse()): Promise<string> {
  try {
    await sut.admit(principal, response);
    return 'allowed';
  } catch (error) {
    return (error as DomainError).code;
  }
}

async function requests(sut: KeyQuotaEnforcer, principal: AuthPrincipal, count: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let index = 0; index < count; index++) outcomes.push(await request(sut, principal));
  return outcomes;
}

const allowedIn = (outcomes: string[]) => outcomes.filter((outcome) => outcome === 'allowed').length;

describe(KeyQuotaEnforcer.name, () => {
  let store: FakeQuotaStore;
  let registry: Registry;
  let sut: KeyQuotaEnforcer;
  const metricValue = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((value) =>
      Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
    )?.value ?? 0;

  beforeEach(async () => {
    jest.useFakeTimers({ now: NOON, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    store = new FakeQuotaStore();
    registry = new Registry();
    sut = new KeyQuotaEnforcer(OPTIONS, registry, store);
    await sut.onApplicationBootstrap();
  });

  afterEach(() => jest.useRealTimers());

  describe('admit', () => {
    it('should let every request through without a store call when quotas are not configured', () => {
      const unconfigured = new KeyQuotaEnforcer({ ...OPTIONS, quota: false }, new Registry(), null);
      expect(unconfigured.admit(keyPrincipal({ perMinute: 1 }), fakeResponse())).toBe(true);
      expect(unconfigured.admit(keyPrincipal({ perMinute: 1 }), fakeResponse())).toBe(true);
    });

    it('should let a key without limits through synchronously, without a store call nor headers', () => {
      const response = fakeResponse();
      expect(sut.admit(keyPrincipal({}), response)).toBe(true);
      expect(store.takes).toBe(0);
      expect(response.headers).toEqual({});
    });

    it('should answer from local tokens once the first batch is taken: no store call per request', async () => {
      const principal = keyPrincipal({ perMinute: 100 });
      await request(sut, principal);
      const takesAfterFirst = store.takes;
      expect(sut.admit(principal, fakeResponse())).toBe(true);
      expect(sut.admit(principal, fakeResponse())).toBe(true);
      expect(store.takes).toBe(takesAfterFirst);
    });

    it('should refuse the request after the per-minute limit with KEY_RATE_LIMITED and the 429 headers', async () => {
      const principal = keyPrincipal({ perMinute: 5 });
      expect(await requests(sut, principal, 5)).toEqual(Array(5).fill('allowed'));
      const response = fakeResponse();
      expect(await request(sut, principal, response)).toBe(DomainErrorCode.KEY_RATE_LIMITED);
      expect(response.headers).toEqual({
        'RateLimit-Limit': '5',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '30',
        'Retry-After': '30',
      });
      expect(await metricValue('auth_guard_quota_limited_total', { limit: 'rate_limit_per_minute' })).toBe(1);
    });

    it('should allow the key again in the next UTC minute (fixed window)', async () => {
      const principal = keyPrincipal({ perMinute: 2 });
      expect(await requests(sut, principal, 3)).toEqual(['allowed', 'allowed', DomainErrorCode.KEY_RATE_LIMITED]);
      jest.setSystemTime(NOON + 30_000);
      expect(await requests(sut, principal, 3)).toEqual(['allowed', 'allowed', DomainErrorCode.KEY_RATE_LIMITED]);
    });

    it('should set RateLimit headers on allowed requests once half of the limit is spent', async () => {
      const principal = keyPrincipal({ perMinute: 100 });
      const sent: Array<Record<string, string>> = [];
      for (let count = 0; count < 60; count++) {
        const response = fakeResponse();
        await request(sut, principal, response);
        sent.push(response.headers);
      }
      expect(sent.findIndex((headers) => 'RateLimit-Limit' in headers)).toBe(49);
      expect(sent[59]).toEqual({ 'RateLimit-Limit': '100', 'RateLimit-Remaining': '40', 'RateLimit-Reset': '30' });
    });

    it('should send the headers once either limit is half spent, for the tighter one', async () => {
      const principal = keyPrincipal({ perMinute: 10, perDay: '100' });
      // Other replicas spent 90 of the day: 9 left of 100 after this request, and 9 of the minute's 10.
      await store.take('day', 'key-1', Date.UTC(2026, 0, 15), 90);
      const response = fakeResponse();
      expect(await request(sut, principal, response)).toBe('allowed');
      expect(response.headers).toEqual({
        'RateLimit-Limit': '10',
        'RateLimit-Remaining': '9',
        'RateLimit-Reset': '30',
      });
    });

    it('should never let replicas sharing the store allow more than the limit together', async () => {
      const replica = new KeyQuotaEnforcer(OPTIONS, new Registry(), store);
      const principal = keyPrincipal({ perMinute: 50 });
      const outcomes = await Promise.all(
        Array.from({ length: 120 }, (_, index) => request(index % 2 ? replica : sut, principal)),
      );
      expect(allowedIn(outcomes)).toBeLessThanOrEqual(50);
      // Unspent tokens of one replica refuse requests early on the other: at most 1.5 batches each.
      expect(allowedIn(outcomes)).toBeGreaterThanOrEqual(50 - 2 * 8);
    });

    it('should take the day quota from max_requests_per_day and refuse with KEY_QUOTA_EXCEEDED until UTC midnight', async () => {
      const principal = keyPrincipal({ perDay: '3' });
      expect(await requests(sut, principal, 3)).toEqual(Array(3).fill('allowed'));
      const response = fakeResponse();
      expect(await request(sut, principal, response)).toBe(DomainErrorCode.KEY_QUOTA_EXCEEDED);
      expect(response.headers['Retry-After']).toBe(String(12 * 3600 - 30));
      jest.setSystemTime(Date.UTC(2026, 0, 16));
      expect(await request(sut, principal)).toBe('allowed');
    });

    it('should refuse every request of a key whose day quota is 0, without a store call', async () => {
      expect(await request(sut, keyPrincipal({ perDay: '0' }))).toBe(DomainErrorCode.KEY_QUOTA_EXCEEDED);
      expect(store.takes).toBe(0);
    });

    it('should not count a request refused by the minute limit against the day quota', async () => {
      const principal = keyPrincipal({ perMinute: 1, perDay: '2' });
      expect(await requests(sut, principal, 3)).toEqual([
        'allowed',
        DomainErrorCode.KEY_RATE_LIMITED,
        DomainErrorCode.KEY_RATE_LIMITED,
      ]);
      jest.setSystemTime(NOON + 30_000);
      // The day's second request; once both are spent the day quota is named, its wait being the longer.
      expect(await requests(sut, principal, 2)).toEqual(['allowed', DomainErrorCode.KEY_QUOTA_EXCEEDED]);
    });

    it('should read the limits again from a new check answer of the key', async () => {
      expect(await requests(sut, keyPrincipal({ perMinute: 1 }), 2)).toEqual([
        'allowed',
        DomainErrorCode.KEY_RATE_LIMITED,
      ]);
      expect(await request(sut, keyPrincipal({}))).toBe('allowed');
    });

    it('should let requests through, say so in the metrics, and enforce again once the store is back', async () => {
      const principal = keyPrincipal({ perMinute: 1 });
      store.failing = true;
      expect(await requests(sut, principal, 3)).toEqual(Array(3).fill('allowed'));
      expect(await metricValue('auth_guard_quota_store_unavailable')).toBe(1);
      expect(await metricValue('auth_guard_quota_unenforced_total')).toBe(3);
      expect(store.takes).toBe(1);
      store.ready();
      expect(await requests(sut, principal, 2)).toEqual(['allowed', DomainErrorCode.KEY_RATE_LIMITED]);
      expect(await metricValue('auth_guard_quota_store_unavailable')).toBe(0);
    });

    it('should try the store again after the retry interval when it did not reconnect', async () => {
      store.failing = true;
      await request(sut, keyPrincipal({ perMinute: 1 }));
      store.failing = false;
      jest.setSystemTime(NOON + 5_001);
      expect(await requests(sut, keyPrincipal({ perMinute: 1 }, 'key-2'), 2)).toEqual([
        'allowed',
        DomainErrorCode.KEY_RATE_LIMITED,
      ]);
    });
  });

  describe('onApplicationShutdown', () => {
    it('should give the unspent tokens back to the store', async () => {
      await request(sut, keyPrincipal({ perDay: '1000' }));
      await sut.onApplicationShutdown();
      expect([...store.counters.values()]).toEqual([1]);
    });
  });
});
