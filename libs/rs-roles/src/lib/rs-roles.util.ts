/** Who asks: a Keycloak user name and realm roles (the guard's principal has both). */
export interface RoleHolder {
  user_login: string;
  iam_roles: readonly string[];
}

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
  principal: RoleHolder,
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
  principal: RoleHolder,
  owner: string,
  collection: string,
  access: CatalogAccess,
): boolean {
  return missingCatalogRoles(principal, owner, collection, access).length === 0;
}
