import {
  type FieldCheck,
  isIsoTime,
  isNonEmptyString,
  isNonNegativeInteger,
  optional,
  type ParseResult,
  schemaParser,
} from './validation.util';

/** Path of the key manager's check endpoint, which guarded services call on a cache miss. */
export const KEY_CHECK_PATH = '/auth/check_key';

/**
 * What `GET /auth/check_key` answers for a valid key (200): RS-Server's fields, then this platform's
 * additions (optional to a reader, always sent by this key manager). Written by the key manager, read by
 * every guard.
 */
export interface KeyCheckResponse {
  user_id: string;
  user_login: string;
  iam_roles: string[];
  config: Record<string, unknown>;
  key_id: string;
  allowed_referers?: string[];
  /** ISO time, or null when the key never expires. */
  expiration_date?: string | null;
  never_expire?: boolean;
  /** The key's state version (see KeyLifecycleEventV1.state_version): lifecycle events up to it are already in. */
  state_version?: number;
  /** The key's own limit of requests per UTC minute, enforced by the guards; absent: none. */
  rate_limit_per_minute?: number;
}

const isStringList: FieldCheck = (value) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isObject: FieldCheck = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

const parseResponse = schemaParser<KeyCheckResponse>({
  user_id: isNonEmptyString,
  user_login: isNonEmptyString,
  iam_roles: isStringList,
  config: isObject,
  key_id: isNonEmptyString,
  allowed_referers: optional(isStringList),
  expiration_date: optional(isIsoTime),
  never_expire: optional((value) => typeof value === 'boolean'),
  state_version: optional(isNonNegativeInteger),
  rate_limit_per_minute: optional(isNonNegativeInteger),
});

/** Validates a check response given as an object or JSON. */
export function parseKeyCheckResponse(raw: unknown): ParseResult<KeyCheckResponse> {
  return parseResponse(raw);
}
