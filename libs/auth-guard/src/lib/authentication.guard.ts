import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, DomainErrorCode, isDomainError } from '@rs/key-domain';
import { DOMAIN_ERROR_STATUS, IS_PUBLIC_KEY } from '@rs/service-kit';
import type { Request, Response } from 'express';
import { API_KEY_HEADER, API_KEY_QUERY_PARAMETER, BEARER_ONLY_KEY, REQUIRE_ROLES_KEY } from './auth-guard.constants';
import { AuthGuardMetrics } from './auth-guard.metrics';
import type { AuthenticatedRequest, AuthMethod, AuthPrincipal } from './auth-principal';
import type { RoleRequirement } from './decorators/require-roles.decorator';
import { KeyUsageRecorder } from './events/key-usage.recorder';
import { KeyQuotaEnforcer } from './quota/key-quota.enforcer';
import { ApiKeyAuthenticator } from './strategies/api-key.authenticator';
import { KeycloakTokenAuthenticator } from './strategies/keycloak-token.authenticator';

const BEARER_PATTERN = /^Bearer\s+\S+\s*$/i;

/** What the decorators of one route say, read once per route instead of on every request. */
interface RoutePolicy {
  isPublic: boolean;
  bearerOnly: boolean;
  /** @RequireRoles() of the controller, then of the handler. */
  requirements: RoleRequirement[];
}

/**
 * The global guard (APP_GUARD): every route needs a Keycloak access token or an API key unless marked
 * @Public(); @BearerOnly() routes refuse API keys; @RequireRoles() requirements of the controller and
 * the handler must all be met. Puts the AuthPrincipal on `request.principal`.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  /** Route policies by handler, then controller (a handler can be inherited by several controllers). */
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keycloak: KeycloakTokenAuthenticator,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly usage: KeyUsageRecorder,
    private readonly metrics: AuthGuardMetrics,
    private readonly quotas: KeyQuotaEnforcer,
  ) {}

  /**
   * Synchronous for a cached API key (the common case): Nest then goes on without awaiting anything. A
   * Bearer token or a key the cache does not hold returns a promise.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    if (context.getType() !== 'http') throw new ForbiddenException('Only HTTP requests can be authenticated');
    // The HTTP arguments are [request, response, next]; `switchToHttp()` would assign three new closures to
    // the context on every request.
    const request = context.getArgByIndex<AuthenticatedRequest>(0);
    const response = context.getArgByIndex<Response>(1);
    let method: AuthMethod | 'none' = 'none';
    try {
      const apiKey = apiKeyOf(request, policy.bearerOnly);
      if (apiKey === undefined) {
        method = 'oauth2';
        return this.admitOnceAuthenticated(this.keycloak.authenticate(request), method, policy, request, response);
      }
      method = 'api_key';
      const cached = this.apiKeys.authenticateCached(request, apiKey);
      if (cached) return this.admit(cached, method, policy, request, response);
      return this.admitOnceAuthenticated(this.apiKeys.authenticate(request), method, policy, request, response);
    } catch (error) {
      throw this.refusal(error, method, response);
    }
  }

  private async admitOnceAuthenticated(
    principal: Promise<AuthPrincipal>,
    method: AuthMethod,
    policy: RoutePolicy,
    request: AuthenticatedRequest,
    response: Response,
  ): Promise<boolean> {
    try {
      return this.admit(await principal, method, policy, request, response);
    } catch (error) {
      throw this.refusal(error, method, response);
    }
  }

  /** Attaches the principal, records key usage, checks roles and key limits; throws the refusal otherwise. */
  private admit(
    principal: AuthPrincipal,
    method: AuthMethod,
    policy: RoutePolicy,
    request: AuthenticatedRequest,
    response: Response,
  ): true | Promise<true> {
    request.principal = principal;
    // Tracked before the role check: a refused but authenticated request is still usage of the key.
    if (principal.auth_method === 'api_key') this.usage.track(response, principal);
    authorize(policy.requirements, request, principal);
    // After the role check, so a refused request spends nothing of the key's limits.
    if (principal.auth_method === 'api_key') {
      const admitted = this.quotas.admit(principal, response);
      if (admitted !== true) return this.admitAfterQuota(admitted, method, response);
    }
    this.metrics.countAllowed(method);
    return true;
  }

  /** The end of `admit` once the key's limits answered (tokens were being taken from the quota store). */
  private async admitAfterQuota(admitted: Promise<true>, method: AuthMethod, response: Response): Promise<true> {
    try {
      await admitted;
    } catch (error) {
      throw this.refusal(error, method, response);
    }
    this.metrics.countAllowed(method);
    return true;
  }

  /** What the guard throws for an error: counted, an HttpException, with a Bearer challenge on 401. */
  private refusal(error: unknown, method: string, response: Response): unknown {
    this.metrics.requests.inc({ method, outcome: codeOf(error) });
    const httpError = isDomainError(error) ? toHttpException(error) : error;
    if (httpError instanceof HttpException && httpError.getStatus() === 401) {
      response.setHeader('WWW-Authenticate', method === 'oauth2' ? 'Bearer error="invalid_token"' : 'Bearer');
    }
    return httpError;
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.policies.get(handler);
    let policy = byController?.get(controller);
    if (policy) return policy;
    const targets = [handler, controller];
    policy = {
      isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) ?? false,
      bearerOnly: this.reflector.getAllAndOverride<boolean>(BEARER_ONLY_KEY, targets) ?? false,
      requirements: [controller, handler]
        .map((target) => this.reflector.get<RoleRequirement | undefined>(REQUIRE_ROLES_KEY, target))
        .filter((requirement): requirement is RoleRequirement => requirement !== undefined),
    };
    if (!byController) this.policies.set(handler, (byController = new WeakMap()));
    byController.set(controller, policy);
    return policy;
  }
}

/** Every role of every requirement, in order; the missing ones (each once) are named in the 403. */
function authorize(requirements: RoleRequirement[], request: Request, principal: AuthPrincipal): void {
  let missing: string[] | undefined;
  for (const requirement of requirements) {
    const roles =
      typeof requirement === 'function'
        ? requirement((request.params ?? {}) as Record<string, string>, principal)
        : requirement;
    for (const role of roles) {
      if (!principal.iam_roles.includes(role) && !missing?.includes(role)) (missing ??= []).push(role);
    }
  }
  if (!missing) return;
  const names = missing.map((role) => `'${role}'`).join(', ');
  throw new DomainError(
    DomainErrorCode.ROLE_REQUIRED,
    `Missing role ${names}: ask an RS-Server administrator to grant it`,
    {
      required_roles: missing,
    },
  );
}

/**
 * The API key the request carries, or undefined when it carries a Bearer token (which wins when both are sent).
 * Reads the headers once: every access to `request.headers` goes through Node's getter.
 */
function apiKeyOf(request: Request, bearerOnly: boolean): string | string[] | undefined {
  const headers = request.headers;
  const authorization = headers.authorization;
  if (authorization && BEARER_PATTERN.test(authorization)) return undefined;
  const headerKey = headers[API_KEY_HEADER];
  const queryKey = headerKey === undefined ? request.query?.[API_KEY_QUERY_PARAMETER] : undefined;
  if (bearerOnly) {
    const hasKey = headerKey !== undefined || queryKey !== undefined;
    throw new UnauthorizedException({
      code: DomainErrorCode.BEARER_TOKEN_REQUIRED,
      message: hasKey
        ? 'This endpoint accepts only a Keycloak access token (Authorization: Bearer …); API keys cannot be used here'
        : 'Authentication required: send a Keycloak access token (Authorization: Bearer …)',
    });
  }
  if (headerKey !== undefined) return headerKey;
  // Query fallback for apps that did not get apiKeyLocationMiddleware (it normally moves the key into the header).
  if (queryKey !== undefined) return (headers[API_KEY_HEADER] = String(queryKey));
  if (authorization) {
    throw new UnauthorizedException({
      code: DomainErrorCode.TOKEN_INVALID,
      message: "Unsupported Authorization header: send 'Authorization: Bearer <Keycloak access token>'",
    });
  }
  throw new DomainError(
    DomainErrorCode.KEY_MISSING,
    'Authentication required: send a Keycloak access token (Authorization: Bearer …) or an API key (x-api-key header or api-key query parameter)',
  );
}

/**
 * Domain errors leave the guard as HttpExceptions with the same status the apps' DomainExceptionFilter
 * gives them, so the status is right even in an app without that filter.
 */
function toHttpException(error: DomainError): HttpException {
  return new HttpException(
    { code: error.code, message: error.message, ...error.details },
    DOMAIN_ERROR_STATUS[error.code],
  );
}

function codeOf(error: unknown): string {
  if (isDomainError(error)) return error.code;
  if (error instanceof HttpException) {
    const response = error.getResponse();
    return typeof response === 'object' && response && typeof (response as { code?: unknown }).code === 'string'
      ? (response as { code: string }).code
      : String(error.getStatus());
  }
  return 'error';
}
