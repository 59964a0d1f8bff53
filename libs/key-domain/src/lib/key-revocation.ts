import { DomainError, DomainErrorCode } from './domain-error';

/**
 * Why a key last stopped working: revoked by its owner or by an administrator, expired, or its owner was
 * disabled in (or deleted from) Keycloak. Stored on the key (`revoked_by`, null while it works) and in the audit
 * trail.
 */
export type RevocationSource = 'owner' | 'admin' | 'expiry' | 'user_disabled' | 'user_deleted';

export const REVOCATION_SOURCES: readonly RevocationSource[] = [
  'owner',
  'admin',
  'expiry',
  'user_disabled',
  'user_deleted',
];

/** The refusal to renew a key an administrator revoked: leaked or abused keys must stay dead. */
export function revokedByAdminError(): DomainError {
  return new DomainError(
    DomainErrorCode.KEY_REVOKED_BY_ADMIN,
    'This API key was revoked by an administrator and cannot be renewed; create a new key',
  );
}

/** Throws when the key may not be renewed because of who revoked it. Owner revocations and expiries stay renewable. */
export function assertRenewable(state: { revoked_by?: RevocationSource | null }): void {
  if (state.revoked_by === 'admin') throw revokedByAdminError();
}
