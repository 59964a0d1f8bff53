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
  realm_access?: { roles?: unknown };
}

/**
 * Validates `Authorization: Bearer <Keycloak access token>` with passport-jwt: RS256 signature against the
 * realm keys (JwksKeyProvider), issuer, audience and expiry. passport-keycloak-bearer, built on the same
 * strategy, is not used: it replaces any key source with its own, which never refetches the realm keys
 * (docs/auth-guard.md).
 */
@Injectable()
export class KeycloakTokenAuthenticator {
  private readonly runner: StrategyRunner<AuthPrincipal>;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions, keys: JwksKeyProvider) {
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
        const principal = toPrincipal(payload);
        if (typeof principal === 'string') done(null, false, new Error(principal));
        else done(null, principal);
      },
    );
    this.runner = new StrategyRunner('keycloak-bearer', strategy);
  }

  /** The principal of a valid token; 401 TOKEN_INVALID naming the reason otherwise. */
  async authenticate(request: Request): Promise<AuthPrincipal> {
    const outcome = await this.runner.run(request);
    if (outcome.ok) return outcome.user;
    const reason = outcome.reason instanceof Error ? outcome.reason.message : 'no valid bearer token';
    throw new UnauthorizedException({
      code: DomainErrorCode.TOKEN_INVALID,
      message: `Invalid Keycloak access token: ${reason}`,
    });
  }
}

/** The principal of a verified token, or why the token is not usable as an access token. */
function toPrincipal(payload: KeycloakAccessToken): AuthPrincipal | string {
  if (payload.typ !== 'Bearer') return `token type ${String(payload.typ)} is not an access token`;
  if (typeof payload.sub !== 'string' || !payload.sub) return 'token has no sub claim';
  if (typeof payload.exp !== 'number') return 'token has no exp claim';
  const roles = payload.realm_access?.roles;
  return {
    user_id: payload.sub,
    user_login: typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub,
    iam_roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    config: {},
    auth_method: 'oauth2',
  };
}
