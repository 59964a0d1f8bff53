import type { KafkaSecurity } from '@rs/service-kit';
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
  /** Clients (`azp`) whose tokens are accepted; empty or absent: any client of the realm. */
  allowedAzp?: string[];
}

/**
 * The guard's own Keycloak client (client-credentials grant): its token on each key check tells the key manager
 * which service is asking, so the key manager believes the end client's address the guard forwards.
 */
export interface ServiceCredentials {
  clientId: string;
  clientSecret: string;
  /** Token endpoint; default `${keycloak.url}/realms/${realm}/protocol/openid-connect/token`. */
  tokenUrl?: string;
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
  /** Life of the memory of a well-formed key the key manager does not know (default 5000 ms; 0: none). */
  unknownKeyTtlMs?: number;
  /**
   * Authenticates the key checks as this service; without it the key manager counts failures by the guard's
   * address.
   */
  serviceCredentials?: ServiceCredentials;
}

/** Kafka: key lifecycle events evict cache entries; usage is published as per-key deltas. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** SASL credentials and TLS of the service's Kafka user (service-kit kafkaSecurity). */
  security?: KafkaSecurity;
  /** Usage counted in memory is published this often (default 1000 ms), and at shutdown. */
  usageFlushIntervalMs?: number;
  /**
   * Distinct key × method × route × status class series held while Kafka is unreachable (default 100 000);
   * requests that would open another are not counted (metric and log).
   */
  usageMaxSeries?: number;
}

/**
 * Per-key request limits (`rate_limit_per_minute`, `max_requests_per_day`), counted across replicas in Redis. Each
 * replica takes tokens in batches, so a request costs no Redis call (docs/auth-guard.md, Quotas).
 */
export interface QuotaOptions {
  redisUrl: string;
  /** Most tokens a replica takes at a time per key and window (default 1000; a tenth of the limit when less). */
  maxBatch?: number;
  /** After a Redis failure, limits go unenforced this long before Redis is tried again (default 5000 ms). */
  retryAfterFailureMs?: number;
  /** Timeout of one Redis command (default 500 ms). */
  commandTimeoutMs?: number;
}

export interface AuthGuardOptions {
  /** Name of the guarded service, as it appears in usage events (`cadip`). */
  serviceName: string;
  keycloak: KeycloakOptions;
  /** `false`: only Keycloak tokens are accepted. */
  apiKey: ApiKeyOptions | false;
  /** `false`: no cache eviction by events (entries live their TTL) and no usage events. */
  kafka: KafkaOptions | false;
  /** Per-key request limits; absent or `false`: not enforced. */
  quota?: QuotaOptions | false;
  /** Registry for the guard's metrics; defaults to service-kit's MetricsService registry when present. */
  metricsRegistry?: Registry;
}

export type ResolvedApiKeyOptions = Required<Omit<ApiKeyOptions, 'serviceCredentials'>> &
  Pick<ApiKeyOptions, 'serviceCredentials'>;
export type ResolvedKafkaOptions = Required<Omit<KafkaOptions, 'security'>> & Pick<KafkaOptions, 'security'>;

export function resolveApiKeyOptions(options: ApiKeyOptions): ResolvedApiKeyOptions {
  return {
    cacheTtlMs: 60_000,
    cacheMaxEntries: 10_000,
    unconfirmedCacheTtlMs: 5_000,
    requestTimeoutMs: 3_000,
    unknownKeyTtlMs: 5_000,
    ...definedOnly(options),
    keyManagerUrl: options.keyManagerUrl.replace(/\/+$/, ''),
  };
}

export function resolveKafkaOptions(options: KafkaOptions): ResolvedKafkaOptions {
  return { usageFlushIntervalMs: 1000, usageMaxSeries: 100_000, ...definedOnly(options) };
}

export function resolveQuotaOptions(options: Partial<QuotaOptions>): Required<Omit<QuotaOptions, 'redisUrl'>> {
  return { maxBatch: 1000, retryAfterFailureMs: 5_000, commandTimeoutMs: 500, ...definedOnly(options) };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
