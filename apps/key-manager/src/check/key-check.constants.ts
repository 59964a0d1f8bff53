/** Injection token: the kafkajs client the check module listens to lifecycle events with (null: no Kafka). */
export const KEY_CHECK_KAFKA = Symbol('KEY_CHECK_KAFKA');
