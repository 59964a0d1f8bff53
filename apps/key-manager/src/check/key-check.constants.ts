/** Injection token: the kafkajs client the check module listens to lifecycle events with (null: no Kafka). */
export const KEY_CHECK_KAFKA = Symbol('KEY_CHECK_KAFKA');
/** Injection token: the Redis URL the check module also receives lifecycle events from (null: Kafka only). */
export const KEY_CHECK_REDIS_URL = Symbol('KEY_CHECK_REDIS_URL');
