/** Stable, machine-readable reasons a key operation fails. Mapped to HTTP statuses by each app's filter. */
export enum DomainErrorCode {
  KEY_MISSING = 'KEY_MISSING',
  KEY_MALFORMED = 'KEY_MALFORMED',
  KEY_NOT_FOUND = 'KEY_NOT_FOUND',
  // An unknown key presented for use (check): refused as 403, unlike KEY_NOT_FOUND on management routes.
  KEY_INVALID = 'KEY_INVALID',
  KEY_REVOKED = 'KEY_REVOKED',
  // Renewing a key an administrator revoked: the owner cannot undo it (403).
  KEY_REVOKED_BY_ADMIN = 'KEY_REVOKED_BY_ADMIN',
  KEY_EXPIRED = 'KEY_EXPIRED',
  KEY_USER_DISABLED = 'KEY_USER_DISABLED',
  KEY_REFERER_NOT_ALLOWED = 'KEY_REFERER_NOT_ALLOWED',
  INVALID_PARAMETER = 'INVALID_PARAMETER',
  // The owner already has as many active keys as the policy allows (409).
  KEY_LIMIT_REACHED = 'KEY_LIMIT_REACHED',
  ROLE_REQUIRED = 'ROLE_REQUIRED',
  RATE_LIMITED = 'RATE_LIMITED',
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
}

/** A rule of the key domain was not met; `message` is safe to show to the caller (it never holds a key value). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra, non-secret detail for the response body (e.g. the parameter name). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalidParameter(parameter: string, message: string): DomainError {
    return new DomainError(DomainErrorCode.INVALID_PARAMETER, message, { parameter });
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
