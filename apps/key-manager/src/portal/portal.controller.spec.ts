import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { KEY_MANAGER_CONFIG } from '../config/key-manager.config';
import type { PortalService } from './portal.config';
import { PortalController } from './portal.controller';

const services: PortalService[] = [
  { title: 'Cadip <sessions>', url: 'http://cadip.test/docs' },
  { title: 'STAC catalog', url: 'http://catalog.test/docs' },
];

describe(PortalController.name, () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [PortalController],
      providers: [
        {
          provide: KEY_MANAGER_CONFIG,
          useValue: {
            PUBLIC_URL: 'http://keys.test',
            FRONTEND_URL: 'http://rs.test',
            KEYCLOAK_URL: 'http://keycloak.internal:8080',
            KEYCLOAK_PUBLIC_URL: 'https://login.test',
            KEYCLOAK_REALM: 'rs-server',
            KEYCLOAK_SWAGGER_CLIENT_ID: 'swagger-ui',
            PORTAL_SERVICES: services,
          },
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(() => app.close());

  describe('GET /', () => {
    it('should list the frontend first, then the API Key Manager and every configured service in order', async () => {
      const response = await http()
        .get('/')
        .expect(200)
        .expect('content-type', /text\/html/);
      const links = [...response.text.matchAll(/class="service-link" href="([^"]+)">([^<]+)</g)].map(
        ([, href, title]) => [href, title],
      );
      expect(links).toEqual([
        ['http://rs.test/frontend/docs', 'RS-Server frontend'],
        ['http://keys.test/docs', 'API Key Manager'],
        ['http://cadip.test/docs', 'Cadip &lt;sessions&gt;'],
        ['http://catalog.test/docs', 'STAC catalog'],
      ]);
    });

    it('should give the script the browser-facing Keycloak', async () => {
      const response = await http().get('/').expect(200);
      const config = JSON.parse(/id="portal-config">([^<]+)</.exec(response.text)?.[1] ?? '{}');
      expect(config).toEqual({
        keycloakUrl: 'https://login.test',
        realm: 'rs-server',
        clientId: 'swagger-ui',
      });
    });

    it('should allow only its own script and Keycloak in its Content-Security-Policy', async () => {
      const response = await http().get('/').expect(200);
      const policy = response.headers['content-security-policy'];
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain('connect-src https://login.test');
      expect(policy).toContain("frame-ancestors 'self'");
    });

    it('should explain how to get an API key', async () => {
      const response = await http().get('/').expect(200);
      expect(response.text).toContain('How to get an API key');
      expect(response.text).toContain('<a id="key-page-link" href="keys">My API keys</a>');
      expect(response.text).toContain('Create Api Key');
      expect(response.text).toContain('href="http://rs.test/frontend/openapi.json"');
      expect(response.text).toContain('curl -H "x-api-key: rsk_…" "http://rs.test/cadip/INS/session?platform=S1A"');
    });
  });

  describe('GET /portal.js', () => {
    it('should serve the session script as JavaScript, logging in back to the portal itself', async () => {
      const response = await http()
        .get('/portal.js')
        .expect(200)
        .expect('content-type', /text\/javascript/);
      expect(response.text).toContain("redirectUri: location.origin + '/',");
      expect(() => new Function(response.text)).not.toThrow();
    });
  });

  describe('GET /keycloak-login.js', () => {
    it('should serve the shared PKCE login as JavaScript, loaded before the page script', async () => {
      const response = await http()
        .get('/keycloak-login.js')
        .expect(200)
        .expect('content-type', /text\/javascript/);
      expect(response.text).toContain("code_challenge_method: 'S256'");
      expect(() => new Function(response.text)).not.toThrow();
      const page = (await http().get('/').expect(200)).text;
      expect(page.indexOf('src="keycloak-login.js"')).toBeGreaterThan(0);
      expect(page.indexOf('src="keycloak-login.js"')).toBeLessThan(page.indexOf('src="portal.js"'));
    });
  });
});
