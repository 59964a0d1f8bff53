import type { Request } from 'express';

export type AuthMethod = 'oauth2' | 'api_key';

/** Who is calling, however they authenticated. Field names follow RS-Server's check_key response. */
export interface AuthPrincipal {
  user_id: string;
  user_login: string;
  iam_roles: string[];
  config: Record<string, unknown>;
  auth_method: AuthMethod;
  /** Set when the caller used an API key (never the key value). */
  key_id?: string;
  /** The key's own limit of requests per UTC minute, from the check answer; absent: none. */
  rate_limit_per_minute?: number;
}

/** Express request as the guard leaves it. */
export interface AuthenticatedRequest extends Request {
  principal?: AuthPrincipal;
}

/** The principal the guard attached, or undefined on a public route. */
export function principalOf(request: Request): AuthPrincipal | undefined {
  return (request as AuthenticatedRequest).principal;
}
