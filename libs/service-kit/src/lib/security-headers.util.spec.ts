import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { applySecurityHeaders } from './security-headers.util';

@Controller()
class DummyController {
  @Get('page')
  page(): string {
    return '<!doctype html><title>x</title>';
  }

  @Get('docs/oauth2-redirect.html')
  redirect(): string {
    return '<!doctype html><script src="oauth2-redirect.js"></script>';
  }
}

describe('security headers', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [DummyController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    applySecurityHeaders(app, { keycloakUrl: 'https://login.example.org/auth' });
    await app.init();
  });

  afterAll(() => app.close());

  it('should send a CSP that allows the app itself and the Keycloak origin to be fetched', async () => {
    const response = await request(app.getHttpServer()).get('/page').expect(200);
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://login.example.org");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('should send the other hardening headers, keeping the Referer that allowed_referers reads', async () => {
    const response = await request(app.getHttpServer()).get('/page').expect(200);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cross-origin-opener-policy': 'same-origin-allow-popups',
      'strict-transport-security': 'max-age=31536000',
    });
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('should leave Swagger UI’s OAuth2 callback page without opener isolation', async () => {
    const response = await request(app.getHttpServer()).get('/docs/oauth2-redirect.html').expect(200);
    expect(response.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
  });
});
