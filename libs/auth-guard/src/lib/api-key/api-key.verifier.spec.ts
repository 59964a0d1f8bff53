import { HttpException } from '@nestjs/common';
import { Registry } from 'prom-client';
import { generateApiKey, revokedKeyError } from '@rs/key-domain';
import { AuthGuardMetrics } from '../auth-guard.metrics';
import type { AuthGuardOptions } from '../auth-guard.options';
import { KeyEventsStatus } from '../events/key-events.status';
import { ApiKeyVerifier } from './api-key.verifier';
import type { KeyManagerClient } from './key-manager.client';
import { acceptedCheck } from '../testing/key-check-result.test-helper';

describe(ApiKeyVerifier.name, () => {
  let client: { checkKey: jest.Mock };
  let now: number;

  beforeEach(() => {
    client = { checkKey: jest.fn(async () => acceptedCheck()) };
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  function create(kafka: boolean, live: boolean, unknownKeyTtlMs?: number): ApiKeyVerifier {
    const options: AuthGuardOptions = {
      serviceName: 's',
      keycloak: { url: 'http://kc', realm: 'r', audience: 'a' },
      apiKey: { keyManagerUrl: 'http://km', cacheTtlMs: 60_000, unconfirmedCacheTtlMs: 5_000, unknownKeyTtlMs },
      kafka: kafka ? { brokers: ['b:1'], clientId: 's' } : false,
    };
    const status = new KeyEventsStatus(options);
    if (live) status.markListening();
    return new ApiKeyVerifier(
      options,
      client as unknown as KeyManagerClient,
      status,
      new AuthGuardMetrics(new Registry()),
    );
  }

  async function callsAfter(sut: ApiKeyVerifier, elapsedMs: number): Promise<number> {
    const key = generateApiKey();
    await sut.verify(key, {});
    now += elapsedMs;
    await sut.verify(key, {});
    return client.checkKey.mock.calls.length;
  }

  describe('verify', () => {
    it('should keep a check for the full TTL while lifecycle events flow', async () => {
      const sut = create(true, true);
      jest.spyOn(KeyEventsStatus.prototype, 'isLive').mockReturnValue(true);
      expect(await callsAfter(sut, 59_000)).toBe(1);
    });

    it('should keep a check only for the short TTL while lifecycle events do not flow', async () => {
      expect(await callsAfter(create(true, false), 6_000)).toBe(2);
    });

    it('should keep a check for the full TTL when the service runs without Kafka', async () => {
      expect(await callsAfter(create(false, false), 59_000)).toBe(1);
    });

    it('should remember briefly a well-formed key the key manager does not know, and refuse it again alone', async () => {
      const unknownKey = new HttpException({ code: 'KEY_INVALID', message: 'Invalid API key' }, 403);
      client.checkKey.mockRejectedValue(unknownKey);
      const sut = create(true, true);
      const key = generateApiKey();
      await expect(sut.verify(key, {})).rejects.toBe(unknownKey);
      await expect(sut.verify(key, {})).rejects.toBe(unknownKey);
      expect(client.checkKey).toHaveBeenCalledTimes(1);
    });

    it('should not remember a refusal other than an unknown key, nor any when the memory is off', async () => {
      client.checkKey.mockRejectedValue(revokedKeyError());
      const revoked = create(true, true);
      const key = generateApiKey();
      await expect(revoked.verify(key, {})).rejects.toThrow();
      await expect(revoked.verify(key, {})).rejects.toThrow();
      expect(client.checkKey).toHaveBeenCalledTimes(2);
      client.checkKey.mockRejectedValue(new HttpException({ code: 'KEY_INVALID' }, 403));
      const off = create(true, true, 0);
      await expect(off.verify(key, {})).rejects.toThrow();
      await expect(off.verify(key, {})).rejects.toThrow();
      expect(client.checkKey).toHaveBeenCalledTimes(4);
    });

    it('should not cache a check that raced with an eviction', async () => {
      const sut = create(false, false);
      let release: () => void = () => undefined;
      client.checkKey.mockImplementationOnce(
        () => new Promise((resolve) => (release = () => resolve(acceptedCheck()))),
      );
      const key = generateApiKey();
      const pending = sut.verify(key, {});
      await new Promise((resolve) => setImmediate(resolve));
      sut.evictKeyId('key-1');
      release();
      await pending;
      await sut.verify(key, {});
      expect(client.checkKey).toHaveBeenCalledTimes(2);
    });

    it('should not share a check between requests from different referers', async () => {
      const sut = create(false, false);
      client.checkKey.mockImplementation(async () => acceptedCheck({ allowed_referers: ['a.example'] }));
      const key = generateApiKey();
      const results = await Promise.allSettled([
        sut.verify(key, { referer: 'https://a.example/' }),
        sut.verify(key, { referer: 'https://b.example/' }),
      ]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
      expect(client.checkKey).toHaveBeenCalledTimes(2);
    });
  });

  describe('verifyCached', () => {
    it('should answer nothing for a key that is not cached, without calling the key manager', () => {
      const contextOf = jest.fn(() => ({}));
      expect(create(false, false).verifyCached(generateApiKey(), {}, contextOf)).toBeUndefined();
      expect(client.checkKey).not.toHaveBeenCalled();
      expect(contextOf).not.toHaveBeenCalled();
    });

    it('should answer a cached key without reading the request context when the key has no allowed_referers', async () => {
      const sut = create(false, false);
      const key = generateApiKey();
      await sut.verify(key, {});
      const contextOf = jest.fn(() => ({}));
      expect(sut.verifyCached(key, {}, contextOf)).toMatchObject({ key_id: 'key-1', user_id: 'u-1' });
      expect(contextOf).not.toHaveBeenCalled();
      expect(client.checkKey).toHaveBeenCalledTimes(1);
    });

    it('should enforce the allowed_referers of a cached key', async () => {
      const sut = create(false, false);
      client.checkKey.mockImplementation(async () => acceptedCheck({ allowed_referers: ['a.example'] }));
      const key = generateApiKey();
      await sut.verify(key, { referer: 'https://a.example/' });
      const refererOf = (referer: string) => ({ referer });
      expect(sut.verifyCached(key, 'https://a.example/page', refererOf)).toMatchObject({ key_id: 'key-1' });
      expect(() => sut.verifyCached(key, 'https://b.example/', refererOf)).toThrow(
        expect.objectContaining({ code: 'KEY_REFERER_NOT_ALLOWED' }),
      );
    });

    it('should refuse a cached key marked refused by a lifecycle event, without calling the key manager', async () => {
      const sut = create(false, false);
      const key = generateApiKey();
      await sut.verify(key, {});
      expect(sut.refuseKeyId('key-1', revokedKeyError)).toBe(1);
      expect(() => sut.verifyCached(key, {}, () => ({}))).toThrow(expect.objectContaining({ code: 'KEY_REVOKED' }));
      await expect(sut.verify(key, {})).rejects.toMatchObject({ code: 'KEY_REVOKED' });
      expect(client.checkKey).toHaveBeenCalledTimes(1);
    });

    it('should forget a key evicted by a lifecycle event', async () => {
      const sut = create(false, false);
      const key = generateApiKey();
      await sut.verify(key, {});
      sut.evictKeyId('key-1');
      expect(sut.verifyCached(key, {}, () => ({}))).toBeUndefined();
    });
  });
});
