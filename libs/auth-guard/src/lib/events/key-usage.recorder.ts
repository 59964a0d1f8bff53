import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { REQUEST_STARTED_AT, requestStartedAt } from '../api-key/api-key-location.middleware';
import type { AuthenticatedRequest, AuthPrincipal } from '../auth-principal';
import { KeyUsagePublisher } from './key-usage.publisher';

/** Status reported when the client went away before the response was sent (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/** Node's http server publishes every finished response here (request, response, socket, server). */
const RESPONSE_FINISH_CHANNEL = 'http.server.response.finish';

interface ResponseFinish {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
}

/**
 * Counts each response of an API-key-authenticated request once it is finished (KeyUsagePublisher).
 *
 * Node's http server announces every finished response on the `http.server.response.finish` diagnostics
 * channel, so no listener is added per response; a response the client never let finish is found when its
 * connection closes (one 'close' listener per connection). HTTP/2 servers announce nothing there.
 */
@Injectable()
export class KeyUsageRecorder implements OnApplicationShutdown {
  /** Tracked responses not finished yet, by connection (more than one only with HTTP pipelining). */
  private readonly pending = new WeakMap<Socket, ServerResponse[]>();
  private subscribed = false;
  private stopped = false;

  constructor(private readonly publisher: KeyUsagePublisher) {}

  /**
   * Records the response's usage once it is finished, or with status 499 if its connection closes first.
   * The event names `response.req`'s principal, the one the guard attached; `principal` only tells whether
   * there is a key to record. A response tracked twice is recorded once.
   */
  track(response: Response, principal: AuthPrincipal): void {
    if (this.stopped || !this.publisher.enabled || !principal.key_id) return;
    // apiKeyLocationMiddleware stamps the start of every request; an app without it measures from here.
    const request = response.req as AuthenticatedRequest & { [REQUEST_STARTED_AT]?: number };
    request[REQUEST_STARTED_AT] ??= performance.now();
    if (!this.subscribed) {
      subscribe(RESPONSE_FINISH_CHANNEL, this.onFinish);
      this.subscribed = true;
    }
    // The request's socket: a pipelined response waiting for its turn has none yet.
    const socket = request.socket;
    if (!socket || socket.destroyed) {
      // The connection is already gone: this response will never be sent.
      this.record(request, CLIENT_CLOSED_REQUEST);
      return;
    }
    let responses = this.pending.get(socket);
    if (!responses) {
      this.pending.set(socket, (responses = []));
      socket.once('close', () => this.recordAbandoned(socket));
    } else if (responses.includes(response)) {
      return;
    }
    responses.push(response);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.subscribed) unsubscribe(RESPONSE_FINISH_CHANNEL, this.onFinish);
    this.subscribed = false;
  }

  /** Every finished response of the process: the ones this recorder tracks are recorded and forgotten. */
  private readonly onFinish = (message: unknown): void => {
    const { request, response, socket } = message as ResponseFinish;
    const responses = this.pending.get(socket);
    if (!responses) return;
    const index = responses.indexOf(response);
    if (index === -1) return;
    responses.splice(index, 1);
    this.record(request as AuthenticatedRequest, response.statusCode);
  };

  /**
   * A connection closed: its tracked responses that did not finish were abandoned by the client (one that
   * finished but was not announced, e.g. after shutdown, is not).
   */
  private recordAbandoned(socket: Socket): void {
    const responses = this.pending.get(socket) ?? [];
    this.pending.delete(socket);
    for (const response of responses) {
      if (!response.writableFinished) this.record(response.req as AuthenticatedRequest, CLIENT_CLOSED_REQUEST);
    }
  }

  private record(request: AuthenticatedRequest, status: number): void {
    const principal = request.principal as AuthPrincipal;
    const latencyMs = performance.now() - (requestStartedAt(request) as number);
    this.publisher.record(
      principal.key_id as string,
      principal.user_id,
      request.method,
      routeTemplateOf(request),
      status,
      latencyMs,
      Date.now(),
    );
  }
}

/** The route template (`/cadip/:station/session`): raw URLs would carry ids and explode cardinality. */
function routeTemplateOf(request: AuthenticatedRequest): string {
  const path = request.route?.path;
  if (!path) return 'unmatched';
  return request.baseUrl ? `${request.baseUrl}${path}` : path;
}
