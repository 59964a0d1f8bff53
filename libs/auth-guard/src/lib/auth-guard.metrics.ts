import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AUTH_METRICS_REGISTRY } from './auth-guard.constants';
import type { AuthMethod } from './auth-principal';

/**
 * Increments of a counter made on every request (a cache hit, an allowed request), kept as plain numbers
 * per label set and added to the counter when it is read (scrape): `inc(labels)` builds and checks a label
 * key on each call (0.2–0.4 µs each, measured in session 5). Kept by counter, so two AuthGuardMetrics on
 * one registry share the counter's pending counts.
 */
class DeferredCounts<L extends string> {
  private readonly counts: number[];

  constructor(private readonly labelSets: Record<L, string>[]) {
    this.counts = labelSets.map(() => 0);
  }

  add(slot: number): void {
    this.counts[slot]++;
  }

  foldInto(counter: Counter<L>): void {
    for (let slot = 0; slot < this.counts.length; slot++) {
      if (this.counts[slot] === 0) continue;
      counter.inc(this.labelSets[slot], this.counts[slot]);
      this.counts[slot] = 0;
    }
  }
}

const deferredCounts = new WeakMap<Counter<string>, DeferredCounts<string>>();

/** Slots of the deferred counts. */
const CACHE_HIT = 0;
const ALLOWED_API_KEY = 0;
const ALLOWED_OAUTH2 = 1;

/** The guard's Prometheus metrics, registered in the app's registry (GET /metrics). */
@Injectable()
export class AuthGuardMetrics {
  /** Requests by credential type and outcome (`allowed`, or the refusal code). */
  readonly requests: Counter<'method' | 'outcome'>;
  /** API key lookups answered by the cache (`hit`) or sent to the key manager (`miss`). */
  readonly keyCache: Counter<'result'>;
  /** Cache entries removed (or marked refused: revoked, expired) by lifecycle events, by action. */
  readonly evictions: Counter<'action'>;
  readonly usagePublished: Counter;
  /** Usage events lost because the buffer was full while Kafka was unreachable. */
  readonly usageDropped: Counter;
  readonly usageBuffered: Gauge;
  private readUsageBuffered: () => number = () => 0;
  private readonly deferredRequests: DeferredCounts<'method' | 'outcome'>;
  private readonly deferredKeyCache: DeferredCounts<'result'>;

  constructor(@Inject(AUTH_METRICS_REGISTRY) registry: Registry) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = [], deferred?: DeferredCounts<L>): Counter<L> => {
      const existing = registry.getSingleMetric(name) as Counter<L> | undefined;
      if (existing) return existing;
      const created = new Counter<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          deferredCounts.get(this as Counter<string>)?.foldInto(this as Counter<string>);
        },
      });
      if (deferred) deferredCounts.set(created as Counter<string>, deferred as DeferredCounts<string>);
      return created;
    };
    const requestsAllowed = new DeferredCounts<'method' | 'outcome'>([
      { method: 'api_key', outcome: 'allowed' },
      { method: 'oauth2', outcome: 'allowed' },
    ]);
    this.requests = counter('auth_guard_requests_total', 'Guarded requests by credential type and outcome', ['method', 'outcome'], requestsAllowed);
    const cacheHits = new DeferredCounts<'result'>([{ result: 'hit' }]);
    this.keyCache = counter('auth_guard_key_cache_total', 'API key checks answered from the cache (hit) or by the key manager (miss)', ['result'], cacheHits);
    // The counter's own pending counts: ours, or another AuthGuardMetrics' on this registry (these metric
    // names are only ever registered here).
    this.deferredRequests = deferredCounts.get(this.requests as Counter<string>) ?? requestsAllowed;
    this.deferredKeyCache = deferredCounts.get(this.keyCache as Counter<string>) ?? cacheHits;
    this.evictions = counter('auth_guard_key_cache_evictions_total', 'Cache entries evicted (or, for revoked and expired keys, marked refused) by key lifecycle events', ['action']);
    this.usagePublished = counter('auth_guard_usage_events_published_total', 'Key usage events delivered to Kafka');
    this.usageDropped = counter('auth_guard_usage_events_dropped_total', 'Key usage events dropped because the buffer was full');
    // Read at scrape time from the publisher (observeUsageBuffer): no gauge update on the request path.
    this.usageBuffered =
      (registry.getSingleMetric('auth_guard_usage_events_buffered') as Gauge | undefined) ??
      new Gauge({
        name: 'auth_guard_usage_events_buffered',
        help: 'Key usage events waiting to be sent to Kafka',
        registers: [registry],
        collect: () => this.usageBuffered.set(this.readUsageBuffered()),
      });
  }

  /** One request let through (auth_guard_requests_total, outcome `allowed`); counted without touching the counter until it is read. */
  countAllowed(method: AuthMethod): void {
    this.deferredRequests.add(method === 'api_key' ? ALLOWED_API_KEY : ALLOWED_OAUTH2);
  }

  /** One API key answered by the cache (auth_guard_key_cache_total, result `hit`); counted as countAllowed. */
  countCacheHit(): void {
    this.deferredKeyCache.add(CACHE_HIT);
  }

  /** Where the buffered-events gauge reads its value when scraped. */
  observeUsageBuffer(read: () => number): void {
    this.readUsageBuffered = read;
  }
}
