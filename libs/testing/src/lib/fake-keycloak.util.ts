import { DomainErrorCode } from '@rs/key-domain';
import { UnauthorizedException } from '@nestjs/common';
import type { AuthPrincipal } from '@rs/auth-guard';
import type { Request } from 'express';

/**
 * Stands in for the guard's KeycloakTokenAuthenticator in unit specs (`.overrideProvider(...).useValue(...)`):
 * `Authorization: Bearer alice` authenticates alice with the roles `users` gives her; anything else is 401.
 * Everything else of the guard (roles, API keys, decorators) stays real.
 */
export function fakeKeycloakAuthenticator(users: Record<string, string[]>): {
  authenticate: (request: Request) => Promise<AuthPrincipal>;
} {
  return {
    authenticate: async (request: Request): Promise<AuthPrincipal> => {
      const login = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
      const roles = users[login];
      if (!roles)
        throw new UnauthorizedException({
          code: DomainErrorCode.TOKEN_INVALID,
          message: 'Invalid Keycloak access token',
        });
      return { user_id: `id-${login}`, user_login: login, iam_roles: roles, config: {}, auth_method: 'oauth2' };
    },
  };
}
