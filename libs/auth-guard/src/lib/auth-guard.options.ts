import type { Registry } from 'prom-client';

/** Keycloak realm whose access tokens are accepted. The issuer is `${url}/realms/${realm}`. */
export interface KeycloakOptions {
  /** Keycloak base URL as tokens name it (no `/realms` suffix, no `/auth` for Keycloak >= 17). */
  url: string;
  realm: string;
  /** Required `aud` of access tokens. */
  audience: string;
  /** Overrides the issuer derived from url and realm (e.g. when Keycloak sits behind another host name). */
  issuer?: string;
  /** Unknown `kid` triggers a JWKS refetch at most this often (default 2000 ms). */
  keyRefetchIntervalMs?: number;
}

/** API keys are checked by the key manager, behind an in-process cache. */
export interface ApiKeyOptions {
  keyManagerUrl: string;
  /** Life of a cached check (default 60 000 ms); capped by the key's own expiration. */
  cacheTtlMs?: number;
  /** Bound of the cache (default 10 000 keys); the least recently used entry goes first. */
  cacheMaxEntries?: number;
  /**
   * Life of a cached check made while the lifecycle consumer is not connected (Kafka down): a revocation
   * would otherwise only take effect after the full TTL (default 5000 ms). Not used with `kafka: false`.
   */
  unconfirmedCacheTtlMs?: number;
  /** Timeout of one call to the key manager (default 3000 ms). */
  requestTimeoutMs?: number;
}

/** Kafka: key lifecycle events evict cache entries; usage events are published after each keyed request. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /**
   * Usage events are sent at least this often (default 500 ms)... Each send costs the producer ~2 ms of
   * CPU whatever its size, so fewer, fuller batches keep the guard cheap (docs/benchmarks.md).
   */
  usageFlushIntervalMs?: number;
  /** ...or as soon as this many are waiting (default 1000). */
  usageBatchSize?: number;
  /** Events kept while Kafka is unreachable (default 100 000); beyond, new events are dropped and counted. */
  usageBufferMax?: number;
  /**
   * Encode and send usage events from a worker thread with @platformatic/kafka (default true), so the
   * per-record encoding is not taken from request handling. `false` sends with the app's kafkajs client from
   * its own thread (unit tests with a fake Kafka).
   */
  usageProducerThread?: boolean;
}

export interface AuthGuardOptions {
  /** Name of the guarded service, as it appears in usage events (`cadip`). */
  serviceName: string;
  keycloak: KeycloakOptions;
  /** `false`: only Keycloak tokens are accepted. */
  apiKey: ApiKeyOptions | false;
  /** `false`: no cache eviction by events (entries live their TTL) and no usage events. */
  kafka: KafkaOptions | false;
  /** Registry for the guard's metrics; defaults to service-kit's MetricsService registry when present. */
  metricsRegistry?: Registry;
}

export type ResolvedApiKeyOptions = Required<ApiKeyOptions>;
export type ResolvedKafkaOptions = Required<KafkaOptions>;

export function resolveApiKeyOptions(options: ApiKeyOptions): ResolvedApiKeyOptions {
  return {
    cacheTtlMs: 60_000,
    cacheMaxEntries: 10_000,
    unconfirmedCacheTtlMs: 5_000,
    requestTimeoutMs: 3_000,
    ...definedOnly(options),
    keyManagerUrl: options.keyManagerUrl.replace(/\/+$/, ''),
  };
}

export function resolveKafkaOptions(options: KafkaOptions): ResolvedKafkaOptions {
  return { usageFlushIntervalMs: 500, usageBatchSize: 1000, usageBufferMax: 100_000, usageProducerThread: true, ...definedOnly(options) };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
