import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { REQUEST_STARTED_AT, requestStartedAt } from '../api-key/api-key-location.middleware';
import type { AuthenticatedRequest, AuthPrincipal } from '../auth-principal';
import { KeyUsagePublisher } from './key-usage.publisher';

/** Status reported when the client went away before the response was sent (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Records one usage event when the response of an API-key-authenticated request is finished. Runs on
 * every keyed request, so it only hands the publisher the request's raw fields: the event (id, ISO time,
 * JSON) is built per batch, off the request (KeyUsagePublisher).
 */
@Injectable()
export class KeyUsageRecorder {
  constructor(private readonly publisher: KeyUsagePublisher) {}

  /**
   * Records the response's usage once it closes ('close' follows 'finish' on every response, keep-alive or
   * not, and also comes when the client went away). The event names `response.req`'s principal, the one
   * the guard attached; `principal` only tells whether there is a key to record.
   */
  track(response: Response, principal: AuthPrincipal): void {
    if (!this.publisher.enabled || !principal.key_id) return;
    // apiKeyLocationMiddleware stamps the start of every request; an app without it measures from here.
    const request = response.req as AuthenticatedRequest & { [REQUEST_STARTED_AT]?: number };
    request[REQUEST_STARTED_AT] ??= performance.now();
    // One listener for every response (no closure nor `once` wrapper per request); it removes itself.
    response.on('close', this.onClose);
  }

  private readonly onClose = (() => {
    const publisher = this.publisher;
    return function recordUsage(this: Response): void {
      this.removeListener('close', recordUsage);
      const request = this.req as AuthenticatedRequest;
      const principal = request.principal as AuthPrincipal;
      const startedAt = requestStartedAt(request) as number;
      const correlationId = request.headers['x-correlation-id'];
      publisher.record(
        principal.key_id as string,
        principal.user_id,
        request.method,
        routeTemplateOf(request),
        this.writableFinished ? this.statusCode : CLIENT_CLOSED_REQUEST,
        performance.now() - startedAt,
        Date.now(),
        typeof correlationId === 'string' ? correlationId : undefined,
      );
    };
  })();
}

/** The route template (`/cadip/:station/session`): raw URLs would carry ids and explode cardinality. */
function routeTemplateOf(request: AuthenticatedRequest): string {
  const path = request.route?.path;
  if (!path) return 'unmatched';
  return request.baseUrl ? `${request.baseUrl}${path}` : path;
}
