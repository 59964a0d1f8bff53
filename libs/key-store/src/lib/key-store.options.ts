/** What the key store needs from the app that hosts it (key manager or key worker). */
export interface KeyStoreOptions {
  /** Kafka client id of this process, e.g. `key-manager`. */
  clientId: string;
  kafkaBrokers: string[];
  /** Longest a request waits for Kafka before leaving a lifecycle event to the outbox relay. */
  eventPublishTimeoutMs: number;
  /** Keycloak admin API access through a confidential client with view-users / view-realm. */
  keycloak: { url: string; realm: string; clientId: string; clientSecret: string };
  /** Keycloak user attributes copied into every key's config (they win over the user's own config). */
  configAttributes: string[];
}

export const KEY_STORE_OPTIONS = Symbol('KEY_STORE_OPTIONS');
