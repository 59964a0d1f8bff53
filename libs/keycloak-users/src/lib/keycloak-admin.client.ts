import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '@rs/service-kit';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';

/** What the key manager needs to know about a Keycloak user. */
export interface KeycloakUser {
  id: string;
  username: string;
  enabled: boolean;
  /** Where the platform writes to the user (expiry notices); absent when Keycloak has none. */
  email?: string;
  emailVerified?: boolean;
  /** Keycloak keeps attributes as lists of strings; single values are unwrapped. */
  attributes: Record<string, string | string[]>;
  realmRoles: string[];
}

/** One entry of Keycloak's admin events (what an administrator changed, and where). */
export interface KeycloakAdminEvent {
  id: string;
  /** Keycloak's clock, epoch milliseconds. */
  time: number;
  operationType: 'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION';
  resourceType: string;
  /** e.g. `users/<id>` or `users/<id>/role-mappings/realm`. */
  resourcePath: string;
}

const REQUEST_TIMEOUT_MS = 3000;

/**
 * Reads users, their realm roles and attributes through the admin REST API with the key manager's
 * service account (client credentials). Returns null for a user that no longer exists.
 */
@Injectable()
export class KeycloakAdminClient {
  private readonly logger = new Logger(KeycloakAdminClient.name);
  private token: { value: string; expiresAt: number } | null = null;

  constructor(@Inject(KEYCLOAK_USERS_OPTIONS) private readonly options: KeycloakUsersOptions) {}

  async getUser(userId: string): Promise<KeycloakUser | null> {
    const base = `${this.realmAdminUrl()}/users/${encodeURIComponent(userId)}`;
    const user = await this.get<{
      id: string;
      username: string;
      enabled: boolean;
      email?: string;
      emailVerified?: boolean;
      attributes?: Record<string, string[]>;
    }>(base);
    if (!user) return null;
    const roles = (await this.get<Array<{ name: string }>>(`${base}/role-mappings/realm/composite`)) ?? [];
    const attributes = Object.fromEntries(
      Object.entries(user.attributes ?? {}).map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
    );
    return {
      id: user.id,
      username: user.username,
      enabled: user.enabled,
      ...(user.email ? { email: user.email, emailVerified: user.emailVerified === true } : {}),
      attributes,
      realmRoles: roles.map((role) => role.name).sort(),
    };
  }

  /** Admin events from `fromTime` (inclusive) in time order, a page at a time. Needs the view-events role. */
  async adminEvents(fromTime: number, first: number, max: number): Promise<KeycloakAdminEvent[]> {
    const query = new URLSearchParams({
      dateFrom: String(fromTime),
      direction: 'asc',
      first: String(first),
      max: String(max),
    });
    return (await this.get<KeycloakAdminEvent[]>(`${this.realmAdminUrl()}/admin-events?${query}`)) ?? [];
  }

  async ping(): Promise<void> {
    const response = await fetch(this.realmUrl(), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`realm answered ${response.status}`);
  }

  private realmUrl(): string {
    return `${this.options.keycloak.url}/realms/${encodeURIComponent(this.options.keycloak.realm)}`;
  }

  private realmAdminUrl(): string {
    return `${this.options.keycloak.url}/admin/realms/${encodeURIComponent(this.options.keycloak.realm)}`;
  }

  private async get<T>(url: string, retried = false): Promise<T | null> {
    const response = await this.fetch(url, { headers: { authorization: `Bearer ${await this.accessToken()}` } });
    if (response.status === 404) return null;
    if (response.status === 401 && !retried) {
      this.token = null;
      return this.get<T>(url, true);
    }
    if (!response.ok) throw this.unavailable(`Keycloak admin API answered ${response.status}`);
    return (await response.json()) as T;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const response = await this.fetch(`${this.realmUrl()}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.options.keycloak.clientId,
        client_secret: this.options.keycloak.clientSecret,
      }),
    });
    if (!response.ok) throw this.unavailable(`Keycloak refused the key manager's service account (${response.status})`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    // Renew 30 s early so a token never expires between check and use.
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(0, body.expires_in - 30) * 1000 };
    return body.access_token;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      this.logger.warn(`Keycloak unreachable: ${errorMessage(error)}`);
      throw this.unavailable('Keycloak is unreachable');
    }
  }

  private unavailable(message: string): DomainError {
    return new DomainError(DomainErrorCode.DEPENDENCY_UNAVAILABLE, message);
  }
}
