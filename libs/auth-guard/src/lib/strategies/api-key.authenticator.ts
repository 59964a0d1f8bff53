import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { Request } from 'express';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { API_KEY_HEADER } from '../auth-guard.constants';
import type { AuthPrincipal } from '../auth-principal';
import { ApiKeyVerifier } from '../api-key/api-key.verifier';
import type { KeyCheckContext } from '../api-key/key-manager.client';
import { StrategyRunner } from './strategy-runner';

/**
 * Reads the key from the `x-api-key` header with passport-headerapikey (the `api-key` query parameter and
 * the `/k/<key>/` path prefix are moved into that header by apiKeyLocationMiddleware) and verifies it.
 * A key already in the cache is answered by `authenticateCached` without running the strategy.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly runner: StrategyRunner<AuthPrincipal>;

  constructor(private readonly verifier: ApiKeyVerifier) {
    const strategy = new HeaderAPIKeyStrategy({ header: API_KEY_HEADER, prefix: '' }, true, (apiKey, done, request) => {
      this.verifier.verify(apiKey, checkContextOf(request as Request)).then(
        (principal) => done(null, principal),
        (error: Error) => done(error),
      );
    });
    this.runner = new StrategyRunner('header-api-key', strategy);
  }

  /**
   * The principal of a key the cache holds (its refusal or referer policy thrown as in `authenticate`), in
   * this same tick; undefined when the request has no key or the key is not cached: then `authenticate`.
   * Runs on every request with a valid key, so it skips what passport adds around the verifier: a strategy
   * object, closures and a promise per request. It reads the key where the strategy does (the header, no prefix),
   * unless the caller read it already.
   */
  authenticateCached(request: Request, apiKey: unknown = request.headers[API_KEY_HEADER]): AuthPrincipal | undefined {
    if (typeof apiKey !== 'string' || apiKey === '') return undefined;
    return this.verifier.verifyCached(apiKey, request, checkContextOf);
  }

  /** The principal of a valid key through passport-headerapikey; the verifier's error (403, 429, 503...) otherwise. */
  async authenticate(request: Request): Promise<AuthPrincipal> {
    const outcome = await this.runner.run(request);
    if (outcome.ok) return outcome.user;
    throw new DomainError(DomainErrorCode.KEY_MISSING, `No API key in the '${API_KEY_HEADER}' header`);
  }
}

function headerOf(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value ? value : undefined;
}

/** What the key manager needs to know about the caller. */
export function checkContextOf(request: Request): KeyCheckContext {
  return {
    referer: headerOf(request, 'referer'),
    origin: headerOf(request, 'origin'),
    clientIp: request.ip ?? request.socket?.remoteAddress,
    correlationId: headerOf(request, 'x-correlation-id'),
  };
}
