import type { Request } from 'express';
import { Authenticator, type Strategy } from 'passport';

export type StrategyOutcome<T> = { ok: true; user: T } | { ok: false; reason: unknown };

/**
 * Runs one passport strategy per request through a passport `Authenticator` of its own rather than the
 * global `passport` instance, so several apps in one process (each with its own key cache and service
 * name) never share a strategy. A failure resolves with the strategy's reason; an error rejects.
 */
export class StrategyRunner<T> {
  private readonly passport = new Authenticator();

  constructor(
    private readonly name: string,
    strategy: Strategy,
  ) {
    this.passport.use(name, strategy);
  }

  run(request: Request): Promise<StrategyOutcome<T>> {
    return new Promise((resolve, reject) => {
      const authenticate = this.passport.authenticate(
        this.name,
        { session: false },
        (error: unknown, user: T | false, reason: unknown) => {
          if (error) reject(error);
          else if (user) resolve({ ok: true, user });
          else resolve({ ok: false, reason });
        },
      ) as (request: Request, response: unknown, next: () => void) => void;
      // `next` is what a strategy that passes (no credentials of its kind) ends in.
      authenticate(request, request.res, () => resolve({ ok: false, reason: 'no credentials' }));
    });
  }
}
