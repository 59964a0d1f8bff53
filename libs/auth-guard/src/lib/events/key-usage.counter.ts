import { latencyBucketIndex, USAGE_LATENCY_BUCKETS_MS } from '@rs/event-contracts';

const HOUR_MS = 3_600_000;

/** Counts of one method × route template × status class of a key. */
export interface RouteUsage {
  method: string;
  route: string;
  statusClass: 1 | 2 | 3 | 4 | 5;
  count: number;
  latencySumMs: number;
  latencyMaxMs: number;
  histogram: number[];
}

export interface KeyUsage {
  userId: string;
  latestRequestAt: number;
  routes: Map<string, RouteUsage>;
}

/** Usage counted between two flushes, all of it within one UTC hour (epoch ms bounds). */
export interface UsageWindow {
  start: number;
  end: number;
  keys: Map<string, KeyUsage>;
}

/**
 * Usage of API keys counted in memory per key × method × route template × status class, until the
 * publisher takes it. Recording is a few map updates. A window never spans two UTC hours, so the worker's
 * hour buckets stay exact however long the windows wait (Kafka down). The number of distinct series held
 * is bounded: a request that would open one more is dropped and reported through `onDrop`.
 */
export class KeyUsageCounter {
  private current: UsageWindow | null = null;
  private currentHourEnd = 0;
  private readonly closed: UsageWindow[] = [];
  private series = 0;

  constructor(
    private readonly maxSeries: number,
    private readonly onDrop: (requests: number) => void,
  ) {}

  /** Series (key × method × route × status class) held, over every window not taken yet. */
  get seriesCount(): number {
    return this.series;
  }

  /** Counts one answered request; `now` is epoch ms. */
  record(
    keyId: string,
    userId: string,
    method: string,
    route: string,
    status: number,
    latencyMs: number,
    now: number,
  ): void {
    let window = this.current;
    // A new hour (or a clock set back past the window's hour) starts a new window.
    if (!window || now >= this.currentHourEnd || now < this.currentHourEnd - HOUR_MS) window = this.open(now);
    let key = window.keys.get(keyId);
    if (!key) {
      key = { userId, latestRequestAt: now, routes: new Map() };
      window.keys.set(keyId, key);
    }
    const statusClass = Math.min(5, Math.max(1, Math.floor(status / 100))) as RouteUsage['statusClass'];
    const seriesKey = `${statusClass}${method} ${route}`;
    let usage = key.routes.get(seriesKey);
    if (!usage) {
      if (this.series >= this.maxSeries) {
        this.onDrop(1);
        return;
      }
      this.series++;
      usage = { method, route, statusClass, count: 0, latencySumMs: 0, latencyMaxMs: 0, histogram: newHistogram() };
      key.routes.set(seriesKey, usage);
    }
    usage.count++;
    usage.latencySumMs += latencyMs;
    if (latencyMs > usage.latencyMaxMs) usage.latencyMaxMs = latencyMs;
    usage.histogram[latencyBucketIndex(latencyMs)]++;
    if (now > key.latestRequestAt) key.latestRequestAt = now;
    if (now > window.end) window.end = now;
    else if (now < window.start) window.start = now;
  }

  /** Hands over every window counted so far, oldest first, and starts afresh. */
  take(): UsageWindow[] {
    const windows = this.closed.splice(0);
    if (this.current) windows.push(this.current);
    this.current = null;
    this.series = 0;
    return windows;
  }

  private open(now: number): UsageWindow {
    if (this.current) this.closed.push(this.current);
    this.current = { start: now, end: now, keys: new Map() };
    this.currentHourEnd = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    return this.current;
  }
}

function newHistogram(): number[] {
  return new Array<number>(USAGE_LATENCY_BUCKETS_MS.length + 1).fill(0);
}
