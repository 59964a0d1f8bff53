import { Inject, Injectable } from '@nestjs/common';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';

/**
 * Whether key lifecycle events are being received right now. While they are not, a revocation cannot
 * reach this process, so cached key checks get a shorter life.
 */
@Injectable()
export class KeyEventsStatus {
  readonly enabled: boolean;
  private listening = false;
  private lastActivityAt = 0;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions) {
    this.enabled = options.kafka !== false;
  }

  /** Events flow: the consumer joined its group and fetched within `staleAfterMs`. */
  isLive(staleAfterMs = 10_000): boolean {
    return this.listening && Date.now() - this.lastActivityAt < staleAfterMs;
  }

  markListening(): void {
    this.listening = true;
    this.lastActivityAt = Date.now();
  }

  markActivity(): void {
    this.lastActivityAt = Date.now();
  }

  markStopped(): void {
    this.listening = false;
  }
}
