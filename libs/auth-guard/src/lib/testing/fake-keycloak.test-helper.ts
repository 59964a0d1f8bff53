import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

export interface TokenClaims {
  sub?: string | null;
  preferred_username?: string;
  roles?: string[];
  aud?: string;
  iss?: string;
  typ?: string;
  /** The client the token was issued to. */
  azp?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number | null;
}

/** A realm that serves openid-configuration and a JWKS over HTTP, and signs tokens with its keys. */
export class FakeKeycloak {
  readonly realm = 'rs-test';
  readonly audience = 'rs-server';
  discoveryHits = 0;
  /** While true every request answers 503, like a Keycloak that is still starting. */
  down = false;
  jwksHits = 0;
  private keys: SigningKey[] = [];
  private kidCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeKeycloak> {
    const holder: { realm?: FakeKeycloak } = {};
    const server = createServer((request, response) => holder.realm?.handle(request.url ?? '', response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const realm = new FakeKeycloak(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    holder.realm = realm;
    await realm.rotateKeys();
    return realm;
  }

  get issuer(): string {
    return `${this.url}/realms/${this.realm}`;
  }

  /** Replaces the signing keys, like a Keycloak re-created with a fresh database. */
  async rotateKeys(): Promise<void> {
    this.keys = [await this.newKey()];
  }

  /** A key that signs tokens but is not published in the JWKS. */
  async unpublishedKey(): Promise<SigningKey> {
    return this.newKey();
  }

  async token(claims: TokenClaims = {}, signWith: SigningKey | undefined = this.keys[0]): Promise<string> {
    const key = signWith as SigningKey;
    const payload: Record<string, unknown> = {
      typ: claims.typ ?? 'Bearer',
      preferred_username: claims.preferred_username ?? 'alice',
      realm_access: { roles: claims.roles ?? [] },
      ...(claims.azp === undefined ? {} : { azp: claims.azp }),
    };
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(claims.iss ?? this.issuer)
      .setAudience(claims.aud ?? this.audience)
      .setIssuedAt();
    if (claims.expiresIn !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresIn ?? 300));
    if (claims.sub !== null) jwt.setSubject(claims.sub ?? 'user-alice');
    return jwt.sign(key.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async newKey(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = `kid-${++this.kidCounter}`;
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
  }

  private handle(path: string, response: import('node:http').ServerResponse): void {
    if (this.down) return void response.writeHead(503).end();
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === `/realms/${this.realm}/.well-known/openid-configuration`) {
      this.discoveryHits++;
      return send({ issuer: this.issuer, jwks_uri: `${this.issuer}/protocol/openid-connect/certs` });
    }
    if (path === `/realms/${this.realm}/protocol/openid-connect/certs`) {
      this.jwksHits++;
      return send({ keys: this.keys.map((key) => key.jwk) });
    }
    response.writeHead(404).end();
  }
}
