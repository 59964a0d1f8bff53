import type { KafkaSecurity } from '@rs/service-kit';

/** What the key store needs from the app that hosts it (key manager or key worker). */
export interface KeyStoreOptions {
  /** Kafka client id of this process, e.g. `key-manager`. */
  clientId: string;
  kafkaBrokers: string[];
  /** SASL credentials and TLS of the app's Kafka user (service-kit kafkaSecurity). */
  kafkaSecurity?: KafkaSecurity;
  /** Longest a request waits for Kafka before leaving a lifecycle event to the outbox relay. */
  eventPublishTimeoutMs: number;
  /** Redis that also carries each lifecycle event at once (the fast path beside Kafka); unset: Kafka only. */
  redisUrl?: string;
}

export const KEY_STORE_OPTIONS = Symbol('KEY_STORE_OPTIONS');
