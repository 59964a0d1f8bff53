import {
  KEY_USAGE_DELTA_EVENT_TYPE,
  KEY_USAGE_DELTA_EVENT_VERSION,
  type KeyUsageDeltaEventV2,
  type KeyUsageDeltaRouteV2,
} from '@rs/event-contracts';
import type { Message } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { UsageWindow } from './key-usage.counter';

export interface DeltaIdentity {
  producerId: string;
  sequence: number;
  service: string;
}

/** One usage delta event per key of the window, as Kafka messages keyed by key id. */
export function encodeUsageDeltas(
  window: UsageWindow,
  identity: DeltaIdentity,
): { messages: Message[]; requests: number } {
  const messages: Message[] = [];
  let requests = 0;
  const windowStart = new Date(window.start).toISOString();
  const windowEnd = new Date(window.end).toISOString();
  for (const [keyId, usage] of window.keys) {
    const routes: KeyUsageDeltaRouteV2[] = [];
    for (const route of usage.routes.values()) {
      requests += route.count;
      routes.push({
        method: route.method,
        route: route.route,
        status_class: route.statusClass,
        count: route.count,
        latency_sum_ms: roundMs(route.latencySumMs),
        latency_max_ms: roundMs(route.latencyMaxMs),
        latency_histogram: route.histogram,
      });
    }
    if (!routes.length) continue;
    const event: KeyUsageDeltaEventV2 = {
      event_id: randomUUID(),
      type: KEY_USAGE_DELTA_EVENT_TYPE,
      version: KEY_USAGE_DELTA_EVENT_VERSION,
      occurred_at: windowEnd,
      producer_id: identity.producerId,
      sequence: identity.sequence,
      window_start: windowStart,
      window_end: windowEnd,
      key_id: keyId,
      user_id: usage.userId,
      service: identity.service,
      latest_request_at: new Date(usage.latestRequestAt).toISOString(),
      routes,
    };
    messages.push({ key: keyId, value: JSON.stringify(event) });
  }
  return { messages, requests };
}

/** Microsecond precision is plenty, and keeps the JSON short. */
function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
