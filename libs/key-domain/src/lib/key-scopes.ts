import { assertKeyChangeable, type KeyState } from './api-key-rules';
import { DomainError } from './domain-error';

export const MAX_KEY_SCOPES = 100;
export const MAX_SCOPE_LENGTH = 255;

/**
 * Parses the `scopes` of a new key: null (absent) means every role of its owner; otherwise the distinct roles
 * named, each one the owner must hold now (a scope the owner lacks is refused naming it).
 */
export function parseKeyScopes(raw: unknown, ownerRoles: readonly string[]): string[] | null {
  if (raw === undefined || raw === null) return null;
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((scope) => typeof scope !== 'string' || !scope.trim()))
    throw DomainError.invalidParameter('scopes', "Each 'scopes' entry must be the name of one of your roles");
  const scopes = [...new Set((list as string[]).map((scope) => scope.trim()))].sort();
  if (scopes.length > MAX_KEY_SCOPES)
    throw DomainError.invalidParameter('scopes', `Query parameter 'scopes' accepts at most ${MAX_KEY_SCOPES} roles`);
  const foreign = scopes.filter((scope) => !ownerRoles.includes(scope));
  if (foreign.length) {
    throw DomainError.invalidParameter(
      'scopes',
      `You do not hold the role(s) ${foreign.map((scope) => `'${scope}'`).join(', ')}: a key's scopes must be ` +
        'among your own roles',
    );
  }
  return scopes;
}

/** The roles a key carries: its scopes still held by the owner, or all the owner's roles for an unscoped key. */
export function keyRoles(ownerRoles: readonly string[], scopes: readonly string[] | null | undefined): string[] {
  return scopes ? ownerRoles.filter((role) => scopes.includes(role)) : [...ownerRoles];
}

/**
 * Parses new scopes of an existing key: `scopes` as on creation, or `allRoles` true to make the key unscoped again
 * (null); exactly one of them, so a request that forgot its scopes never widens a key.
 */
export function parseScopesChange(raw: unknown, allRoles: unknown, ownerRoles: readonly string[]): string[] | null {
  const hasScopes = raw !== undefined && raw !== null;
  if (allRoles === true && hasScopes)
    throw DomainError.invalidParameter('scopes', "Give either 'scopes' or 'all_roles=true', not both");
  if (allRoles === true) return null;
  if (!hasScopes)
    throw DomainError.invalidParameter(
      'scopes',
      "Give the key's roles in 'scopes' (repeat it for several), or 'all_roles=true' for every role you hold",
    );
  return parseKeyScopes(raw, ownerRoles);
}

/** Throws why a key's scopes may not be set now: only a key that works can be changed. */
export function assertScopesChangeable(state: KeyState, now: Date): void {
  assertKeyChangeable(state, now, 'setting its scopes');
}
