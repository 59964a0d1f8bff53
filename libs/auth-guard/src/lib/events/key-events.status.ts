import { Inject, Injectable } from '@nestjs/common';
import { StreamLiveness } from '@rs/service-kit';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';

/**
 * Whether key lifecycle events are being received right now. While they are not, a revocation cannot
 * reach this process, so cached key checks get a shorter life.
 */
@Injectable()
export class KeyEventsStatus extends StreamLiveness {
  readonly enabled: boolean;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions) {
    super();
    this.enabled = options.kafka !== false;
  }
}
