import { UnauthorizedException } from '@nestjs/common';
import type { KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { MetricsService } from '@rs/service-kit';
import type { Request } from 'express';
import type { KeyManagerConfig } from '../config/key-manager.config';
import { KeyCheckCallerResolver } from './key-check-caller.resolver';

function request(headers: Record<string, string>, ip = '127.0.0.1'): Request {
  return { headers, ip, socket: { remoteAddress: ip } } as unknown as Request;
}

describe(KeyCheckCallerResolver.name, () => {
  let sut: KeyCheckCallerResolver;
  let tokens: jest.Mocked<Pick<KeycloakTokenAuthenticator, 'authenticateService'>>;

  beforeEach(() => {
    tokens = {
      authenticateService: jest.fn(async (_request: Request, _clients: ReadonlySet<string>) => ({
        clientId: 'rs-auxip',
      })),
    };
    sut = new KeyCheckCallerResolver(
      { KEY_CHECK_SERVICE_CLIENTS: ['rs-auxip'] } as KeyManagerConfig,
      tokens as unknown as KeycloakTokenAuthenticator,
      new MetricsService(),
    );
  });

  describe('resolve', () => {
    it('should count an unauthenticated caller by its own address, whatever X-Forwarded-For says', async () => {
      await expect(sut.resolve(request({ 'x-forwarded-for': '198.51.100.1' }, '10.9.9.9'))).resolves.toEqual({
        service: null,
        clientAddress: '10.9.9.9',
      });
      expect(tokens.authenticateService).not.toHaveBeenCalled();
    });

    it('should believe the end client a service names once its token checks out', async () => {
      const caller = await sut.resolve(
        request({ authorization: 'Bearer t', 'x-forwarded-for': '198.51.100.1, 10.0.0.3' }, '10.9.9.9'),
      );
      expect(caller).toEqual({ service: 'rs-auxip', clientAddress: '198.51.100.1' });
      expect(tokens.authenticateService).toHaveBeenCalledWith(expect.anything(), new Set(['rs-auxip']));
    });

    it('should count a service that names no client by its own address', async () => {
      await expect(sut.resolve(request({ authorization: 'Bearer t' }, '10.9.9.9'))).resolves.toEqual({
        service: 'rs-auxip',
        clientAddress: '10.9.9.9',
      });
    });

    it('should refuse with 400 a service that names a client without an address', async () => {
      const error = await sut
        .resolve(request({ authorization: 'Bearer t', 'x-forwarded-for': 'somewhere' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: DomainErrorCode.INVALID_PARAMETER,
        details: { parameter: 'x-forwarded-for' },
      });
    });

    it("should count a user's own token as no service, by the caller's own address", async () => {
      tokens.authenticateService.mockResolvedValue({ clientId: null });
      await expect(
        sut.resolve(request({ authorization: 'Bearer user', 'x-forwarded-for': '198.51.100.1' }, '10.9.9.9')),
      ).resolves.toEqual({ service: null, clientAddress: '10.9.9.9' });
    });

    it('should pass on the refusal of a bad service token', async () => {
      tokens.authenticateService.mockRejectedValue(
        new UnauthorizedException({ code: DomainErrorCode.SERVICE_TOKEN_INVALID, message: 'Invalid service token: x' }),
      );
      await expect(
        sut.resolve(request({ authorization: 'Bearer bad', 'x-forwarded-for': '198.51.100.1' })),
      ).rejects.toThrow(UnauthorizedException);
    });
  });
});
