import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { DomainError, DomainErrorCode, keyQuotasOf, MAX_REQUESTS_PER_DAY_ATTRIBUTE } from '@rs/key-domain';
import { errorMessage } from '@rs/service-kit';
import type { Response } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AUTH_METRICS_REGISTRY } from '../auth-guard.constants';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, resolveQuotaOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import { QUOTA_STORE } from './quota.constants';
import type { QuotaStore, QuotaWindow } from './quota.store';

const WINDOW_MS: Record<QuotaWindow, number> = { minute: 60_000, day: 86_400_000 };
const LIMIT_NAME: Record<QuotaWindow, string> = { minute: 'rate_limit_per_minute', day: 'max_requests_per_day' };
/** A key unused this long is forgotten (its unused tokens given back); the store still holds its counts. */
const IDLE_MS = 2 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;
const BOOT_CONNECT_WAIT_MS = 2_000;

/**
 * One limit of one key in its current window, as this replica sees it: the tokens it took from the shared counter
 * and has not spent. Windows are UTC minutes and UTC days (epoch time is UTC and has no leap seconds).
 */
class Allowance {
  start = -1;
  end = -1;
  /** Taken from the store and not spent yet. */
  tokens = 0;
  /** What the shared counter had left under the limit after this replica's last take. */
  leftInStore = 0;
  /** The shared counter reached the limit: nothing more to take until the window ends. */
  exhausted = false;
  refill?: Promise<void>;
  /** The limit as a header value, made once. */
  readonly limitText: string;

  constructor(
    readonly window: QuotaWindow,
    readonly limit: number,
    /** How many tokens one take asks for. */
    readonly batch: number,
  ) {
    this.limitText = String(limit);
  }

  /** Moves to the window `now` is in; the tokens of an ended window are worth nothing. */
  roll(now: number): void {
    if (now < this.end) return;
    const length = WINDOW_MS[this.window];
    this.start = now - (now % length);
    this.end = this.start + length;
    this.tokens = 0;
    this.leftInStore = this.limit;
    this.exhausted = this.limit === 0;
  }
}

interface KeyQuotaState {
  keyId: string;
  /** The check answer the limits were read from: a new one (renewed cache entry) is read again. */
  principal: AuthPrincipal;
  minute?: Allowance;
  day?: Allowance;
  lastSeen: number;
}

/**
 * Enforces each API key's `rate_limit_per_minute` and `max_requests_per_day` across replicas without a store
 * round trip per request: a replica takes tokens from the key's shared counter in batches (`take` adds a batch and
 * grants what still fits under the limit), spends them locally, and takes the next batch in the background once
 * half is spent. The shared counter never grants more than the limit, so while the store answers no window serves
 * more than its limit; tokens a replica took and did not spend (at most 1.5 batches per replica and window) may
 * refuse requests slightly early instead.
 *
 * Store unreachable: requests pass unlimited (fail open), `auth_guard_quota_store_unavailable` is 1 and a log says
 * so; the store is tried again after `retryAfterFailureMs`, or as soon as it reconnects.
 */
@Injectable()
export class KeyQuotaEnforcer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyQuotaEnforcer.name);
  private readonly states = new Map<string, KeyQuotaState>();
  private readonly maxBatch: number;
  private readonly retryAfterFailureMs: number;
  /** Until then (epoch ms) the store is deemed unreachable and limits are not enforced. */
  private unenforcedUntil = 0;
  private storeUnavailable = false;
  private sweeper?: NodeJS.Timeout;
  private readonly limited: Counter<'limit'>;
  private readonly unenforced: Counter;
  private readonly unavailableGauge: Gauge;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    @Inject(AUTH_METRICS_REGISTRY) registry: Registry,
    @Optional() @Inject(QUOTA_STORE) private readonly store: QuotaStore | null,
  ) {
    const resolved = resolveQuotaOptions(options.quota || {});
    this.maxBatch = resolved.maxBatch;
    this.retryAfterFailureMs = resolved.retryAfterFailureMs;
    this.store ??= null;
    this.limited = metric(
      registry,
      'auth_guard_quota_limited_total',
      () =>
        new Counter({
          name: 'auth_guard_quota_limited_total',
          help: 'API key requests refused (429) by a per-key limit, by limit',
          labelNames: ['limit'],
          registers: [registry],
        }),
    );
    this.unenforced = metric(
      registry,
      'auth_guard_quota_unenforced_total',
      () =>
        new Counter({
          name: 'auth_guard_quota_unenforced_total',
          help: 'Requests of API keys with a limit let through unchecked because the quota store was unreachable',
          registers: [registry],
        }),
    );
    this.unavailableGauge = metric(
      registry,
      'auth_guard_quota_store_unavailable',
      () =>
        new Gauge({
          name: 'auth_guard_quota_store_unavailable',
          help: '1 while the quota store (Redis) is unreachable and per-key limits are not enforced',
          registers: [registry],
        }),
    );
    if (options.apiKey !== false && !this.store)
      this.logger.log('No quota store (REDIS_URL) configured: per-key request limits are not enforced');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.store) return;
    this.store.onReady(() => (this.unenforcedUntil = 0));
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    const connected = this.store.connect().then(
      () => undefined,
      (error: unknown) => this.storeFailed(error),
    );
    // Boot waits a moment for Redis (requests before it would go unlimited), never longer: ioredis keeps trying.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connected, new Promise((resolve) => (timer = setTimeout(resolve, BOOT_CONNECT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  // After the HTTP server has closed: requests still in flight during shutdown spend tokens before they go back.
  async onApplicationShutdown(): Promise<void> {
    if (!this.store) return;
    clearInterval(this.sweeper);
    await this.sweep(Number.POSITIVE_INFINITY);
    await this.store.close();
  }

  /**
   * Counts one request of an authenticated API key against its limits: `true` when it may go on (synchronously
   * while this replica holds tokens), a promise while tokens are being taken from the store; throws (or rejects
   * with) KEY_RATE_LIMITED or KEY_QUOTA_EXCEEDED, the 429 headers set on `response`.
   */
  admit(principal: AuthPrincipal, response: Response): true | Promise<true> {
    // Most keys have no limit: two property reads and nothing else.
    if (
      this.store === null ||
      (principal.rate_limit_per_minute === undefined && principal.config[MAX_REQUESTS_PER_DAY_ATTRIBUTE] === undefined)
    )
      return true;
    const keyId = principal.key_id;
    if (keyId === undefined) return true;
    let state = this.states.get(keyId);
    if (state === undefined || state.principal !== principal) state = this.track(keyId, principal, state);
    if (!state.minute && !state.day) return true;
    const now = Date.now();
    if (now < this.unenforcedUntil) return this.unenforcedRequest(state);
    state.lastSeen = now;
    return this.take(state, now, response);
  }

  private take(state: KeyQuotaState, now: number, response: Response): true | Promise<true> {
    const { minute, day } = state;
    if (minute) minute.roll(now);
    if (day) day.roll(now);
    if (minute?.tokens === 0 || day?.tokens === 0) {
      // A spent day quota says more than a spent minute: name it first.
      const spent = exhaustedOf(day) ?? exhaustedOf(minute);
      if (spent) throw this.refusal(spent, now, response);
      return this.takeAfterRefill(state, response);
    }
    if (minute) this.spend(state.keyId, minute);
    if (day) this.spend(state.keyId, day);
    const tightest = minute && (!day || remainingOf(minute) <= remainingOf(day)) ? minute : day;
    // Headers cost the request more than the rest of the quota check: sent once a limit is half spent.
    if (tightest && (halfSpent(minute) || halfSpent(day)))
      setRateLimitHeaders(response, tightest, remainingOf(tightest), now);
    return true;
  }

  private async takeAfterRefill(state: KeyQuotaState, response: Response): Promise<true> {
    for (const allowance of [state.minute, state.day])
      if (allowance && allowance.tokens === 0 && !allowance.exhausted && !allowance.refill)
        this.refill(state.keyId, allowance);
    await Promise.all([state.minute?.refill, state.day?.refill]);
    const now = Date.now();
    if (now < this.unenforcedUntil) return this.unenforcedRequest(state);
    // Concurrent requests may have spent the new tokens: then this one waits for the next batch.
    return this.take(state, now, response);
  }

  private spend(keyId: string, allowance: Allowance): void {
    allowance.tokens--;
    if (allowance.tokens <= allowance.batch >> 1 && !allowance.exhausted && !allowance.refill)
      this.refill(keyId, allowance);
  }

  /** Takes a batch of tokens from the shared counter of the allowance's window; never rejects. */
  private refill(keyId: string, allowance: Allowance): void {
    if (!this.store) return;
    const start = allowance.start;
    const { window, batch, limit } = allowance;
    allowance.refill = this.store.take(window, keyId, start, batch).then(
      (counter) => {
        allowance.refill = undefined;
        this.storeAnswered();
        // Taken for a window that has ended meanwhile: worth nothing now.
        if (allowance.start !== start) return;
        allowance.tokens += Math.max(0, Math.min(batch, limit - (counter - batch)));
        allowance.leftInStore = Math.max(0, limit - counter);
        if (counter >= limit) allowance.exhausted = true;
      },
      (error: unknown) => {
        allowance.refill = undefined;
        this.storeFailed(error);
      },
    );
  }

  /** Reads the limits of a new check answer of the key; allowances whose limit did not change are kept. */
  private track(keyId: string, principal: AuthPrincipal, previous: KeyQuotaState | undefined): KeyQuotaState {
    const quotas = keyQuotasOf(principal.config, principal.rate_limit_per_minute);
    const allowance = (window: QuotaWindow, limit: number | undefined, kept: Allowance | undefined) =>
      limit === undefined
        ? undefined
        : kept?.limit === limit
          ? kept
          : new Allowance(window, limit, Math.max(1, Math.min(this.maxBatch, Math.floor(limit / 10))));
    const state: KeyQuotaState = {
      keyId,
      principal,
      minute: allowance('minute', quotas.perMinute, previous?.minute),
      day: allowance('day', quotas.perDay, previous?.day),
      lastSeen: previous?.lastSeen ?? 0,
    };
    this.states.set(keyId, state);
    return state;
  }

  private refusal(allowance: Allowance, now: number, response: Response): DomainError {
    const retryAfterSeconds = setRateLimitHeaders(response, allowance, 0, now);
    response.setHeader('Retry-After', String(retryAfterSeconds));
    const name = LIMIT_NAME[allowance.window];
    this.limited.inc({ limit: name });
    return allowance.window === 'minute'
      ? new DomainError(
          DomainErrorCode.KEY_RATE_LIMITED,
          `This API key's limit of ${allowance.limit} requests per minute (${name}) is reached; ` +
            `retry in ${retryAfterSeconds} s`,
          { retryAfterSeconds },
        )
      : new DomainError(
          DomainErrorCode.KEY_QUOTA_EXCEEDED,
          `This API key's quota of ${allowance.limit} requests per UTC day (${name}) is used up; ` +
            `it renews at midnight UTC, in ${retryAfterSeconds} s`,
          { retryAfterSeconds },
        );
  }

  private unenforcedRequest(state: KeyQuotaState): true {
    if (state.minute || state.day) this.unenforced.inc();
    return true;
  }

  private storeAnswered(): void {
    if (!this.storeUnavailable) return;
    this.storeUnavailable = false;
    this.unavailableGauge.set(0);
    this.logger.log('Quota store (Redis) reachable again: per-key request limits are enforced');
  }

  private storeFailed(error: unknown): void {
    this.unenforcedUntil = Date.now() + this.retryAfterFailureMs;
    if (this.storeUnavailable) return;
    this.storeUnavailable = true;
    this.unavailableGauge.set(1);
    this.logger.warn(
      `Quota store (Redis) unreachable (${errorMessage(error)}): per-key request limits are not enforced until it is back`,
    );
  }

  /** Forgets keys idle for a while (all of them at shutdown), giving their unspent tokens back to the store. */
  private async sweep(now: number): Promise<void> {
    const store = this.store;
    if (!store) return;
    const givenBack: Promise<void>[] = [];
    for (const [keyId, state] of this.states) {
      if (now - state.lastSeen < IDLE_MS) continue;
      this.states.delete(keyId);
      for (const allowance of [state.minute, state.day]) {
        if (!allowance || allowance.tokens === 0 || Date.now() >= allowance.end) continue;
        givenBack.push(
          store.giveBack(allowance.window, keyId, allowance.start, allowance.tokens).catch(() => undefined),
        );
      }
    }
    await Promise.all(givenBack);
  }
}

function exhaustedOf(allowance: Allowance | undefined): Allowance | undefined {
  return allowance && allowance.tokens === 0 && allowance.exhausted ? allowance : undefined;
}

function halfSpent(allowance: Allowance | undefined): boolean {
  return allowance !== undefined && remainingOf(allowance) * 2 <= allowance.limit;
}

/** An estimate: this replica's tokens and what the shared counter had left at its last take. */
function remainingOf(allowance: Allowance): number {
  return allowance.tokens + allowance.leftInStore;
}

/** IETF draft RateLimit headers (delta seconds); returns the seconds until the window ends. */
function setRateLimitHeaders(response: Response, allowance: Allowance, remaining: number, now: number): number {
  const reset = Math.max(1, Math.ceil((allowance.end - now) / 1000));
  response.setHeader('RateLimit-Limit', allowance.limitText);
  response.setHeader('RateLimit-Remaining', String(remaining));
  response.setHeader('RateLimit-Reset', String(reset));
  return reset;
}

/** The registry's metric of that name (several guards may share a registry), else a new one. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
