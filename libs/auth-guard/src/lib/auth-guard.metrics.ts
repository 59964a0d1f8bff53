import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AUTH_METRICS_REGISTRY } from './auth-guard.constants';
import type { AuthMethod } from './auth-principal';

/** What a request-path counter adds to a counter when it is scraped: a label set and its count so far. */
interface Tally<L extends string> {
  readonly labels: Partial<Record<L, string>>;
  count: number;
}

/**
 * A counter incremented on every request for a few label sets (a cache hit, an allowed request): those are
 * tallies, plain numbers added to the counter when it is scraped, because `inc(labels)` builds and checks a
 * label key on each call. Several AuthGuardMetrics on one registry share the counter, so it holds the tallies.
 */
class TalliedCounter<L extends string> extends Counter<L> {
  private readonly tallies: Tally<L>[] = [];

  tally(labels: Partial<Record<L, string>>): Tally<L> {
    const tally = { labels, count: 0 };
    this.tallies.push(tally);
    return tally;
  }

  override get(): ReturnType<Counter<L>['get']> {
    for (const tally of this.tallies) {
      if (tally.count === 0) continue;
      this.inc(tally.labels, tally.count);
      tally.count = 0;
    }
    return super.get();
  }
}

/** The guard's Prometheus metrics, registered in the app's registry (GET /metrics on the management port). */
@Injectable()
export class AuthGuardMetrics {
  /** Requests by credential type and outcome (`allowed`, or the refusal code). */
  readonly requests: Counter<'method' | 'outcome'>;
  /** API key lookups answered by the cache (`hit`) or sent to the key manager (`miss`). */
  readonly keyCache: Counter<'result'>;
  private readonly allowed: Record<AuthMethod, Tally<'method' | 'outcome'>>;
  private readonly cacheHits: Tally<'result'>;
  /** Cache entries removed (or marked refused: revoked, expired) by lifecycle events, by action. */
  readonly evictions: Counter<'action'>;
  readonly usageDeltasPublished: Counter;
  readonly usageRequestsPublished: Counter;
  /** Requests not counted because the series bound was reached while Kafka was unreachable. */
  readonly usageRequestsDropped: Counter;
  readonly usagePending: Gauge;
  private readUsagePending: () => number = () => 0;

  constructor(@Inject(AUTH_METRICS_REGISTRY) registry: Registry) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
      (registry.getSingleMetric(name) as Counter<L> | undefined) ??
      new Counter({ name, help, labelNames, registers: [registry] });
    const talliedCounter = <L extends string>(name: string, help: string, labelNames: L[]): TalliedCounter<L> =>
      (registry.getSingleMetric(name) as TalliedCounter<L> | undefined) ??
      new TalliedCounter({ name, help, labelNames, registers: [registry] });
    const requests = talliedCounter('auth_guard_requests_total', 'Guarded requests by credential type and outcome', [
      'method',
      'outcome',
    ]);
    this.requests = requests;
    this.allowed = {
      api_key: requests.tally({ method: 'api_key', outcome: 'allowed' }),
      oauth2: requests.tally({ method: 'oauth2', outcome: 'allowed' }),
    };
    const keyCache = talliedCounter(
      'auth_guard_key_cache_total',
      'API key checks answered from the cache (hit) or by the key manager (miss)',
      ['result'],
    );
    this.keyCache = keyCache;
    this.cacheHits = keyCache.tally({ result: 'hit' });
    this.evictions = counter(
      'auth_guard_key_cache_evictions_total',
      'Cache entries evicted (or, for revoked and expired keys, marked refused) by key lifecycle events',
      ['action'],
    );
    this.usageDeltasPublished = counter(
      'auth_guard_usage_deltas_published_total',
      'Key usage delta events delivered to Kafka',
    );
    this.usageRequestsPublished = counter(
      'auth_guard_usage_requests_published_total',
      'Requests counted in the usage deltas delivered to Kafka',
    );
    this.usageRequestsDropped = counter(
      'auth_guard_usage_requests_dropped_total',
      'Requests not counted in key usage because the series bound was reached',
    );
    // Read at scrape time from the publisher: no gauge update on the request path.
    this.usagePending =
      (registry.getSingleMetric('auth_guard_usage_series_pending') as Gauge | undefined) ??
      new Gauge({
        name: 'auth_guard_usage_series_pending',
        help: 'Key usage series counted or encoded and not delivered to Kafka yet',
        registers: [registry],
        collect: () => this.usagePending.set(this.readUsagePending()),
      });
  }

  /** One request let through (auth_guard_requests_total, outcome `allowed`). */
  countAllowed(method: AuthMethod): void {
    this.allowed[method].count++;
  }

  /** One API key answered by the cache (auth_guard_key_cache_total, result `hit`). */
  countCacheHit(): void {
    this.cacheHits.count++;
  }

  /** Where the pending-series gauge reads its value when scraped. */
  observeUsagePending(read: () => number): void {
    this.readUsagePending = read;
  }
}
