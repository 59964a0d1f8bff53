import { Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import KeycloakBearerStrategy from 'passport-keycloak-bearer';
import { TOKEN_INVALID } from '../auth-guard.constants';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { AuthPrincipal } from '../auth-principal';
import { JwksKeyProvider } from './jwks-key.provider';
import { runStrategy } from './run-strategy.util';

/** The claims of a Keycloak access token the guard reads. */
interface KeycloakAccessToken {
  sub?: string;
  preferred_username?: string;
  typ?: string;
  realm_access?: { roles?: unknown };
}

type VerifyDone = (error: unknown, user?: unknown, info?: unknown) => void;

/**
 * Validates `Authorization: Bearer <Keycloak access token>` with passport-keycloak-bearer: signature
 * against the realm keys, issuer, audience and expiry. Keys come from JwksKeyProvider (see why there).
 */
@Injectable()
export class KeycloakTokenAuthenticator {
  private readonly logger = new Logger(KeycloakTokenAuthenticator.name);
  private readonly strategy: KeycloakBearerStrategy;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions, keys: JwksKeyProvider) {
    const { realm, audience } = options.keycloak;
    const url = options.keycloak.url.replace(/\/+$/, '');
    const library = (message: unknown) => this.logger.debug(`passport-keycloak-bearer: ${String(message)}`);
    this.strategy = new KeycloakBearerStrategy(
      {
        url,
        realm,
        issuer: options.keycloak.issuer ?? `${url}/realms/${realm}`,
        audience,
        algorithms: ['RS256'],
        customLogger: { debug: library, info: library, warn: library, error: library },
      },
      (payload: KeycloakAccessToken, done: VerifyDone) => {
        const principal = toPrincipal(payload);
        if (typeof principal === 'string') done(null, false, new Error(principal));
        else done(null, principal);
      },
    );
    // The library's own key source never refreshes; replace it (passport-jwt reads this field per request).
    (this.strategy as unknown as { _secretOrKeyProvider: unknown })._secretOrKeyProvider = (
      _request: Request,
      token: string,
      done: (error: unknown, key?: KeyObject) => void,
    ) => {
      keys.keyFor(token).then(
        (key) => done(null, key),
        (error: unknown) => done(error),
      );
    };
  }

  /** The principal of a valid token; 401 TOKEN_INVALID naming the reason otherwise. */
  async authenticate(request: Request): Promise<AuthPrincipal> {
    const outcome = await runStrategy<AuthPrincipal>(this.strategy, request);
    if (outcome.ok) return outcome.user;
    const reason = outcome.reason instanceof Error ? outcome.reason.message : 'no valid bearer token';
    throw new UnauthorizedException({ code: TOKEN_INVALID, message: `Invalid Keycloak access token: ${reason}` });
  }
}

/** The principal of a verified token, or why the token is not usable as an access token. */
function toPrincipal(payload: KeycloakAccessToken): AuthPrincipal | string {
  if (payload.typ !== undefined && payload.typ !== 'Bearer')
    return `token type ${String(payload.typ)} is not an access token`;
  if (typeof payload.sub !== 'string' || !payload.sub) return 'token has no sub claim';
  const roles = payload.realm_access?.roles;
  return {
    user_id: payload.sub,
    user_login: typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub,
    iam_roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    config: {},
    auth_method: 'oauth2',
  };
}
