import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { KEY_CHECK_PATH, parseKeyCheckResponse } from '@rs/event-contracts';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { AuthPrincipal } from '../auth-principal';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import { type AuthGuardOptions, resolveApiKeyOptions } from '../auth-guard.options';
import { ServiceTokenProvider } from '../strategies/service-token.provider';

/**
 * What the caller's request tells the key manager (referer policy, per-IP rate limiting, tracing). The client
 * address only counts when the check carries this service's token.
 */
export interface KeyCheckContext {
  referer?: string;
  origin?: string;
  clientIp?: string;
  correlationId?: string;
}

/** A key the key manager accepted (`GET /auth/check_key` 200, KeyCheckResponse of @rs/event-contracts). */
export interface KeyCheckResult {
  principal: AuthPrincipal & { key_id: string };
  allowed_referers: string[];
  /** Epoch ms, or null when the key never expires. */
  expiresAt: number | null;
  /** The key's state version, when the key manager sends it. */
  stateVersion?: number;
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

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions,
    private readonly serviceTokens: ServiceTokenProvider,
  ) {
    const apiKey = options.apiKey ? resolveApiKeyOptions(options.apiKey) : undefined;
    this.checkUrl = apiKey ? `${apiKey.keyManagerUrl}${KEY_CHECK_PATH}` : '';
    this.timeoutMs = apiKey?.requestTimeoutMs ?? 0;
  }

  async checkKey(apiKey: string, context: KeyCheckContext): Promise<KeyCheckResult> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-api-key': apiKey };
    if (context.referer) headers['referer'] = context.referer;
    if (context.origin) headers['origin'] = context.origin;
    if (context.clientIp) headers['x-forwarded-for'] = context.clientIp;
    if (context.correlationId) headers['x-correlation-id'] = context.correlationId;
    const token = await this.serviceTokens.token();
    let { response, body } = await this.send(headers, token);
    if (token && isServiceTokenRefusal(response, body)) {
      // Keycloak rotated its keys or the token was revoked: one fresh token, then give up.
      this.serviceTokens.invalidate(token);
      ({ response, body } = await this.send(headers, await this.serviceTokens.token()));
    }
    if (response.status === HttpStatus.OK) return parseAcceptedKey(body);
    if (isServiceTokenRefusal(response, body)) {
      this.logger.error(`The key manager refused this service's credentials: ${errorFields(body).message ?? ''}`);
      throw unavailable("the key manager refused this service's credentials");
    }
    return Promise.reject(this.refusal(response, body));
  }

  private async send(
    headers: Record<string, string>,
    token: string | undefined,
  ): Promise<{ response: Response; body: unknown }> {
    const sent = token ? { ...headers, authorization: `Bearer ${token}` } : headers;
    try {
      const response = await fetch(this.checkUrl, { headers: sent, signal: AbortSignal.timeout(this.timeoutMs) });
      return { response, body: await response.json().catch(() => undefined) };
    } catch (error) {
      this.logger.warn(`Key manager unreachable at ${this.checkUrl}: ${describe(error)}`);
      throw unavailable('the key manager is unreachable');
    }
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

function isServiceTokenRefusal(response: Response, body: unknown): boolean {
  return (
    response.status === HttpStatus.UNAUTHORIZED && errorFields(body).code === DomainErrorCode.SERVICE_TOKEN_INVALID
  );
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
  const parsed = parseKeyCheckResponse(body);
  const expiresAt =
    parsed.ok && !parsed.value.never_expire && parsed.value.expiration_date
      ? Date.parse(parsed.value.expiration_date)
      : null;
  if (!parsed.ok) throw unavailable(`the key manager answered with an unexpected body (${parsed.reason})`);
  const { user_id, user_login, iam_roles, config, key_id, allowed_referers, state_version, rate_limit_per_minute } =
    parsed.value;
  return {
    principal: { user_id, user_login, iam_roles, config, auth_method: 'api_key', key_id, rate_limit_per_minute },
    allowed_referers: allowed_referers ?? [],
    expiresAt,
    ...(typeof state_version === 'number' ? { stateVersion: state_version } : {}),
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
