import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import type { AuthGuardOptions } from '../auth-guard.options';
import { errorMessage } from '@rs/service-kit';

const FETCH_TIMEOUT_MS = 5000;

/**
 * The realm's token signing keys, by `kid`: refetched when a token names an unknown `kid` (after Keycloak
 * rotated its keys or was re-created), at most once per `keyRefetchIntervalMs` so forged kids cannot flood
 * Keycloak; fetched lazily, so a Keycloak that is down at start-up is not a problem.
 */
@Injectable()
export class JwksKeyProvider {
  private readonly logger = new Logger(JwksKeyProvider.name);
  private readonly discoveryUrl: string;
  private readonly refetchIntervalMs: number;
  private keys = new Map<string, KeyObject>();
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private refreshing?: Promise<void>;

  constructor(@Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions) {
    const { url, realm, keyRefetchIntervalMs } = options.keycloak;
    this.discoveryUrl = `${url.replace(/\/+$/, '')}/realms/${realm}/.well-known/openid-configuration`;
    this.refetchIntervalMs = keyRefetchIntervalMs ?? 2000;
  }

  /** The public key that should have signed this compact JWT; rejects with a reason otherwise. */
  async keyFor(token: string): Promise<KeyObject> {
    const kid = kidOf(token);
    if (!kid) throw new Error('token header has no kid');
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.lastFetchAt >= this.refetchIntervalMs) {
      await this.refresh();
      key = this.keys.get(kid);
    }
    if (!key) throw new Error(`no signing key of realm matches kid ${kid}`);
    return key;
  }

  /** Resolves when the realm's openid-configuration answers: a readiness check for apps. */
  async ping(): Promise<void> {
    await getJson(this.discoveryUrl);
  }

  /** Fetches the JWKS now (concurrent callers share one fetch). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchKeys().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetchKeys(): Promise<void> {
    this.lastFetchAt = Date.now();
    try {
      const discovery = await getJson(this.discoveryUrl);
      const jwksUri = discovery['jwks_uri'];
      if (typeof jwksUri !== 'string') throw new Error('openid-configuration has no jwks_uri');
      const jwks = await getJson(jwksUri);
      const keys = new Map<string, KeyObject>();
      for (const jwk of Array.isArray(jwks['keys']) ? (jwks['keys'] as Record<string, unknown>[]) : []) {
        if (
          jwk['kty'] !== 'RSA' ||
          typeof jwk['kid'] !== 'string' ||
          (jwk['use'] !== undefined && jwk['use'] !== 'sig')
        )
          continue;
        keys.set(jwk['kid'], createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      }
      if (keys.size === 0) throw new Error('the realm JWKS has no RSA signing key');
      this.keys = keys;
      this.logger.log(`Loaded ${keys.size} signing key(s) of the Keycloak realm`);
    } catch (error) {
      this.logger.warn(`Cannot load the Keycloak realm keys from ${this.discoveryUrl}: ${errorMessage(error)}`);
    }
  }
}

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
