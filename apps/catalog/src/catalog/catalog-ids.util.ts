import { type RoleResolver } from '@rs/auth-guard';
import { type CatalogAccess, missingCatalogRoles } from '@rs/rs-roles';
import { DomainError } from '@rs/key-domain';

const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,199}$/;

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
