/** Injection token of the kafkajs client shared by the usage consumer and the dead-letter publisher. */
export const USAGE_KAFKA = Symbol('USAGE_KAFKA');

/** Longest payload text copied into a dead-letter record. */
export const DEAD_LETTER_PAYLOAD_MAX_CHARS = 8192;

/** Write rounds per batch before giving up (each round re-reads the watermarks that moved). */
export const MAX_WATERMARK_ATTEMPTS = 5;
