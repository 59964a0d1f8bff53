/** Key lifecycle events; message key = key id. Every guard consumes this to evict its cache. */
export const KEY_LIFECYCLE_TOPIC = 'rs.apikey.lifecycle.v1';
/** Usage of API keys, per key and guard window (deltas); message key = key id, so a key stays in one partition. */
export const KEY_USAGE_TOPIC = 'rs.apikey.usage.v1';
/** Usage messages that failed validation, with the reason. */
export const KEY_USAGE_DEAD_LETTER_TOPIC = 'rs.apikey.usage.dlq.v1';
/**
 * Redis pub/sub channel carrying the same key lifecycle events as KEY_LIFECYCLE_TOPIC, best effort: a fast path that
 * does not wait for a Kafka partition leader; Kafka stays the durable path.
 */
export const KEY_LIFECYCLE_CHANNEL = 'rs.apikey.lifecycle.v1';
