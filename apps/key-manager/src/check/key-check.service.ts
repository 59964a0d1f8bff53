import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  assertKeyUsable,
  DomainError,
  DomainErrorCode,
  hashApiKey,
  isPreviousSecretUsable,
  isRefererAllowed,
  isWellFormedApiKey,
  rotatedSecretError,
} from '@rs/key-domain';
import type { KeyCheckResponse } from '@rs/event-contracts';
import { MetricsService } from '@rs/service-kit';
import { LRUCache } from 'lru-cache';
import { type ApiKeyRecord, ApiKeysRepository, CLOCK, type Clock, parseStoredConfig } from '@rs/key-store';
import { UserSyncService } from '@rs/keycloak-users';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { CheckRateLimiter } from './check-rate-limiter';
import { KeyRecordCache } from './key-record-cache';

/** What a service learns about a valid key: the shared contract, every addition filled in but the optional limit. */
export type KeyCheckResult = Required<Omit<KeyCheckResponse, 'rate_limit_per_minute'>> &
  Pick<KeyCheckResponse, 'rate_limit_per_minute'>;

export interface CheckContext {
  /** The end client's address: failures are counted against it. */
  ip: string;
  referer?: string;
  origin?: string;
}

// Hashes of keys that passed recently from anywhere: a client whose IP is being throttled can still use
// them, so valid keys are never slowed. This admits to a full check; it never skips one.
const RECENTLY_VALID_MAX = 50_000;
const RECENTLY_VALID_TTL_MS = 10 * 60 * 1000;

@Injectable()
export class KeyCheckService {
  private readonly logger = new Logger(KeyCheckService.name);
  private readonly recentlyValid = new LRUCache<string, true>({ max: RECENTLY_VALID_MAX, ttl: RECENTLY_VALID_TTL_MS });
  private readonly checks;
  private readonly latency;
  private readonly lookups;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) private readonly config: KeyManagerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly keys: ApiKeysRepository,
    private readonly users: UserSyncService,
    private readonly limiter: CheckRateLimiter,
    private readonly records: KeyRecordCache,
    metrics: MetricsService,
  ) {
    this.lookups = metrics.counter('key_check_lookups_total', 'Key record lookups of checks by source', ['source']);
    this.checks = metrics.counter('key_checks_total', 'API key checks by outcome', ['outcome']);
    this.latency = metrics.histogram(
      'key_check_duration_seconds',
      'API key check latency',
      ['outcome'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    );
  }

  async check(value: string | undefined, context: CheckContext): Promise<KeyCheckResult> {
    const stop = this.latency.startTimer();
    try {
      const result = await this.evaluate(value, context);
      this.checks.inc({ outcome: 'valid' });
      stop({ outcome: 'valid' });
      return result;
    } catch (error) {
      const outcome = error instanceof DomainError ? error.code.toLowerCase() : 'error';
      this.checks.inc({ outcome });
      stop({ outcome });
      throw error;
    }
  }

  private async evaluate(value: string | undefined, context: CheckContext): Promise<KeyCheckResult> {
    if (!value) {
      throw new DomainError(
        DomainErrorCode.KEY_MISSING,
        "No API key: send it in the 'x-api-key' header, the 'api-key' query parameter or a /k/<key>/ path prefix",
      );
    }
    // Malformed keys cost no database access, but they do count as failures.
    if (!isWellFormedApiKey(value)) {
      const decision = await this.limiter.reserve(context.ip);
      if (!decision.allowed) throw tooManyFailures(decision.retryAfterSeconds);
      throw new DomainError(DomainErrorCode.KEY_MALFORMED, 'Invalid API key: wrong format or checksum');
    }
    const hash = hashApiKey(value, this.config.API_KEY_HASH_SECRET);
    const generation = this.records.generation;
    const cached = this.records.get(hash);
    // A key usable when cached passes whatever the address's failure count, as a recently valid one does,
    // so the throttle is only consulted on the way to the database.
    const { key, reserved } = cached ? { key: cached, reserved: false } : await this.lookUp(hash, context);
    this.lookups.inc({ source: cached ? 'cache' : 'database' });
    // A reserved attempt already counts as a failure; others are counted when they fail.
    const fail = () => (reserved ? Promise.resolve() : this.limiter.recordFailure(context.ip));
    const now = this.clock();
    const current = await this.refreshIfStale(key, now);
    // A value a rotation replaced opens its key only until the end of its grace period.
    const replaced = current.hash !== hash;
    try {
      assertKeyUsable(current, now);
      if (replaced && !(current.previous_hash === hash && isPreviousSecretUsable(current, now)))
        throw rotatedSecretError();
    } catch (error) {
      this.records.delete(hash);
      this.recentlyValid.delete(hash);
      await fail();
      throw error;
    }
    if (current !== cached) this.records.set(hash, current, generation);
    if (
      this.config.ENFORCE_ALLOWED_REFERERS &&
      !isRefererAllowed(current.allowed_referers, context.referer, context.origin)
    ) {
      this.recentlyValid.delete(hash);
      await fail();
      throw new DomainError(
        DomainErrorCode.KEY_REFERER_NOT_ALLOWED,
        'This API key may not be used from this site (Referer/Origin not in allowed_referers)',
      );
    }
    this.recentlyValid.set(hash, true);
    if (reserved) await this.limiter.release(context.ip);
    return {
      user_id: current.user_id,
      user_login: current.user_login,
      iam_roles: current.iam_roles,
      config: parseStoredConfig(current.config_json),
      key_id: current._id,
      // Guards enforce the list locally on cache hits: when enforcement is off, give them none to enforce.
      allowed_referers: this.config.ENFORCE_ALLOWED_REFERERS ? current.allowed_referers : [],
      ...expiryOf(current, replaced),
      state_version: current.state_version ?? 0,
      ...(current.rate_limit_per_minute ? { rate_limit_per_minute: current.rate_limit_per_minute } : {}),
    };
  }

  /**
   * The stored record of a key not in the cache, behind the failure throttle (a key valid recently goes round it);
   * unknown keys are refused. `reserved`: the attempt was counted as a failure until it proves valid.
   */
  private async lookUp(hash: string, context: CheckContext): Promise<{ key: ApiKeyRecord; reserved: boolean }> {
    const reserved = !this.recentlyValid.has(hash);
    if (reserved) {
      const decision = await this.limiter.reserve(context.ip);
      if (!decision.allowed) throw tooManyFailures(decision.retryAfterSeconds);
    }
    const key = this.records.isUnknown(hash) ? null : await this.keys.findByHash(hash);
    if (!key) {
      this.records.rememberUnknown(hash);
      if (!reserved) await this.limiter.recordFailure(context.ip);
      throw new DomainError(DomainErrorCode.KEY_INVALID, 'Invalid API key');
    }
    return { key, reserved };
  }

  /** Keycloak is the source of truth for the user; refresh a key whose copy is older than the sync interval. */
  private async refreshIfStale(key: ApiKeyRecord, now: Date): Promise<ApiKeyRecord> {
    const age = now.getTime() - new Date(key.latest_sync_date).getTime();
    if (age < this.config.KEYCLOAK_SYNC_INTERVAL_SECONDS * 1000) return key;
    try {
      await this.users.syncUser(key.user_id, now);
      return (await this.keys.findOwned(key._id, null)) ?? key;
    } catch (error) {
      // Keycloak down must not take every key down with it: keep the last known state.
      this.logger.warn(
        `Keycloak sync of user ${key.user_id} skipped: ${error instanceof Error ? error.message : String(error)}`,
      );
      return key;
    }
  }
}

/**
 * When the value checked stops working: the key's expiration, or for a value a rotation replaced the end of its
 * grace period when sooner. Guards keep a check no longer than this, so they refuse the old value on time.
 */
function expiryOf(key: ApiKeyRecord, replaced: boolean): Pick<KeyCheckResult, 'expiration_date' | 'never_expire'> {
  const keyEnd = key.never_expire || !key.expiration_date ? null : new Date(key.expiration_date);
  const graceEnd = replaced && key.previous_hash_expires_at ? new Date(key.previous_hash_expires_at) : null;
  const end = graceEnd && (!keyEnd || graceEnd < keyEnd) ? graceEnd : keyEnd;
  return { expiration_date: end ? end.toISOString() : null, never_expire: end === null && key.never_expire };
}

function tooManyFailures(retryAfterSeconds: number): DomainError {
  return new DomainError(
    DomainErrorCode.RATE_LIMITED,
    `Too many failed API key checks from this address; retry in ${retryAfterSeconds} s`,
    {
      retryAfterSeconds,
    },
  );
}
