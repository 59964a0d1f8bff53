import { SetMetadata } from '@nestjs/common';
import type { AuthPrincipal } from '../auth-principal';
import { REQUIRE_ROLES_KEY } from '../auth-guard.constants';

/**
 * Computes the roles a request needs from its route parameters (e.g. the station) and the principal.
 * Return every role required; an empty list lets the request through.
 */
export type RoleResolver = (params: Record<string, string>, principal: AuthPrincipal) => readonly string[];

export type RoleRequirement = readonly string[] | RoleResolver;

/**
 * Roles the caller must hold, all of them. Static (`@RequireRoles('rs_apikey_admin')`) or computed
 * (`@RequireRoles(({ station }) => [`rs_cadip_${station}_read`])`). On a controller and on a handler
 * both requirements apply. A missing role answers 403 naming it.
 */
export function RequireRoles(resolver: RoleResolver): MethodDecorator & ClassDecorator;
export function RequireRoles(...roles: string[]): MethodDecorator & ClassDecorator;
export function RequireRoles(...args: [RoleResolver] | string[]): MethodDecorator & ClassDecorator {
  const requirement: RoleRequirement = typeof args[0] === 'function' ? args[0] : (args as string[]);
  return SetMetadata(REQUIRE_ROLES_KEY, requirement);
}

/**
 * A @RequireRoles resolver whose roles depend on one route parameter alone (`:station`), computed once per
 * distinct value instead of on every request: `rolesOf` runs the first time a value is seen, and a value
 * it refuses (by throwing, e.g. an unknown station's 404) is not remembered. Only for parameters with a
 * few valid values (stations); the memo holds every accepted spelling.
 */
export function rolesByParameter(
  parameter: string,
  rolesOf: (value: string | undefined) => readonly string[],
): RoleResolver {
  const memo = new Map<string | undefined, readonly string[]>();
  return (params) => {
    const value = params[parameter];
    let roles = memo.get(value);
    if (roles === undefined) memo.set(value, (roles = rolesOf(value)));
    return roles;
  };
}
