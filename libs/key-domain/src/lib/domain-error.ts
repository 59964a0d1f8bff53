/**
 * Stable, machine-readable reasons a request is refused, in every app of the platform (the `code` of an error
 * response). Mapped to HTTP statuses by service-kit's DOMAIN_ERROR_STATUS.
 */
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
  // An API key used more than its `rate_limit_per_minute` in the current UTC minute (429).
  KEY_RATE_LIMITED = 'KEY_RATE_LIMITED',
  // An API key used more than its owner's `max_requests_per_day` in the current UTC day (429).
  KEY_QUOTA_EXCEEDED = 'KEY_QUOTA_EXCEEDED',
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
  // Bearer tokens (the guard).
  TOKEN_INVALID = 'TOKEN_INVALID',
  // A valid token issued to a client (azp) the service does not accept (401).
  TOKEN_CLIENT_NOT_ALLOWED = 'TOKEN_CLIENT_NOT_ALLOWED',
  // A service's credential on the key check is invalid or not of an allowed service client (401).
  SERVICE_TOKEN_INVALID = 'SERVICE_TOKEN_INVALID',
  BEARER_TOKEN_REQUIRED = 'BEARER_TOKEN_REQUIRED',
  // STAC catalog resources.
  COLLECTION_NOT_FOUND = 'COLLECTION_NOT_FOUND',
  COLLECTION_EXISTS = 'COLLECTION_EXISTS',
  ITEM_NOT_FOUND = 'ITEM_NOT_FOUND',
  // Auxip and Cadip: a route's `:station` that the service does not serve.
  STATION_NOT_FOUND = 'STATION_NOT_FOUND',
  ITEM_EXISTS = 'ITEM_EXISTS',
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
