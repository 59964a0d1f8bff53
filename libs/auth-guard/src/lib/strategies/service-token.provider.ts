import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '@rs/service-kit';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions, ServiceCredentials } from '../auth-guard.options';

const FETCH_TIMEOUT_MS = 5000;
/** A token is renewed this long before it expires (at most half its life), so no call carries an expired one. */
const RENEW_BEFORE_EXPIRY_MS = 30_000;
/** After a failed fetch, callers go without a token this long instead of each waiting on a Keycloak that is down. */
const RETRY_AFTER_FAILURE_MS = 5_000;

interface CachedToken {
  value: string;
  renewAt: number;
}

/**
 * The guard's own access token (client-credentials grant of `apiKey.serviceCredentials`), which identifies the
 * service to the key manager. Cached until shortly before it expires; concurrent callers share one fetch.
 */
@Injectable()
export class ServiceTokenProvider {
  private readonly logger = new Logger(ServiceTokenProvider.name);
  private readonly credentials?: ServiceCredentials & { tokenUrl: string };
  private cached?: CachedToken;
  private fetching?: Promise<string | undefined>;
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions) {
    const credentials = options.apiKey ? options.apiKey.serviceCredentials : undefined;
    if (!credentials) return;
    const { url, realm } = options.keycloak;
    this.credentials = {
      ...credentials,
      tokenUrl: credentials.tokenUrl ?? `${url.replace(/\/+$/, '')}/realms/${realm}/protocol/openid-connect/token`,
    };
  }

  get configured(): boolean {
    return this.credentials !== undefined;
  }

  /** A token valid for a while yet; undefined when none is configured or Keycloak cannot give one now. */
  async token(): Promise<string | undefined> {
    if (!this.credentials) return undefined;
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.value;
    if (Date.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) return undefined;
    this.fetching ??= this.fetchToken(this.credentials).finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** Forgets `token` (the key manager refused it), so the next call fetches another. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(credentials: ServiceCredentials & { tokenUrl: string }): Promise<string | undefined> {
    try {
      const response = await fetch(credentials.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        }),
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      const value = body['access_token'];
      if (!response.ok || typeof value !== 'string')
        throw new Error(`${response.status} ${String(body['error_description'] ?? body['error'] ?? '')}`.trim());
      const lifeMs = Number(body['expires_in']) * 1000 || 60_000;
      this.cached = { value, renewAt: Date.now() + lifeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifeMs / 2) };
      return value;
    } catch (error) {
      this.failedAt = Date.now();
      this.logger.warn(
        `No service token for client ${credentials.clientId} from ${credentials.tokenUrl}: ${errorMessage(error)}; ` +
          'key checks go unauthenticated meanwhile',
      );
      return undefined;
    }
  }
}
