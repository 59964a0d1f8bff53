import { HttpException, Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DomainError, DomainErrorCode, isRefererAllowed, isWellFormedApiKey } from '@rs/key-domain';
import type { AuthPrincipal } from '../auth-principal';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, type ResolvedApiKeyOptions, resolveApiKeyOptions } from '../auth-guard.options';
import { KeyEventsStatus } from '../events/key-events.status';
import { type CachedKeyCheck, KeyCache, keyDigest } from './key-cache';
import { type KeyCheckContext, KeyManagerClient } from './key-manager.client';

/**
 * Turns an API key into a principal: offline format check, then the cache, then the key manager.
 * Concurrent checks of the same key share one call. Lifecycle events evict through evictKeyId/evictUser.
 */
@Injectable()
export class ApiKeyVerifier {
  readonly enabled: boolean;
  private readonly options: ResolvedApiKeyOptions | undefined;
  private readonly cache: KeyCache;
  private readonly inFlight = new Map<string, Promise<CachedKeyCheck>>();
  /**
   * Well-formed keys the key manager does not know, by digest, for a few seconds: the checksum is public, so
   * a client repeating a forged key would otherwise cost a key manager call each time. A new key cannot be
   * in it: its value was never presented before it existed.
   */
  private readonly unknown: LRUCache<string, HttpException> | undefined;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    private readonly client: KeyManagerClient,
    private readonly events: KeyEventsStatus,
    private readonly metrics: AuthGuardMetrics,
  ) {
    this.enabled = options.apiKey !== false;
    this.options = options.apiKey ? resolveApiKeyOptions(options.apiKey) : undefined;
    this.cache = new KeyCache(this.options?.cacheMaxEntries ?? 0);
    const unknownTtl = this.options?.unknownKeyTtlMs ?? 0;
    this.unknown =
      unknownTtl > 0 ? new LRUCache({ max: this.options?.cacheMaxEntries ?? 1, ttl: unknownTtl }) : undefined;
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * The cache-hit path, without a promise: the principal of a cached key (its referer policy checked), or
   * undefined when the key is not cached and must go through `verify`. `contextOf(source)` is only called
   * when the key has allowed_referers, so a plain hit reads no more of the request than the key (and
   * allocates no closure over it).
   */
  verifyCached<S>(apiKey: string, source: S, contextOf: (source: S) => KeyCheckContext): AuthPrincipal | undefined {
    return this.options ? this.fromCache(keyDigest(apiKey), source, contextOf) : undefined;
  }

  async verify(apiKey: string, context: KeyCheckContext): Promise<AuthPrincipal> {
    if (!this.options)
      throw new DomainError(
        DomainErrorCode.KEY_MISSING,
        'This service does not accept API keys; use a Keycloak access token',
      );
    const digest = keyDigest(apiKey);
    const cached = this.fromCache(digest, context, contextItself);
    if (cached) return cached;
    // Only well-formed keys are ever cached, so only a miss needs the format check.
    if (!isWellFormedApiKey(apiKey)) {
      throw new DomainError(
        DomainErrorCode.KEY_MALFORMED,
        'The API key is malformed (expected rsk_ followed by 38 letters or digits with a valid checksum)',
      );
    }
    const unknown = this.unknown?.get(digest);
    if (unknown) {
      this.metrics.keyCache.inc({ result: 'unknown' });
      throw unknown;
    }
    this.metrics.keyCache.inc({ result: 'miss' });
    const entry = await this.checkOnce(apiKey, digest, context).catch((error: unknown) => {
      if (isUnknownKey(error)) this.unknown?.set(digest, error);
      throw error;
    });
    assertRefererAllowed(entry, context, contextItself);
    return entry.principal;
  }

  evictKeyId(keyId: string): number {
    return this.cache.evictKeyId(keyId);
  }

  /** Refuses the cached checks of this key id on the spot (a revoked or expired key), see KeyCache.refuseKeyId. */
  refuseKeyId(keyId: string, refusal: () => DomainError, stateVersion?: number): number {
    return this.cache.refuseKeyId(keyId, refusal, stateVersion);
  }

  /** Whether the cache already reflects this state version of the key or a later one (KeyCache.holdsVersion). */
  holdsVersion(keyId: string, stateVersion: number): boolean {
    return this.cache.holdsVersion(keyId, stateVersion);
  }

  evictUser(userId: string): number {
    return this.cache.evictUser(userId);
  }

  /** Forgets every cached check (e.g. after lifecycle events may have been missed). */
  clear(): void {
    this.cache.clear();
    this.unknown?.clear();
  }

  /** A cached key's principal (or its refusal, thrown); undefined when the key is not cached. */
  private fromCache<S>(
    digest: string,
    source: S,
    contextOf: (source: S) => KeyCheckContext,
  ): AuthPrincipal | undefined {
    const entry = this.cache.get(digest);
    if (!entry) return undefined;
    this.metrics.countCacheHit();
    if (entry.refusal) throw entry.refusal();
    assertRefererAllowed(entry, source, contextOf);
    return entry.principal;
  }

  private checkOnce(apiKey: string, digest: string, context: KeyCheckContext): Promise<CachedKeyCheck> {
    // The referer is part of what the key manager judges, so only identical requests share a call.
    const flightKey = `${digest}|${context.referer ?? ''}|${context.origin ?? ''}`;
    const existing = this.inFlight.get(flightKey);
    if (existing) return existing;
    const flight = this.check(apiKey, digest, context).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, flight);
    return flight;
  }

  private async check(apiKey: string, digest: string, context: KeyCheckContext): Promise<CachedKeyCheck> {
    const options = this.options as ResolvedApiKeyOptions;
    const generation = this.cache.currentGeneration;
    const result = await this.client.checkKey(apiKey, context);
    const ttl =
      this.events.enabled && !this.events.isLive()
        ? Math.min(options.cacheTtlMs, options.unconfirmedCacheTtlMs)
        : options.cacheTtlMs;
    const now = Date.now();
    const entry: CachedKeyCheck = {
      principal: result.principal,
      allowed_referers: result.allowed_referers,
      expiresAt: result.expiresAt === null ? now + ttl : Math.min(now + ttl, result.expiresAt),
      ...(result.stateVersion !== undefined ? { stateVersion: result.stateVersion } : {}),
    };
    this.cache.set(digest, entry, generation);
    return entry;
  }
}

const contextItself = (context: KeyCheckContext): KeyCheckContext => context;

/** The key manager's answer for a key it has no record of (not a revoked or expired one). */
function isUnknownKey(error: unknown): error is HttpException {
  if (!(error instanceof HttpException)) return false;
  const body = error.getResponse();
  return typeof body === 'object' && (body as { code?: unknown }).code === DomainErrorCode.KEY_INVALID;
}

function assertRefererAllowed<S>(entry: CachedKeyCheck, source: S, contextOf: (source: S) => KeyCheckContext): void {
  if (entry.allowed_referers.length === 0) return;
  const { referer, origin } = contextOf(source);
  if (!isRefererAllowed(entry.allowed_referers, referer, origin)) {
    throw new DomainError(
      DomainErrorCode.KEY_REFERER_NOT_ALLOWED,
      'This API key may not be used from this site (Referer/Origin not in its allowed_referers)',
    );
  }
}
