import type { Request } from 'express';

/** The part of a passport strategy this runner needs. */
export interface PassportStrategyLike {
  authenticate(request: Request, options?: unknown): void;
}

export type StrategyOutcome<T> = { ok: true; user: T } | { ok: false; reason: unknown };

/**
 * Runs one passport strategy on a request, the way passport's own `authenticate` middleware does (a
 * per-request object whose success/fail/error settle a promise), but without passport's global strategy
 * registry: several apps (each with its own key cache and service name) can live in one process.
 * `fail` resolves with the strategy's reason; `error` (an exception from our verify callback) rejects.
 */
export function runStrategy<T>(strategy: PassportStrategyLike, request: Request): Promise<StrategyOutcome<T>> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as PassportStrategyLike & {
      success: (user: T) => void;
      fail: (reason?: unknown) => void;
      error: (error: unknown) => void;
      pass: () => void;
      redirect: () => void;
    };
    attempt.success = (user) => resolve({ ok: true, user });
    attempt.fail = (reason) => resolve({ ok: false, reason });
    attempt.error = (error) => reject(error);
    attempt.pass = () => resolve({ ok: false, reason: 'no credentials' });
    attempt.redirect = () => reject(new Error('authentication strategies that redirect are not supported'));
    try {
      attempt.authenticate(request, { session: false });
    } catch (error) {
      reject(error);
    }
  });
}
