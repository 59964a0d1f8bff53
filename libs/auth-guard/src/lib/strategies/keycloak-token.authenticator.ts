import { DomainErrorCode } from '@rs/key-domain';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ExtractJwt, Strategy as JwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import { JwksKeyProvider } from './jwks-key.provider';
import { StrategyRunner } from './strategy-runner';

/** Leeway for `exp` and `nbf` between Keycloak's clock and ours. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** The claims of a Keycloak access token the guard reads. */
interface KeycloakAccessToken {
  sub?: string;
  exp?: number;
  preferred_username?: string;
  typ?: string;
  azp?: string;
  realm_access?: { roles?: unknown };
}

/** A service that authenticated with its own client's token (client-credentials grant). */
export interface ServiceCaller {
  /** The Keycloak client the token was issued to (`azp`) when it is one of the services; null otherwise. */
  clientId: string | null;
}

/**
 * Validates `Authorization: Bearer <Keycloak access token>` with passport-jwt: RS256 signature against the
 * realm keys (JwksKeyProvider), issuer, audience and expiry. passport-keycloak-bearer, built on the same
 * strategy, is not used: it replaces any key source with its own, which never refetches the realm keys
 * (docs/auth-guard.md).
 */
@Injectable()
export class KeycloakTokenAuthenticator {
  private readonly runner: StrategyRunner<KeycloakAccessToken>;
  private readonly allowedAzp: ReadonlySet<string>;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions, keys: JwksKeyProvider) {
    this.allowedAzp = new Set(options.keycloak.allowedAzp ?? []);
    const { realm, audience } = options.keycloak;
    const url = options.keycloak.url.replace(/\/+$/, '');
    const strategy = new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKeyProvider: (_request, token: string, done) => {
          keys.keyFor(token).then(
            // jsonwebtoken verifies with a KeyObject as well; the types only name PEM text.
            (key) => done(null, key as unknown as string),
            (error: unknown) => done(error),
          );
        },
        issuer: options.keycloak.issuer ?? `${url}/realms/${realm}`,
        audience,
        algorithms: ['RS256'],
        jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      },
      (payload: KeycloakAccessToken, done: VerifiedCallback) => {
        const unusable = whyUnusable(payload);
        if (unusable) done(null, false, new Error(unusable));
        else done(null, payload);
      },
    );
    this.runner = new StrategyRunner('keycloak-bearer', strategy);
  }

  /**
   * The principal of a valid token: 401 TOKEN_INVALID naming the reason otherwise, or 401 TOKEN_CLIENT_NOT_ALLOWED
   * when its client (`azp`) is not in `keycloak.allowedAzp`.
   */
  async authenticate(request: Request): Promise<AuthPrincipal> {
    const outcome = await this.runner.run(request);
    if (!outcome.ok) {
      throw new UnauthorizedException({
        code: DomainErrorCode.TOKEN_INVALID,
        message: `Invalid Keycloak access token: ${reasonOf(outcome.reason)}`,
      });
    }
    const azp = outcome.user.azp;
    if (this.allowedAzp.size && !(typeof azp === 'string' && this.allowedAzp.has(azp))) {
      throw new UnauthorizedException({
        code: DomainErrorCode.TOKEN_CLIENT_NOT_ALLOWED,
        message: `Keycloak access token of client '${String(azp ?? 'none')}', which this service does not accept`,
      });
    }
    return toPrincipal(outcome.user as KeycloakAccessToken & { sub: string });
  }

  /**
   * The service whose client-credentials token the request carries, checked as `authenticate` checks any token
   * (signature, issuer, audience, expiry, type; 401 SERVICE_TOKEN_INVALID naming the reason otherwise). A valid
   * token of a client outside `serviceClients` (a user's, sent by Swagger UI) names no service: clientId null.
   */
  async authenticateService(request: Request, serviceClients: ReadonlySet<string>): Promise<ServiceCaller> {
    const outcome = await this.runner.run(request);
    const refuse = (reason: string) =>
      new UnauthorizedException({
        code: DomainErrorCode.SERVICE_TOKEN_INVALID,
        message: `Invalid service token: ${reason}`,
      });
    if (!outcome.ok) throw refuse(reasonOf(outcome.reason));
    const azp = outcome.user.azp;
    return { clientId: typeof azp === 'string' && serviceClients.has(azp) ? azp : null };
  }
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'no valid bearer token';
}

/** Why a verified token is not usable as an access token, if it is not. */
function whyUnusable(payload: KeycloakAccessToken): string | undefined {
  if (payload.typ !== 'Bearer') return `token type ${String(payload.typ)} is not an access token`;
  if (typeof payload.sub !== 'string' || !payload.sub) return 'token has no sub claim';
  if (typeof payload.exp !== 'number') return 'token has no exp claim';
  return undefined;
}

function toPrincipal(payload: KeycloakAccessToken & { sub: string }): AuthPrincipal {
  const roles = payload.realm_access?.roles;
  return {
    user_id: payload.sub,
    user_login: typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub,
    iam_roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    config: {},
    auth_method: 'oauth2',
  };
}
