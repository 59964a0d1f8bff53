import { Inject, Injectable } from '@nestjs/common';
import { KEY_USAGE_EVENT_TYPE, KEY_USAGE_EVENT_VERSION } from '@rs/event-contracts';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { requestStartedAt } from '../api-key/api-key-location.middleware';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import { KeyUsagePublisher } from './key-usage.publisher';

/** Status reported when the client went away before the response was sent (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/** Emits one usage event when the response of an API-key-authenticated request is finished. */
@Injectable()
export class KeyUsageRecorder {
  private readonly serviceName: string;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    private readonly publisher: KeyUsagePublisher,
  ) {
    this.serviceName = options.serviceName;
  }

  track(request: Request, response: Response, principal: AuthPrincipal): void {
    if (!this.publisher.enabled || !principal.key_id) return;
    const startedAt = requestStartedAt(request) ?? performance.now();
    // 'close' follows 'finish' on every response (keep-alive or not) and also comes when the client went away.
    response.once('close', () => {
      const correlation = request.headers['x-correlation-id'];
      this.publisher.record(
        {
          event_id: randomUUID(),
          type: KEY_USAGE_EVENT_TYPE,
          version: KEY_USAGE_EVENT_VERSION,
          occurred_at: new Date().toISOString(),
          key_id: principal.key_id as string,
          user_id: principal.user_id,
          service: this.serviceName,
          method: request.method,
          // The route template (`/cadip/:station/session`): raw URLs would carry ids and explode cardinality.
          route: request.route?.path ? `${request.baseUrl}${request.route.path}` : 'unmatched',
          status: response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST,
          latency_ms: Math.round((performance.now() - startedAt) * 1000) / 1000,
        },
        typeof correlation === 'string' ? correlation : undefined,
      );
    });
  }
}
