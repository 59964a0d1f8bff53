import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { AuthPrincipal } from '../auth-principal';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, resolveApiKeyOptions } from '../auth-guard.options';

/** What the caller's request tells the key manager (referer policy, per-IP rate limiting, tracing). */
export interface KeyCheckContext {
  referer?: string;
  origin?: string;
  clientIp?: string;
  correlationId?: string;
}

/** A key the key manager accepted (`GET /auth/check_key` 200; contract in ARCHITECTURE.md). */
export interface KeyCheckResult {
  principal: AuthPrincipal & { key_id: string };
  allowed_referers: string[];
  /** Epoch ms, or null when the key never expires. */
  expiresAt: number | null;
}

const MAX_MESSAGE_LENGTH = 300;

/**
 * Calls the key manager's check endpoint. Refusals keep the key manager's status and code; anything that
 * is not a clear answer (network error, timeout, 5xx, unexpected body) becomes 503 DEPENDENCY_UNAVAILABLE.
 */
@Injectable()
export class KeyManagerClient {
  private readonly logger = new Logger(KeyManagerClient.name);
  private readonly checkUrl: string;
  private readonly timeoutMs: number;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions) {
    const apiKey = options.apiKey ? resolveApiKeyOptions(options.apiKey) : undefined;
    this.checkUrl = apiKey ? `${apiKey.keyManagerUrl}/auth/check_key` : '';
    this.timeoutMs = apiKey?.requestTimeoutMs ?? 0;
  }

  async checkKey(apiKey: string, context: KeyCheckContext): Promise<KeyCheckResult> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-api-key': apiKey };
    if (context.referer) headers['referer'] = context.referer;
    if (context.origin) headers['origin'] = context.origin;
    if (context.clientIp) headers['x-forwarded-for'] = context.clientIp;
    if (context.correlationId) headers['x-correlation-id'] = context.correlationId;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.checkUrl, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      this.logger.warn(`Key manager unreachable at ${this.checkUrl}: ${describe(error)}`);
      throw unavailable('the key manager is unreachable');
    }
    if (response.status === HttpStatus.OK) return parseAcceptedKey(body);
    return Promise.reject(this.refusal(response, body));
  }

  private refusal(response: Response, body: unknown): Error {
    const status = response.status;
    const { code, message } = errorFields(body);
    if (status === HttpStatus.UNAUTHORIZED || status === HttpStatus.FORBIDDEN || status === HttpStatus.NOT_FOUND) {
      // An unknown key is a refusal (403) for the caller of a service, not a missing resource.
      const outward = status === HttpStatus.NOT_FOUND ? HttpStatus.FORBIDDEN : status;
      return new HttpException(
        { code: code ?? DomainErrorCode.KEY_INVALID, message: message ?? 'The API key was refused' },
        outward,
      );
    }
    if (status === HttpStatus.TOO_MANY_REQUESTS) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return new HttpException(
        {
          code: DomainErrorCode.RATE_LIMITED,
          message: message ?? 'Too many failed API key checks from this client; retry later',
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.logger.warn(`Key manager answered ${status} to a key check`);
    return unavailable(`the key manager answered ${status}`);
  }
}

function unavailable(why: string): DomainError {
  return new DomainError(
    DomainErrorCode.DEPENDENCY_UNAVAILABLE,
    `The API key could not be verified: ${why}. Retry shortly, or authenticate with a Keycloak access token.`,
  );
}

function errorFields(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const code =
    typeof record['code'] === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(record['code']) ? record['code'] : undefined;
  const text =
    typeof record['message'] === 'string'
      ? record['message']
      : typeof record['detail'] === 'string'
        ? record['detail']
        : undefined;
  return { code, message: text?.slice(0, MAX_MESSAGE_LENGTH) };
}

function parseAcceptedKey(body: unknown): KeyCheckResult {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  const isStringArray = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'string');
  const config = record['config'];
  const expiration = record['expiration_date'];
  const expiresAt =
    record['never_expire'] === true || expiration === null || expiration === undefined
      ? null
      : Date.parse(String(expiration));
  if (
    !isString(record['user_id']) ||
    !isString(record['user_login']) ||
    !isString(record['key_id']) ||
    !isStringArray(record['iam_roles']) ||
    (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config))) ||
    (record['allowed_referers'] !== undefined && !isStringArray(record['allowed_referers'])) ||
    Number.isNaN(expiresAt)
  ) {
    throw unavailable('the key manager answered with an unexpected body');
  }
  return {
    principal: {
      user_id: record['user_id'],
      user_login: record['user_login'],
      iam_roles: record['iam_roles'],
      config: (config ?? {}) as Record<string, unknown>,
      auth_method: 'api_key',
      key_id: record['key_id'],
    },
    allowed_referers: (record['allowed_referers'] as string[] | undefined) ?? [],
    expiresAt,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
