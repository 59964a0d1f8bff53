import type { AuthPrincipal } from './auth-principal';
import type { RoleResolver } from './decorators/require-roles.decorator';

export type StationAccess = 'read' | 'download';
export type CatalogAccess = 'read' | 'write' | 'download';

/** Realm role that opens the Auxip landing page (RS-Server's `rs_auxip_landing_page`). */
export const AUXIP_LANDING_PAGE_ROLE = 'rs_auxip_landing_page';
/** Realm role of key-manager administrators. */
export const API_KEY_ADMIN_ROLE = 'rs_apikey_admin';

/** `rs_auxip_<station>_<access>`, lower-case: `auxipRole('ADGS', 'read')` → `rs_auxip_adgs_read`. */
export function auxipRole(station: string, access: StationAccess): string {
  return `rs_auxip_${station}_${access}`.toLowerCase();
}

/** `rs_cadip_<station>_<access>`, lower-case: `cadipRole('INS', 'read')` → `rs_cadip_ins_read`. */
export function cadipRole(station: string, access: StationAccess): string {
  return `rs_cadip_${station}_${access}`.toLowerCase();
}

/** `rs_catalog_<owner>:<collection>_<access>`: `catalogRole('bob', 's2-l2', 'read')` → `rs_catalog_bob:s2-l2_read`. */
export function catalogRole(owner: string, collection: string, access: CatalogAccess): string {
  return `rs_catalog_${owner}:${collection}_${access}`;
}

/**
 * What a principal still lacks to reach a catalog collection: nothing for its owner (owners always
 * reach their own collections) or for a holder of the owner-wide `rs_catalog_<owner>:*_<access>` role,
 * else the collection role.
 */
export function missingCatalogRoles(
  principal: AuthPrincipal,
  owner: string,
  collection: string,
  access: CatalogAccess,
): string[] {
  if (principal.user_login === owner) return [];
  const roles = principal.iam_roles;
  if (roles.includes(catalogRole(owner, '*', access))) return [];
  const role = catalogRole(owner, collection, access);
  return roles.includes(role) ? [] : [role];
}

/** True when the principal may reach the collection with this access (see missingCatalogRoles). */
export function canAccessCatalogCollection(
  principal: AuthPrincipal,
  owner: string,
  collection: string,
  access: CatalogAccess,
): boolean {
  return missingCatalogRoles(principal, owner, collection, access).length === 0;
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
