import { isoTimeToMs, type KeyUsageDeltaEventV2, type KeyUsageEventV1 } from '@rs/event-contracts';
import type { UsageCounters } from '@rs/key-store';
import { createHash } from 'node:crypto';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export type BucketCollection = 'hourly' | 'daily' | 'totals';

/**
 * Requests of one message of a partition that land in the same documents, reduced to what the aggregates
 * need: one request of a per-request event (v1), or one route × status class of a usage delta (v2).
 */
export interface UsageSample {
  offset: number;
  /** First digit of the HTTP status. */
  statusClass: number;
  count: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** The latest request's time. */
  occurredAtMs: number;
}

/** Identity of the documents a sample lands in. */
interface SampleRoute {
  key_id: string;
  user_id: string;
  service: string;
  method: string;
  route: string;
}

/** The document one group of events lands in, and the fields it is created with. */
export interface BucketTarget {
  collection: BucketCollection;
  id: string;
  /** Identity fields written when the document is created (key, user, service, route, hour/day). */
  identity: Record<string, unknown>;
}

/** A document touched by a batch: its target and the samples of the batch that belong to it, in offset order. */
export interface BucketPlan extends BucketTarget {
  samples: UsageSample[];
}

/** What applying the samples after a watermark adds to a document. */
export interface BucketDelta {
  counters: UsageCounters;
  latestQueryDateMs: number;
  /** The new watermark: offset of the last sample applied. */
  lastOffset: number;
  /** Requests left out because the document already holds them (a replay). */
  skipped: number;
}

export const floorToHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const floorToDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** Deterministic document id: the same bucket gets the same id on every replica and every replay. */
export function bucketId(collection: BucketCollection, parts: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([collection, ...parts]))
    .digest('base64url')
    .slice(0, 32);
}

/** Field holding a partition's watermark inside a document (no dots in stored keys: a nested `applied` object). */
export const watermarkField = (partition: number): string => `p${partition}`;

/** The three documents one event lands in. */
interface EventTargets {
  hour: BucketPlan;
  day: BucketPlan;
  total: BucketPlan;
}

/**
 * Groups the valid usage messages of one partition batch by the documents they update: one hour bucket and
 * one day bucket per key × service × method × route, and the key's totals. Samples keep the partition order.
 * Hot path: one map lookup and one sample per request (v1) or route (v2); ids only per new document.
 */
export class BucketPlanner {
  readonly plans: BucketPlan[] = [];
  // key → service → method → route → hour: nested, so no key text is built per sample.
  private readonly byRoute = new Map<string, Map<string, Map<string, Map<string, Map<number, EventTargets>>>>>();
  private readonly days = new Map<string, BucketPlan>();
  private readonly totals = new Map<string, BucketPlan>();

  /** Adds a per-request event whose `occurred_at` is already known to be valid, read as `occurredAtMs`. */
  add(offset: number, event: KeyUsageEventV1, occurredAtMs: number): void {
    const statusClass = Math.floor(event.status / 100);
    const latencyMs = event.latency_ms;
    this.addSample(event, {
      offset,
      statusClass,
      count: 1,
      latencySumMs: latencyMs,
      latencyMaxMs: latencyMs,
      occurredAtMs,
    });
  }

  /** Adds a validated usage delta: every request it counts falls in the hour of its latest one. */
  addDelta(offset: number, delta: KeyUsageDeltaEventV2): void {
    const occurredAtMs = isoTimeToMs(delta.latest_request_at);
    for (const route of delta.routes) {
      this.addSample(
        {
          key_id: delta.key_id,
          user_id: delta.user_id,
          service: delta.service,
          method: route.method,
          route: route.route,
        },
        {
          offset,
          statusClass: route.status_class,
          count: route.count,
          latencySumMs: route.latency_sum_ms,
          latencyMaxMs: route.latency_max_ms,
          occurredAtMs,
        },
      );
    }
  }

  private addSample(route: SampleRoute, sample: UsageSample): void {
    const hour = floorToHour(sample.occurredAtMs);
    const hours = childOf(
      childOf(childOf(childOf(this.byRoute, route.key_id), route.service), route.method),
      route.route,
    );
    let targets = hours.get(hour);
    if (!targets) {
      targets = this.newTargets(route, hour, sample.occurredAtMs);
      hours.set(hour, targets);
    }
    targets.hour.samples.push(sample);
    targets.day.samples.push(sample);
    targets.total.samples.push(sample);
  }

  private newTargets(event: SampleRoute, hour: number, occurredAtMs: number): EventTargets {
    const route = [event.key_id, event.service, event.method, event.route];
    const identity = {
      key_id: event.key_id,
      user_id: event.user_id,
      service: event.service,
      method: event.method,
      route: event.route,
    };
    const day = floorToDay(occurredAtMs);
    const dayKey = `${day}/${routeKeyOf(event)}`;
    let dayPlan = this.days.get(dayKey);
    if (!dayPlan) {
      dayPlan = this.plan({
        collection: 'daily',
        id: bucketId('daily', [...route, String(day)]),
        identity: { ...identity, day: new Date(day) },
      });
      this.days.set(dayKey, dayPlan);
    }
    let totalPlan = this.totals.get(event.key_id);
    if (!totalPlan) {
      totalPlan = this.plan({ collection: 'totals', id: event.key_id, identity: {} });
      this.totals.set(event.key_id, totalPlan);
    }
    const hourPlan = this.plan({
      collection: 'hourly',
      id: bucketId('hourly', [...route, String(hour)]),
      identity: { ...identity, hour: new Date(hour) },
    });
    return { hour: hourPlan, day: dayPlan, total: totalPlan };
  }

  private plan(target: BucketTarget): BucketPlan {
    const created = { ...target, samples: [] };
    this.plans.push(created);
    return created;
  }
}

function childOf<K, V>(parent: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let child = parent.get(key);
  if (!child) {
    child = new Map();
    parent.set(key, child);
  }
  return child;
}

/**
 * Map key of a route: every field but the last prefixed with its length, so no two routes share a key
 * whatever characters they hold.
 */
export function routeKeyOf(event: Omit<SampleRoute, 'user_id'>): string {
  return `${event.key_id.length}:${event.key_id}${event.service.length}:${event.service}${event.method.length}:${event.method}${event.route}`;
}

/** The plans of a list of validated events (BucketPlanner in one call). */
export function planBuckets(events: ReadonlyArray<{ offset: number; event: KeyUsageEventV1 }>): BucketPlan[] {
  const planner = new BucketPlanner();
  for (const { offset, event } of events) planner.add(offset, event, isoTimeToMs(event.occurred_at));
  return planner.plans;
}

export function emptyCounters(): UsageCounters {
  return { count: 0, count_2xx: 0, count_3xx: 0, count_4xx: 0, count_5xx: 0, latency_sum_ms: 0, latency_max_ms: 0 };
}

/**
 * Sums the samples with an offset above `watermark` (the last offset the document already holds for this
 * partition, or -1). Null when every sample is already applied: re-applying a batch is a no-op.
 */
export function deltaAfter(samples: readonly UsageSample[], watermark: number): BucketDelta | null {
  const counters = emptyCounters();
  let latestQueryDateMs = Number.NEGATIVE_INFINITY;
  let lastOffset = -1;
  let skipped = 0;
  for (const sample of samples) {
    if (sample.offset <= watermark) {
      skipped += sample.count;
      continue;
    }
    counters.count += sample.count;
    if (sample.statusClass === 2) counters.count_2xx += sample.count;
    else if (sample.statusClass === 3) counters.count_3xx += sample.count;
    else if (sample.statusClass === 4) counters.count_4xx += sample.count;
    else if (sample.statusClass === 5) counters.count_5xx += sample.count;
    counters.latency_sum_ms += sample.latencySumMs;
    if (sample.latencyMaxMs > counters.latency_max_ms) counters.latency_max_ms = sample.latencyMaxMs;
    if (sample.occurredAtMs > latestQueryDateMs) latestQueryDateMs = sample.occurredAtMs;
    if (sample.offset > lastOffset) lastOffset = sample.offset;
  }
  return counters.count ? { counters, latestQueryDateMs, lastOffset, skipped } : null;
}
