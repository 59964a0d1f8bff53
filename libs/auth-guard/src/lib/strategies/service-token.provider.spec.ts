import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthGuardOptions } from '../auth-guard.options';
import { ServiceTokenProvider } from './service-token.provider';

/** A Keycloak token endpoint that hands out numbered tokens and records each grant it receives. */
class FakeTokenEndpoint {
  readonly grants: URLSearchParams[] = [];
  status = 200;
  expiresIn = 300;
  private issued = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeTokenEndpoint> {
    const holder: { endpoint?: FakeTokenEndpoint } = {};
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => holder.endpoint?.answer(new URLSearchParams(body), response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = new FakeTokenEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    holder.endpoint = endpoint;
    return endpoint;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(grant: URLSearchParams, response: import('node:http').ServerResponse): void {
    this.grants.push(grant);
    response.writeHead(this.status, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        this.status === 200
          ? { access_token: `token-${++this.issued}`, expires_in: this.expiresIn, token_type: 'Bearer' }
          : { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' },
      ),
    );
  }
}

describe(ServiceTokenProvider.name, () => {
  let endpoint: FakeTokenEndpoint;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    endpoint = await FakeTokenEndpoint.start();
  });

  afterAll(() => endpoint.stop());

  beforeEach(() => {
    endpoint.grants.length = 0;
    endpoint.status = 200;
    endpoint.expiresIn = 300;
  });

  function create(withCredentials = true): ServiceTokenProvider {
    const options: AuthGuardOptions = {
      serviceName: 'auxip',
      keycloak: { url: endpoint.url, realm: 'rs-test', audience: 'rs-server' },
      apiKey: {
        keyManagerUrl: 'http://127.0.0.1:9',
        serviceCredentials: withCredentials
          ? { clientId: 'rs-auxip', clientSecret: 'secret-of-auxip', tokenUrl: `${endpoint.url}/token` }
          : undefined,
      },
      kafka: false,
    };
    return new ServiceTokenProvider(options);
  }

  describe('token', () => {
    it('should give no token and call nobody when no credentials are configured', async () => {
      const sut = create(false);
      expect(sut.configured).toBe(false);
      await expect(sut.token()).resolves.toBeUndefined();
      expect(endpoint.grants).toHaveLength(0);
    });

    it("should fetch a client-credentials token of the service's own client", async () => {
      await expect(create().token()).resolves.toMatch(/^token-\d+$/);
      expect(Object.fromEntries(endpoint.grants[0] ?? [])).toEqual({
        grant_type: 'client_credentials',
        client_id: 'rs-auxip',
        client_secret: 'secret-of-auxip',
      });
    });

    it('should reuse the token until shortly before it expires, sharing one fetch between concurrent callers', async () => {
      const sut = create();
      const tokens = await Promise.all([sut.token(), sut.token(), sut.token()]);
      expect(new Set(tokens).size).toBe(1);
      await sut.token();
      expect(endpoint.grants).toHaveLength(1);
    });

    it('should fetch again when the token is about to expire', async () => {
      endpoint.expiresIn = 0.01;
      const sut = create();
      const first = await sut.token();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await sut.token()).not.toBe(first);
      expect(endpoint.grants).toHaveLength(2);
    });

    it('should give no token when Keycloak refuses the credentials, and not ask again at once', async () => {
      endpoint.status = 401;
      const sut = create();
      await expect(sut.token()).resolves.toBeUndefined();
      await expect(sut.token()).resolves.toBeUndefined();
      expect(endpoint.grants).toHaveLength(1);
    });
  });

  describe('invalidate', () => {
    it('should fetch a new token after the current one was refused', async () => {
      const sut = create();
      const first = (await sut.token()) as string;
      sut.invalidate(first);
      expect(await sut.token()).not.toBe(first);
      expect(endpoint.grants).toHaveLength(2);
    });

    it('should keep the current token when an older one is invalidated', async () => {
      const sut = create();
      const current = await sut.token();
      sut.invalidate('token-older');
      expect(await sut.token()).toBe(current);
    });
  });
});
