import { HttpStatus, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { DomainErrorCode } from '@rs/key-domain';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorBody } from '../domain-exception.filter';
import { MetricsService } from '../metrics/metrics.service';
import { errorMessage } from '../retry.util';
import { describeReadiness, ReadinessService } from './readiness.service';

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOWED_METHODS = ['GET', 'HEAD'];
const REQUEST_TIMEOUT_MS = 10_000;

type Route = (request: IncomingMessage) => Promise<{ status: number; type: string; body: string }>;

function correlationIdOf(request: IncomingMessage): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[\w-]{1,64}$/.test(header) ? header : randomUUID();
}

function errorBody(statusCode: number, code: string, message: string, request: IncomingMessage | string): ErrorBody {
  const correlationId = typeof request === 'string' ? request : correlationIdOf(request);
  return { statusCode, code, message, detail: message, correlation_id: correlationId };
}

const json = (status: number, body: unknown) => ({ status, type: JSON_TYPE, body: JSON.stringify(body) });

/**
 * The app's second HTTP listener, for operators and the cluster only: GET /metrics (Prometheus text format),
 * GET /health/ready (each dependency 'up' or 'down: <reason>') and GET /health. A plain node:http server on the
 * app's own MetricsService and readiness checks, closed with the app.
 */
@Injectable()
export class ManagementServer implements OnApplicationShutdown {
  private readonly logger = new Logger(ManagementServer.name);
  private server?: Server;
  private readonly routes: Record<string, Route> = {
    '/health': async () => json(HttpStatus.OK, { status: 'ok' }),
    '/health/ready': async (request) => {
      const report = await this.readiness.report();
      if (report.status === 'ok') return json(HttpStatus.OK, report);
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      const error = errorBody(status, DomainErrorCode.DEPENDENCY_UNAVAILABLE, describeReadiness(report), request);
      return json(status, { ...error, ...report });
    },
    '/metrics': async (request) =>
      this.metrics
        ? {
            status: HttpStatus.OK,
            type: this.metrics.registry.contentType,
            body: await this.metrics.registry.metrics(),
          }
        : json(HttpStatus.NOT_FOUND, errorBody(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'This app has no metrics', request)),
  };

  constructor(
    private readonly readiness: ReadinessService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Starts listening; resolves with the listener's URL (port 0: a free port). */
  async listen(port: number, host: string): Promise<string> {
    if (this.server) throw new Error('the management server is already listening');
    const server = createServer((request, response) => void this.handle(request, response));
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`management port ${host}:${port}: ${errorMessage(error)}`)));
      server.listen(port, host, () => resolve());
    });
    server.on('error', (error) => this.logger.error(`management listener: ${errorMessage(error)}`));
    this.server = server;
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    this.logger.log(`Management port (GET /metrics, GET /health/ready) on ${url}`);
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: Awaited<ReturnType<Route>>;
    try {
      const path = new URL(request.url ?? '/', 'http://management').pathname.replace(/(.)\/$/, '$1');
      const route = this.routes[path];
      if (!route)
        answer = json(
          HttpStatus.NOT_FOUND,
          errorBody(HttpStatus.NOT_FOUND, 'NOT_FOUND', `Cannot ${request.method} ${path}`, request),
        );
      else if (!ALLOWED_METHODS.includes(request.method ?? '')) {
        response.setHeader('Allow', ALLOWED_METHODS.join(', '));
        const status = HttpStatus.METHOD_NOT_ALLOWED;
        answer = json(status, errorBody(status, 'METHOD_NOT_ALLOWED', `${path} answers GET and HEAD only`, request));
      } else answer = await route(request);
    } catch (error) {
      const correlationId = correlationIdOf(request);
      const message = `Internal error; quote correlation id ${correlationId} when reporting it`;
      const body = errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', message, correlationId);
      this.logger.error(`management ${request.method} failed [${body.correlation_id}]: ${errorMessage(error)}`);
      answer = json(HttpStatus.INTERNAL_SERVER_ERROR, body);
    }
    response.writeHead(answer.status, {
      'Content-Type': answer.type,
      'Content-Length': Buffer.byteLength(answer.body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : answer.body);
  }
}
