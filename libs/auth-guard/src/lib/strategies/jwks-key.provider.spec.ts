import { Logger } from '@nestjs/common';
import type { AuthGuardOptions } from '../auth-guard.options';
import { FakeKeycloak } from '../testing/fake-keycloak.test-helper';
import { JwksKeyProvider } from './jwks-key.provider';

describe(JwksKeyProvider.name, () => {
  let keycloak: FakeKeycloak;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    keycloak = await FakeKeycloak.start();
  });

  afterAll(() => keycloak.stop());

  beforeEach(() => {
    keycloak.down = false;
    keycloak.jwksHits = 0;
  });

  function create(keyRefetchIntervalMs = 0): JwksKeyProvider {
    const options: AuthGuardOptions = {
      serviceName: 's',
      keycloak: { url: `${keycloak.url}/`, realm: keycloak.realm, audience: keycloak.audience, keyRefetchIntervalMs },
      apiKey: false,
      kafka: false,
    };
    return new JwksKeyProvider(options);
  }

  describe('keyFor', () => {
    it('should fetch nothing before the first token', () => {
      create();
      expect(keycloak.jwksHits).toBe(0);
    });

    it('should find the key named by the token kid, fetching the JWKS once', async () => {
      const sut = create();
      await expect(sut.keyFor(await keycloak.token())).resolves.toHaveProperty('asymmetricKeyType', 'rsa');
      await sut.keyFor(await keycloak.token());
      expect(keycloak.jwksHits).toBe(1);
    });

    it('should recover when Keycloak was down at the first token', async () => {
      const sut = create();
      keycloak.down = true;
      await expect(sut.keyFor(await keycloak.token())).rejects.toThrow(/no signing key/);
      keycloak.down = false;
      await expect(sut.keyFor(await keycloak.token())).resolves.toBeDefined();
    });

    it('should refuse a token without kid or that is not a JWT', async () => {
      const sut = create();
      const [, payload, signature] = (await keycloak.token()).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
      await expect(sut.keyFor(`${header}.${payload}.${signature}`)).rejects.toThrow(/no kid/);
      await expect(sut.keyFor('garbage')).rejects.toThrow(/no kid/);
    });

    it('should share one fetch between concurrent unknown kids', async () => {
      const sut = create();
      const token = await keycloak.token();
      await Promise.all([sut.keyFor(token), sut.keyFor(token), sut.keyFor(token)]);
      expect(keycloak.jwksHits).toBe(1);
    });
  });

  describe('ping', () => {
    it('should resolve while the realm answers and reject while it does not', async () => {
      const sut = create();
      await expect(sut.ping()).resolves.toBeUndefined();
      keycloak.down = true;
      await expect(sut.ping()).rejects.toThrow(/503/);
    });
  });
});
