import { DomainErrorCode, generateApiKey, revokedKeyError } from '@rs/key-domain';
import type { Request } from 'express';
import { Registry } from 'prom-client';
import { ApiKeyVerifier } from '../api-key/api-key.verifier';
import type { KeyManagerClient } from '../api-key/key-manager.client';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions } from '../auth-guard.options';
import { KeyEventsStatus } from '../events/key-events.status';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { acceptedCheck } from '../testing/key-check-result.test-helper';

function requestWith(headers: Record<string, string>): Request {
  return { headers, ip: '127.0.0.1', socket: {} } as unknown as Request;
}

describe(ApiKeyAuthenticator.name, () => {
  let client: { checkKey: jest.Mock };
  let verifier: ApiKeyVerifier;
  let sut: ApiKeyAuthenticator;
  const key = generateApiKey();

  beforeEach(() => {
    client = { checkKey: jest.fn(async () => acceptedCheck()) };
    const options: AuthGuardOptions = {
      serviceName: 's',
      keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
      apiKey: { keyManagerUrl: 'http://km', cacheTtlMs: 60_000 },
      kafka: false,
    };
    verifier = new ApiKeyVerifier(
      options,
      client as unknown as KeyManagerClient,
      new KeyEventsStatus(options),
      new AuthGuardMetrics(new Registry()),
    );
    sut = new ApiKeyAuthenticator(verifier);
  });

  describe('authenticate', () => {
    it('should verify the x-api-key header through the strategy and cache the check', async () => {
      const principal = await sut.authenticate(requestWith({ 'x-api-key': key, referer: 'https://app.example' }));
      expect(principal.key_id).toBe('key-1');
      expect(client.checkKey).toHaveBeenCalledWith(
        key,
        expect.objectContaining({ referer: 'https://app.example', clientIp: '127.0.0.1' }),
      );
      expect(verifier.cacheSize).toBe(1);
    });

    it('should answer KEY_MISSING when the header is absent', async () => {
      await expect(sut.authenticate(requestWith({}))).rejects.toMatchObject({ code: DomainErrorCode.KEY_MISSING });
      expect(client.checkKey).not.toHaveBeenCalled();
    });
  });

  describe('authenticateCached', () => {
    it('should answer a cached key in the same tick without asking the key manager again', async () => {
      await sut.authenticate(requestWith({ 'x-api-key': key }));
      const principal = sut.authenticateCached(requestWith({ 'x-api-key': key }));
      expect(principal).not.toBeInstanceOf(Promise);
      expect(principal?.key_id).toBe('key-1');
      expect(client.checkKey).toHaveBeenCalledTimes(1);
    });

    it('should return undefined when the key is not cached or not sent, without asking anyone', () => {
      expect(sut.authenticateCached(requestWith({ 'x-api-key': key }))).toBeUndefined();
      expect(sut.authenticateCached(requestWith({ 'x-api-key': '' }))).toBeUndefined();
      expect(sut.authenticateCached(requestWith({}))).toBeUndefined();
      expect(client.checkKey).not.toHaveBeenCalled();
    });

    it('should throw the refusal of a cached key that was revoked', async () => {
      await sut.authenticate(requestWith({ 'x-api-key': key }));
      verifier.refuseKeyId('key-1', revokedKeyError);
      expect(() => sut.authenticateCached(requestWith({ 'x-api-key': key }))).toThrow(
        expect.objectContaining({ code: DomainErrorCode.KEY_REVOKED }),
      );
    });

    it('should check the allowed referers of a cached key against the request', async () => {
      client.checkKey.mockResolvedValue(acceptedCheck({ allowed_referers: ['https://app.example'] }));
      await sut.authenticate(requestWith({ 'x-api-key': key, referer: 'https://app.example/page' }));
      expect(
        sut.authenticateCached(requestWith({ 'x-api-key': key, referer: 'https://app.example/other' }))?.key_id,
      ).toBe('key-1');
      expect(() => sut.authenticateCached(requestWith({ 'x-api-key': key, referer: 'https://evil.example' }))).toThrow(
        expect.objectContaining({ code: DomainErrorCode.KEY_REFERER_NOT_ALLOWED }),
      );
    });
  });
});
