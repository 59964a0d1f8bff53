import { KEY_USAGE_EVENT_TYPE, KEY_USAGE_EVENT_VERSION, type KeyUsageEventV1 } from '@rs/event-contracts';
import type { Message } from 'kafkajs';

/**
 * Usage events wait for their batch as the request's raw fields, flat, USAGE_FIELD_COUNT values per event
 * in this order: key id, user id, method, route template, status, latency (ms, unrounded), time (epoch ms),
 * correlation id (or undefined), event id. The event id is drawn when the event's batch is first cut (not on
 * the request) and stays with the fields, so a batch sent again after a failure carries the same ids (a consumer can tell a re-sent event from a new one). The event
 * itself (ISO time, JSON) is built once per batch, off the request: in the producer thread, or by
 * `encodeUsageMessages` for the inline producer. A flat array of short strings and numbers is also what
 * clones cheapest to the thread (no object per event).
 */
export type UsageFields = (string | number | undefined)[];

export const USAGE_FIELD_COUNT = 9;

/**
 * One usage event of `fields` as a Kafka message of the contract (libs/event-contracts key-usage.event.ts),
 * keyed by key id. The producer thread's copy of this function (threaded-producer.ts) must give the same
 * bytes: both are checked against the contract's JSON in key-usage-fields.util.spec.ts.
 */
export function encodeUsageMessages(fields: UsageFields, service: string): Message[] {
  const messages: Message[] = [];
  for (let offset = 0; offset < fields.length; offset += USAGE_FIELD_COUNT) {
    const keyId = fields[offset] as string;
    // Key order is the contract's field order: consumers see the same bytes from either producer.
    const event: KeyUsageEventV1 = {
      event_id: fields[offset + 8] as string,
      type: KEY_USAGE_EVENT_TYPE,
      version: KEY_USAGE_EVENT_VERSION,
      occurred_at: new Date(fields[offset + 6] as number).toISOString(),
      key_id: keyId,
      user_id: fields[offset + 1] as string,
      service,
      method: fields[offset + 2] as string,
      route: fields[offset + 3] as string,
      status: fields[offset + 4] as number,
      latency_ms: Math.round((fields[offset + 5] as number) * 1000) / 1000,
    };
    const correlationId = fields[offset + 7] as string | undefined;
    messages.push({ key: keyId, value: JSON.stringify(event), headers: correlationId ? { 'x-correlation-id': correlationId } : undefined });
  }
  return messages;
}
