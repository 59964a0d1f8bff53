import { HttpException, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { AuthGuardOptions } from '../auth-guard.options';
import type { ServiceTokenProvider } from '../strategies/service-token.provider';
import { acceptedKey, type FakeAnswer, FakeKeyManager } from '../testing/fake-key-manager.test-helper';
import { KeyManagerClient } from './key-manager.client';

const KEY = 'rsk_any-value-the-fake-does-not-check';
const serviceTokenRefusal: FakeAnswer = {
  status: 401,
  body: { code: DomainErrorCode.SERVICE_TOKEN_INVALID, message: 'Invalid service token: jwt expired' },
};

describe(KeyManagerClient.name, () => {
  let keyManager: FakeKeyManager;
  let tokens: { token: jest.Mock<Promise<string | undefined>, []>; invalidate: jest.Mock };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    keyManager = await FakeKeyManager.start();
  });

  afterAll(() => keyManager.stop());

  beforeEach(() => {
    keyManager.calls.length = 0;
    keyManager.answer = () => acceptedKey();
    let issued = 0;
    tokens = { token: jest.fn(async () => `service-token-${++issued}`), invalidate: jest.fn() };
  });

  function create(): KeyManagerClient {
    const options: AuthGuardOptions = {
      serviceName: 'auxip',
      keycloak: { url: 'http://127.0.0.1:9', realm: 'r', audience: 'a' },
      apiKey: { keyManagerUrl: keyManager.url },
      kafka: false,
    };
    return new KeyManagerClient(options, tokens as unknown as ServiceTokenProvider);
  }

  describe('checkKey', () => {
    it("should send the service token and the end client's address", async () => {
      await create().checkKey(KEY, { clientIp: '203.0.113.9' });
      expect(keyManager.calls[0]).toMatchObject({
        authorization: 'Bearer service-token-1',
        'x-forwarded-for': '203.0.113.9',
        'x-api-key': KEY,
      });
    });

    it('should call without authorization when the service has no token', async () => {
      tokens.token.mockResolvedValue(undefined);
      await expect(create().checkKey(KEY, { clientIp: '203.0.113.9' })).resolves.toMatchObject({
        principal: { user_login: 'bob' },
      });
      expect(keyManager.calls[0]?.authorization).toBeUndefined();
    });

    it('should fetch a new token once when the key manager refuses the service token', async () => {
      let calls = 0;
      keyManager.answer = () => (++calls === 1 ? serviceTokenRefusal : acceptedKey());
      await expect(create().checkKey(KEY, {})).resolves.toMatchObject({ principal: { key_id: 'key-1' } });
      expect(tokens.invalidate).toHaveBeenCalledWith('service-token-1');
      expect(keyManager.calls.map((headers) => headers.authorization)).toEqual([
        'Bearer service-token-1',
        'Bearer service-token-2',
      ]);
    });

    it("should answer 503 when the key manager refuses the service's fresh token too", async () => {
      keyManager.answer = () => serviceTokenRefusal;
      const error = await create()
        .checkKey(KEY, {})
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(DomainErrorCode.DEPENDENCY_UNAVAILABLE);
      expect(keyManager.calls).toHaveLength(2);
    });

    it('should pass on a refusal of the key itself without retrying, even a 401', async () => {
      keyManager.answer = () => ({ status: 401, body: { code: DomainErrorCode.KEY_MISSING, message: 'No API key' } });
      const error = await create()
        .checkKey(KEY, {})
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpException);
      expect((error as HttpException).getStatus()).toBe(401);
      expect((error as HttpException).getResponse()).toMatchObject({ code: DomainErrorCode.KEY_MISSING });
      expect(keyManager.calls).toHaveLength(1);
      expect(tokens.invalidate).not.toHaveBeenCalled();
    });
  });
});
