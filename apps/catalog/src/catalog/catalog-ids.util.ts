import { type RoleResolver } from '@rs/auth-guard';
import { type CatalogAccess, missingCatalogRoles } from '@rs/rs-roles';
import { DomainError } from '@rs/key-domain';

const OWNER_SOURCE = '[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}';
const NAME_SOURCE = '[A-Za-z0-9][A-Za-z0-9_.-]{0,99}';
const OWNER = new RegExp(`^${OWNER_SOURCE}$`);
const NAME = new RegExp(`^${NAME_SOURCE}$`);

// The OpenAPI patterns of the ids, from the same text as the checks below.
/** `<owner>:<collection>`, as in URLs, roles and `collections` criteria. */
export const COLLECTION_ID_PATTERN = `^${OWNER_SOURCE}:${NAME_SOURCE}$`;
/** A collection id in a POST body: `<collection>` (the caller owns it) or `<owner>:<collection>`. */
export const NEW_COLLECTION_ID_PATTERN = `^(${OWNER_SOURCE}:)?${NAME_SOURCE}$`;
/** `collections` of GET /catalog/search: collection ids, comma-separated (empty: every readable one). */
export const COLLECTION_LIST_PATTERN = `^(${OWNER_SOURCE}:${NAME_SOURCE}(,${OWNER_SOURCE}:${NAME_SOURCE})*)?$`;
export const ITEM_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,199}$';
const ITEM_ID = new RegExp(ITEM_ID_PATTERN);

/** A collection is named `<owner>:<collection>` in URLs and roles, as in RS-Server. */
export interface CollectionId {
  owner: string;
  name: string;
}

export function collectionKey(id: CollectionId): string {
  return `${id.owner}:${id.name}`;
}

/** `owner:collection` → parts; 400 naming `parameter` when it is not of that shape. */
export function parseCollectionId(raw: string | undefined, parameter = 'collection_id'): CollectionId {
  const [owner, name, ...rest] = (raw ?? '').split(':');
  if (rest.length > 0 || !owner || !name || !OWNER.test(owner) || !NAME.test(name)) {
    throw DomainError.invalidParameter(
      parameter,
      `'${(raw ?? '').slice(0, 80)}' is not a collection id of the form <owner>:<collection> (letters, digits, _ . -)`,
    );
  }
  return { owner, name };
}

/** A collection name without owner (as given in a POST body), or `owner:name`. */
export function isCollectionName(raw: string): boolean {
  return NAME.test(raw);
}

export function assertItemId(raw: string | undefined, parameter = 'item_id'): string {
  if (!raw || !ITEM_ID.test(raw)) {
    throw DomainError.invalidParameter(
      parameter,
      `'${(raw ?? '').slice(0, 80)}' is not a valid item id (letters, digits and _ . : + -, at most 200)`,
    );
  }
  return raw;
}

/**
 * @RequireRoles resolver for routes with `:collectionId`: owners always pass, others need
 * `rs_catalog_<owner>:<collection>_<access>` (or the owner-wide `*` role).
 */
export function collectionAccess(access: CatalogAccess): RoleResolver {
  return ({ collectionId }, principal) => {
    const { owner, name } = parseCollectionId(collectionId);
    return missingCatalogRoles(principal, owner, name, access);
  };
}
