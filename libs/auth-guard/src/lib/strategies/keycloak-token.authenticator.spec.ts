import { Logger, UnauthorizedException } from '@nestjs/common';
import { DomainErrorCode } from '@rs/key-domain';
import type { Request } from 'express';
import type { AuthGuardOptions } from '../auth-guard.options';
import { FakeKeycloak } from '../testing/fake-keycloak.test-helper';
import { JwksKeyProvider } from './jwks-key.provider';
import { KeycloakTokenAuthenticator } from './keycloak-token.authenticator';

function requestWith(token: string): Request {
  return { headers: { authorization: `Bearer ${token}` } } as Request;
}

async function refusalOf(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UnauthorizedException)) throw new Error(`expected a 401, got ${String(error)}`);
  const body = error.getResponse() as { code: string; message: string };
  return { status: error.getStatus(), code: body.code, message: body.message };
}

describe(KeycloakTokenAuthenticator.name, () => {
  let keycloak: FakeKeycloak;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    keycloak = await FakeKeycloak.start();
  });

  afterAll(() => keycloak.stop());

  function create(allowedAzp?: string[]): KeycloakTokenAuthenticator {
    const options: AuthGuardOptions = {
      serviceName: 's',
      keycloak: { url: keycloak.url, realm: keycloak.realm, audience: keycloak.audience, allowedAzp },
      apiKey: false,
      kafka: false,
    };
    return new KeycloakTokenAuthenticator(options, new JwksKeyProvider(options));
  }

  describe('authenticate', () => {
    it('should accept a token of any client when no allow-list is configured', async () => {
      const sut = create([]);
      await expect(sut.authenticate(requestWith(await keycloak.token({ azp: 'anything' })))).resolves.toMatchObject({
        user_id: 'user-alice',
        auth_method: 'oauth2',
      });
    });

    it('should accept a token whose client is in the allow-list', async () => {
      const sut = create(['swagger-ui', 'rs-cli']);
      await expect(sut.authenticate(requestWith(await keycloak.token({ azp: 'rs-cli' })))).resolves.toMatchObject({
        user_login: 'alice',
      });
    });

    it('should refuse with 401 TOKEN_CLIENT_NOT_ALLOWED a token of a client outside the allow-list', async () => {
      const sut = create(['swagger-ui']);
      const refusal = await refusalOf(sut.authenticate(requestWith(await keycloak.token({ azp: 'rogue-app' }))));
      expect(refusal).toMatchObject({ status: 401, code: DomainErrorCode.TOKEN_CLIENT_NOT_ALLOWED });
      expect(refusal.message).toContain("'rogue-app'");
    });

    it('should refuse with 401 TOKEN_CLIENT_NOT_ALLOWED a token without azp when an allow-list is configured', async () => {
      const sut = create(['swagger-ui']);
      const refusal = await refusalOf(sut.authenticate(requestWith(await keycloak.token())));
      expect(refusal.code).toBe(DomainErrorCode.TOKEN_CLIENT_NOT_ALLOWED);
    });

    it('should refuse with 401 TOKEN_INVALID naming the reason an expired token, before looking at its client', async () => {
      const sut = create(['swagger-ui']);
      const refusal = await refusalOf(
        sut.authenticate(requestWith(await keycloak.token({ azp: 'rogue-app', expiresIn: -120 }))),
      );
      expect(refusal).toMatchObject({
        code: DomainErrorCode.TOKEN_INVALID,
        message: expect.stringContaining('expired'),
      });
    });
  });

  describe('authenticateService', () => {
    const services = new Set(['rs-auxip']);

    it('should name the service client of a valid token, whatever the user allow-list says', async () => {
      const sut = create(['swagger-ui']);
      await expect(
        sut.authenticateService(requestWith(await keycloak.token({ azp: 'rs-auxip' })), services),
      ).resolves.toEqual({ clientId: 'rs-auxip' });
    });

    it('should name no service for a valid token of a client that is not a service', async () => {
      const sut = create();
      await expect(
        sut.authenticateService(requestWith(await keycloak.token({ azp: 'swagger-ui' })), services),
      ).resolves.toEqual({ clientId: null });
    });

    it('should refuse with 401 SERVICE_TOKEN_INVALID naming the reason a token signed by another key', async () => {
      const sut = create();
      const forged = await keycloak.token({ azp: 'rs-auxip' }, await keycloak.unpublishedKey());
      const refusal = await refusalOf(sut.authenticateService(requestWith(forged), services));
      expect(refusal).toMatchObject({
        code: DomainErrorCode.SERVICE_TOKEN_INVALID,
        message: expect.stringContaining('no signing key'),
      });
    });

    it('should refuse with 401 SERVICE_TOKEN_INVALID an expired service token', async () => {
      const sut = create();
      const refusal = await refusalOf(
        sut.authenticateService(requestWith(await keycloak.token({ azp: 'rs-auxip', expiresIn: -120 })), services),
      );
      expect(refusal).toMatchObject({
        code: DomainErrorCode.SERVICE_TOKEN_INVALID,
        message: expect.stringContaining('expired'),
      });
    });
  });
});
