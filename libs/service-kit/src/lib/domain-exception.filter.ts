import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainErrorCode, isDomainError } from '@rs/key-domain';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { isDependencyUnavailable } from './dependency-errors.util';

export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  [DomainErrorCode.KEY_MISSING]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.KEY_MALFORMED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.KEY_INVALID]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_REVOKED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_REVOKED_BY_ADMIN]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_EXPIRED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_USER_DISABLED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.KEY_REFERER_NOT_ALLOWED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.ROLE_REQUIRED]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.INVALID_PARAMETER]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.KEY_LIMIT_REACHED]: HttpStatus.CONFLICT,
  [DomainErrorCode.RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [DomainErrorCode.KEY_RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [DomainErrorCode.KEY_QUOTA_EXCEEDED]: HttpStatus.TOO_MANY_REQUESTS,
  [DomainErrorCode.DEPENDENCY_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [DomainErrorCode.TOKEN_INVALID]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.TOKEN_CLIENT_NOT_ALLOWED]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.SERVICE_TOKEN_INVALID]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.BEARER_TOKEN_REQUIRED]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.COLLECTION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.COLLECTION_EXISTS]: HttpStatus.CONFLICT,
  [DomainErrorCode.ITEM_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.STATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.ITEM_EXISTS]: HttpStatus.CONFLICT,
};

/** The JSON error body of every app: Nest's `message` and FastAPI's `detail` (RS-Server clients read it). */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  detail: string;
  parameter?: string;
  correlation_id: string;
}

function correlationIdOf(request: Request): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[\w-]{1,64}$/.test(header) ? header : randomUUID();
}

/**
 * Maps domain errors to their HTTP status, keeps Nest's HttpExceptions, turns "dependency down" into
 * 503, and everything else into a generic 500 whose details stay in the log under a correlation id.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const correlationId = correlationIdOf(request);
    const body = this.toBody(exception, correlationId);
    if (body.statusCode >= 500) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(
        `${request.method} ${request.route?.path ?? 'unmatched route'} failed [${correlationId}]: ${detail}`,
      );
    }
    if (response.headersSent) return;
    if (exception instanceof HttpException) {
      const retryAfter = (exception.getResponse() as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter) response.setHeader('Retry-After', String(retryAfter));
    }
    if (isDomainError(exception) && typeof exception.details['retryAfterSeconds'] === 'number') {
      response.setHeader('Retry-After', String(exception.details['retryAfterSeconds']));
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, correlationId: string): ErrorBody {
    if (isDomainError(exception)) {
      const parameter = typeof exception.details['parameter'] === 'string' ? exception.details['parameter'] : undefined;
      return this.body(
        DOMAIN_ERROR_STATUS[exception.code],
        exception.code,
        exception.message,
        correlationId,
        parameter,
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      const code = (response as { code?: string }).code ?? HttpStatus[status] ?? 'HTTP_ERROR';
      const parameter = (response as { parameter?: string }).parameter;
      return this.body(status, code, message, correlationId, parameter);
    }
    if (isDependencyUnavailable(exception)) {
      return this.body(
        HttpStatus.SERVICE_UNAVAILABLE,
        DomainErrorCode.DEPENDENCY_UNAVAILABLE,
        'A backing service (database) is unavailable; retry shortly',
        correlationId,
      );
    }
    return this.body(
      HttpStatus.INTERNAL_SERVER_ERROR,
      'INTERNAL_ERROR',
      `Internal error; quote correlation id ${correlationId} when reporting it`,
      correlationId,
    );
  }

  private body(
    statusCode: number,
    code: string,
    message: string,
    correlationId: string,
    parameter?: string,
  ): ErrorBody {
    return {
      statusCode,
      code,
      message,
      detail: message,
      ...(parameter ? { parameter } : {}),
      correlation_id: correlationId,
    };
  }
}
