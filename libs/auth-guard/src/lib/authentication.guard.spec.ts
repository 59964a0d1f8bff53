import { Controller, type ExecutionContext, Get, type INestApplication, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateApiKey } from '@rs/key-domain';
import { createValidationPipe, DomainExceptionFilter, Public } from '@rs/service-kit';
import { IsOptional, IsString } from 'class-validator';
import request from 'supertest';
import { ApiKeyVerifier } from './api-key/api-key.verifier';
import { AuthGuardModule } from './auth-guard.module';
import type { AuthGuardOptions } from './auth-guard.options';
import type { AuthPrincipal } from './auth-principal';
import { AuthenticationGuard } from './authentication.guard';
import { BearerOnly } from './decorators/bearer-only.decorator';
import { CurrentPrincipal } from './decorators/current-principal.decorator';
import { RequireRoles } from './decorators/require-roles.decorator';
import { KeyUsagePublisher } from './events/key-usage.publisher';
import { acceptedKey, FakeKeyManager } from './testing/fake-key-manager.test-helper';
import { FakeKeycloak } from './testing/fake-keycloak.test-helper';

class SearchQuery {
  @IsOptional()
  @IsString()
  q?: string;
}

@Controller('things')
class ThingsController {
  @Public()
  @Get('open')
  open(): { open: true } {
    return { open: true };
  }

  @Get()
  whoAmI(@CurrentPrincipal() principal: AuthPrincipal): AuthPrincipal {
    return principal;
  }

  @Get('search')
  search(@Query() query: SearchQuery): SearchQuery {
    return query;
  }

  @RequireRoles('rs_admin')
  @Get('admin')
  admin(): string {
    return 'admin';
  }

  @RequireRoles(({ station }) => [`rs_cadip_${station.toLowerCase()}_read`])
  @Get(':station/session')
  sessions(): string {
    return 'sessions';
  }

  @BearerOnly()
  @Get('bearer-only')
  bearerOnly(): string {
    return 'bearer';
  }
}

@RequireRoles('rs_team')
@Controller('team')
class TeamController {
  @RequireRoles('rs_team_lead')
  @Get()
  lead(): string {
    return 'lead';
  }
}

describe('AuthenticationGuard', () => {
  let keycloak: FakeKeycloak;
  let keyManager: FakeKeyManager;
  let app: INestApplication | undefined;
  const usage = { enabled: true, record: jest.fn() };

  beforeAll(async () => {
    keycloak = await FakeKeycloak.start();
    keyManager = await FakeKeyManager.start();
  });

  afterAll(async () => {
    await keycloak.stop();
    await keyManager.stop();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    keyManager.calls.length = 0;
    keyManager.answer = () => acceptedKey();
    usage.record.mockReset();
  });

  async function boot(overrides: Partial<AuthGuardOptions> = {}): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthGuardModule.forRoot({
          serviceName: 'things',
          keycloak: {
            url: keycloak.url,
            realm: keycloak.realm,
            audience: keycloak.audience,
            keyRefetchIntervalMs: 60_000,
          },
          apiKey: { keyManagerUrl: keyManager.url, cacheTtlMs: 60_000, requestTimeoutMs: 500 },
          kafka: false,
          ...overrides,
        }),
      ],
      controllers: [ThingsController, TeamController],
    })
      .overrideProvider(KeyUsagePublisher)
      .useValue(usage)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalFilters(new DomainExceptionFilter());
    await app.init();
    return app;
  }

  const http = () => request((app as INestApplication).getHttpServer());

  describe('without credentials', () => {
    it('should let a @Public route through', async () => {
      await boot();
      await http().get('/things/open').expect(200, { open: true });
    });

    it('should answer 401 KEY_MISSING with a Bearer challenge when nothing is sent', async () => {
      await boot();
      const response = await http().get('/things').expect(401);
      expect(response.body.code).toBe('KEY_MISSING');
      expect(response.body.message).toMatch(/Authorization: Bearer/);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it('should answer 401 TOKEN_INVALID when the Authorization scheme is not Bearer', async () => {
      await boot();
      const response = await http().get('/things').set('Authorization', 'Basic YWxpY2U6eA==').expect(401);
      expect(response.body.code).toBe('TOKEN_INVALID');
    });
  });

  describe('with a Keycloak access token', () => {
    it('should attach the principal from sub, preferred_username and realm roles', async () => {
      await boot();
      const token = await keycloak.token({
        sub: 'user-alice',
        preferred_username: 'alice',
        roles: ['rs_cadip_ins_read'],
      });
      const response = await http().get('/things').set('Authorization', `Bearer ${token}`).expect(200);
      expect(response.body).toEqual({
        user_id: 'user-alice',
        user_login: 'alice',
        iam_roles: ['rs_cadip_ins_read'],
        config: {},
        auth_method: 'oauth2',
      });
    });

    it.each([
      ['expired', { expiresIn: -60 }, /jwt expired/],
      ['for another audience', { aud: 'account' }, /audience invalid/],
      ['from another issuer', { iss: 'http://elsewhere/realms/rs-test' }, /issuer invalid/],
      ['without sub', { sub: null }, /no sub claim/],
      ['without exp', { expiresIn: null }, /no exp claim/],
      ['not an access token', { typ: 'Refresh' }, /not an access token/],
    ])('should answer 401 TOKEN_INVALID when the token is %s', async (_label, claims, reason) => {
      await boot();
      const response = await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token(claims)}`)
        .expect(401);
      expect(response.body.code).toBe('TOKEN_INVALID');
      expect(response.body.message).toMatch(reason);
      expect(response.headers['www-authenticate']).toMatch(/invalid_token/);
    });

    it("should accept a token that expired within the clock tolerance of Keycloak's clock and ours", async () => {
      await boot();
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token({ expiresIn: -10 })}`)
        .expect(200);
    });

    it('should answer 401 when the token is signed by a key the realm does not publish', async () => {
      await boot({
        keycloak: { url: keycloak.url, realm: keycloak.realm, audience: keycloak.audience, keyRefetchIntervalMs: 0 },
      });
      const token = await keycloak.token({}, await keycloak.unpublishedKey());
      const response = await http().get('/things').set('Authorization', `Bearer ${token}`).expect(401);
      expect(response.body.message).toMatch(/no signing key/);
    });

    it('should answer 401 for a token that is not a JWT', async () => {
      await boot();
      await http().get('/things').set('Authorization', 'Bearer not-a-jwt').expect(401);
    });

    it('should fetch the new keys when Keycloak rotated them, without a restart', async () => {
      await boot({
        keycloak: { url: keycloak.url, realm: keycloak.realm, audience: keycloak.audience, keyRefetchIntervalMs: 0 },
      });
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .expect(200);
      await keycloak.rotateKeys();
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .expect(200);
      // Generating the new RSA key pair takes seconds on a busy machine.
    }, 20_000);

    it('should refetch the keys at most once per interval for unknown kids', async () => {
      await boot();
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .expect(200);
      const hits = keycloak.jwksHits;
      const forged = await keycloak.token({}, await keycloak.unpublishedKey());
      await http().get('/things').set('Authorization', `Bearer ${forged}`).expect(401);
      await http().get('/things').set('Authorization', `Bearer ${forged}`).expect(401);
      expect(keycloak.jwksHits).toBe(hits);
    });

    it('should prefer the bearer token when an API key is sent too', async () => {
      await boot();
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .set('x-api-key', generateApiKey())
        .expect(200);
      expect(keyManager.calls).toHaveLength(0);
    });
  });

  describe('roles', () => {
    it('should answer 403 ROLE_REQUIRED naming a missing static role', async () => {
      await boot();
      const response = await http()
        .get('/things/admin')
        .set('Authorization', `Bearer ${await keycloak.token({ roles: ['rs_other'] })}`)
        .expect(403);
      expect(response.body.code).toBe('ROLE_REQUIRED');
      expect(response.body.message).toContain("'rs_admin'");
    });

    it('should compute the role from the route parameters', async () => {
      await boot();
      const token = await keycloak.token({ roles: ['rs_cadip_ins_read'] });
      await http().get('/things/INS/session').set('Authorization', `Bearer ${token}`).expect(200);
      const response = await http().get('/things/MTI/session').set('Authorization', `Bearer ${token}`).expect(403);
      expect(response.body.message).toContain("'rs_cadip_mti_read'");
    });

    it('should require both the controller and the handler roles', async () => {
      await boot();
      const lead = await keycloak.token({ roles: ['rs_team_lead'] });
      const member = await keycloak.token({ roles: ['rs_team'] });
      const both = await keycloak.token({ roles: ['rs_team', 'rs_team_lead'] });
      expect((await http().get('/team').set('Authorization', `Bearer ${lead}`).expect(403)).body.message).toContain(
        "'rs_team'",
      );
      expect((await http().get('/team').set('Authorization', `Bearer ${member}`).expect(403)).body.message).toContain(
        "'rs_team_lead'",
      );
      await http().get('/team').set('Authorization', `Bearer ${both}`).expect(200);
    });
  });

  describe('@BearerOnly', () => {
    it('should refuse an API key without asking the key manager', async () => {
      await boot();
      const response = await http().get('/things/bearer-only').set('x-api-key', generateApiKey()).expect(401);
      expect(response.body.code).toBe('BEARER_TOKEN_REQUIRED');
      expect(keyManager.calls).toHaveLength(0);
    });

    it('should accept a Keycloak token', async () => {
      await boot();
      await http()
        .get('/things/bearer-only')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .expect(200);
    });
  });

  describe('with an API key', () => {
    it('should attach the key owner as principal and forward referer, origin and client IP', async () => {
      await boot();
      const key = generateApiKey();
      const response = await http()
        .get('/things')
        .set('x-api-key', key)
        .set('Referer', 'https://app.example.com/page')
        .set('Origin', 'https://app.example.com')
        .expect(200);
      expect(response.body).toEqual({
        user_id: 'user-bob',
        user_login: 'bob',
        iam_roles: ['rs_cadip_ins_read'],
        config: { project: 's1' },
        auth_method: 'api_key',
        key_id: 'key-1',
      });
      expect(keyManager.calls).toHaveLength(1);
      expect(keyManager.calls[0]).toMatchObject({
        'x-api-key': key,
        referer: 'https://app.example.com/page',
        origin: 'https://app.example.com',
        'x-forwarded-for': expect.stringMatching(/127\.0\.0\.1/),
      });
    });

    it('should accept the key as the api-key query parameter and hide it from the handler', async () => {
      await boot();
      const response = await http().get('/things/search').query({ 'api-key': generateApiKey(), q: 'x' }).expect(200);
      expect(response.body).toEqual({ q: 'x' });
    });

    it('should accept the key as a /k/<key>/ path prefix', async () => {
      await boot();
      const response = await http().get(`/k/${generateApiKey()}/things/search?q=gdal`).expect(200);
      expect(response.body).toEqual({ q: 'gdal' });
    });

    it('should refuse a malformed key locally with 403 KEY_MALFORMED', async () => {
      await boot();
      const key = generateApiKey();
      const typo = `${key.slice(0, 10)}${key[10] === 'a' ? 'b' : 'a'}${key.slice(11)}`;
      const response = await http().get('/things').set('x-api-key', typo).expect(403);
      expect(response.body.code).toBe('KEY_MALFORMED');
      expect(keyManager.calls).toHaveLength(0);
    });

    it('should answer a hot key from the cache', async () => {
      await boot();
      const key = generateApiKey();
      for (let i = 0; i < 3; i++) await http().get('/things').set('x-api-key', key).expect(200);
      expect(keyManager.calls).toHaveLength(1);
    });

    it('should let a cached key through in the same tick, with no promise for Nest to await', async () => {
      await boot();
      const key = generateApiKey();
      await http().get('/things').set('x-api-key', key).expect(200);
      const sut = (app as INestApplication).get(AuthenticationGuard);
      const request = {
        headers: { 'x-api-key': key },
        query: {},
        params: {},
        method: 'GET',
        principal: undefined as AuthPrincipal | undefined,
      };
      const response = { req: request, on: jest.fn(), setHeader: jest.fn() };
      const context = {
        getHandler: () => ThingsController.prototype.whoAmI,
        getClass: () => ThingsController,
        getType: () => 'http',
        getArgByIndex: (index: number) => [request, response][index],
      } as unknown as ExecutionContext;
      expect(sut.canActivate(context)).toBe(true);
      expect(request.principal?.key_id).toBe('key-1');
      expect(keyManager.calls).toHaveLength(1);
    });

    it('should share one key manager call between concurrent requests of one key', async () => {
      await boot();
      keyManager.answer = () => ({ ...acceptedKey(), delayMs: 50 });
      const key = generateApiKey();
      await Promise.all([1, 2, 3, 4].map(() => http().get('/things').set('x-api-key', key).expect(200)));
      expect(keyManager.calls).toHaveLength(1);
    });

    it.each([
      [403, 'KEY_REVOKED', 403],
      [403, 'KEY_EXPIRED', 403],
      [403, 'KEY_USER_DISABLED', 403],
      [404, 'KEY_NOT_FOUND', 403],
      [403, 'KEY_INVALID', 403],
    ])('should pass a %s %s refusal on as %s with its code and message', async (status, code, expected) => {
      await boot();
      keyManager.answer = () => ({
        status,
        body: { statusCode: status, code, message: `refused: ${code}`, detail: `refused: ${code}` },
      });
      const response = await http().get('/things').set('x-api-key', generateApiKey()).expect(expected);
      expect(response.body).toMatchObject({ code, message: `refused: ${code}` });
    });

    it('should pass rate limiting on as 429 with Retry-After', async () => {
      await boot();
      keyManager.answer = () => ({
        status: 429,
        headers: { 'retry-after': '17' },
        body: { code: 'RATE_LIMITED', message: 'slow down' },
      });
      const response = await http().get('/things').set('x-api-key', generateApiKey()).expect(429);
      expect(response.headers['retry-after']).toBe('17');
      expect(response.body.code).toBe('RATE_LIMITED');
    });

    it.each([
      ['a 500', { status: 500, body: 'oops' }],
      ['an unexpected body', { status: 200, body: { user_id: 'u' } }],
      ['too late', { ...acceptedKey(), delayMs: 1000 }],
    ])('should answer 503 DEPENDENCY_UNAVAILABLE when the key manager answers %s', async (_label, answer) => {
      await boot();
      keyManager.answer = () => answer;
      const response = await http().get('/things').set('x-api-key', generateApiKey()).expect(503);
      expect(response.body.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(response.body.message).toMatch(/could not be verified/);
    });

    it('should keep serving a cached key when the key manager is down, and refuse unknown keys with 503', async () => {
      const down = await FakeKeyManager.start();
      await boot({ apiKey: { keyManagerUrl: down.url, requestTimeoutMs: 500 } });
      const cached = generateApiKey();
      await http().get('/things').set('x-api-key', cached).expect(200);
      await down.stop();
      await http().get('/things').set('x-api-key', cached).expect(200);
      const response = await http().get('/things').set('x-api-key', generateApiKey()).expect(503);
      expect(response.body.message).toMatch(/key manager is unreachable/);
    });

    it('should enforce allowed_referers on cache hits', async () => {
      await boot();
      keyManager.answer = () => acceptedKey({ allowed_referers: ['*.example.com'] });
      const key = generateApiKey();
      await http().get('/things').set('x-api-key', key).set('Referer', 'https://app.example.com/').expect(200);
      const response = await http()
        .get('/things')
        .set('x-api-key', key)
        .set('Referer', 'https://evil.test/')
        .expect(403);
      expect(response.body.code).toBe('KEY_REFERER_NOT_ALLOWED');
      await http().get('/things').set('x-api-key', key).expect(403);
      expect(keyManager.calls).toHaveLength(1);
    });

    it('should ask the key manager again once the cached check expired', async () => {
      await boot({ apiKey: { keyManagerUrl: keyManager.url, cacheTtlMs: 30 } });
      const key = generateApiKey();
      await http().get('/things').set('x-api-key', key).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await http().get('/things').set('x-api-key', key).expect(200);
      expect(keyManager.calls).toHaveLength(2);
    });

    it('should not cache past the key expiration date', async () => {
      await boot();
      keyManager.answer = () => acceptedKey({ expiration_date: new Date(Date.now() + 40).toISOString() });
      const key = generateApiKey();
      await http().get('/things').set('x-api-key', key).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await http().get('/things').set('x-api-key', key).expect(200);
      expect(keyManager.calls).toHaveLength(2);
    });

    it('should refuse the key at once after its eviction', async () => {
      const sut = await boot();
      const key = generateApiKey();
      await http().get('/things').set('x-api-key', key).expect(200);
      keyManager.answer = () => ({
        status: 403,
        body: { code: 'KEY_REVOKED', message: 'This API key has been revoked' },
      });
      sut.get(ApiKeyVerifier).evictKeyId('key-1');
      await http().get('/things').set('x-api-key', key).expect(403);
    });

    it('should check roles of the key owner and name the missing one', async () => {
      await boot();
      const key = generateApiKey();
      await http().get('/things/ins/session').set('x-api-key', key).expect(200);
      const response = await http().get('/things/sgs/session').set('x-api-key', key).expect(403);
      expect(response.body.message).toContain("'rs_cadip_sgs_read'");
    });

    it('should refuse API keys when the service accepts only Keycloak tokens', async () => {
      await boot({ apiKey: false });
      const response = await http().get('/things').set('x-api-key', generateApiKey()).expect(401);
      expect(response.body.message).toMatch(/does not accept API keys/);
    });
  });

  describe('usage events', () => {
    it('should record one event per keyed request with the route template, status and latency', async () => {
      await boot();
      const key = generateApiKey();
      await http().get('/things/INS/session').set('x-api-key', key).expect(200);
      await http().get('/things/SGS/session').set('x-api-key', key).expect(403);
      await new Promise((resolve) => setImmediate(resolve));
      expect(usage.record).toHaveBeenCalledTimes(2);
      const [keyId, userId, method, route, status, latencyMs, occurredAt] = usage.record.mock.calls[0];
      expect([keyId, userId, method, route, status]).toEqual([
        'key-1',
        'user-bob',
        'GET',
        '/things/:station/session',
        200,
      ]);
      expect(latencyMs).toBeGreaterThanOrEqual(0);
      expect(Math.abs(occurredAt - Date.now())).toBeLessThan(5000);
      expect(usage.record.mock.calls[1].slice(3, 5)).toEqual(['/things/:station/session', 403]);
    });

    it('should record nothing for bearer-token requests or refused keys', async () => {
      await boot();
      await http()
        .get('/things')
        .set('Authorization', `Bearer ${await keycloak.token()}`)
        .expect(200);
      keyManager.answer = () => ({ status: 403, body: { code: 'KEY_REVOKED', message: 'revoked' } });
      await http().get('/things').set('x-api-key', generateApiKey()).expect(403);
      expect(usage.record).not.toHaveBeenCalled();
    });
  });
});
