import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { KEY_MANAGER_CONFIG } from '../config/key-manager.config';
import { KeyPageController } from './key-page.controller';

describe(KeyPageController.name, () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [KeyPageController],
      providers: [
        {
          provide: KEY_MANAGER_CONFIG,
          useValue: {
            PUBLIC_URL: 'http://keys.test',
            KEYCLOAK_URL: 'http://keycloak.internal:8080',
            KEYCLOAK_PUBLIC_URL: 'https://login.test',
            KEYCLOAK_REALM: 'rs-server',
            KEYCLOAK_SWAGGER_CLIENT_ID: 'swagger-ui',
          },
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(() => app.close());

  describe('GET /keys', () => {
    it('should give the script the browser-facing Keycloak, its own path and the admin role', async () => {
      const response = await http()
        .get('/keys')
        .expect(200)
        .expect('content-type', /text\/html/)
        .expect('cache-control', 'no-store');
      const config = JSON.parse(/id="key-page-config">([^<]+)</.exec(response.text)?.[1] ?? '{}');
      expect(config).toEqual({
        keycloakUrl: 'https://login.test',
        realm: 'rs-server',
        clientId: 'swagger-ui',
        path: '/keys',
        adminRole: 'rs_apikey_admin',
        defaultGraceHours: 24,
      });
    });

    it('should allow no inline script or style, and only its own origin and Keycloak to be called', async () => {
      const response = await http().get('/keys').expect(200);
      const policy: string = response.headers['content-security-policy'];
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("style-src 'self';");
      expect(policy).toContain("connect-src 'self' https://login.test");
      expect(policy).not.toContain('unsafe-inline');
      // The page keeps to that policy: no inline script, style attribute or style element.
      expect(response.text).not.toMatch(/<script(?![^>]*(src=|type="application\/json"))/);
      expect(response.text).not.toMatch(/\sstyle=|<style/);
    });

    it('should label every input, select and the key value field', async () => {
      const response = await http().get('/keys').expect(200);
      const ids = [...response.text.matchAll(/<(?:input|select) id="([^"]+)"/g)].map(([, id]) => id);
      expect(ids).toEqual(expect.arrayContaining(['create-name', 'secret-value', 'rotate-grace', 'admin-user']));
      for (const id of ids) expect(response.text).toContain(`for="${id}"`);
    });
  });

  describe('GET /keys.js and /keys.css', () => {
    it('should serve the script as JavaScript that parses', async () => {
      const response = await http()
        .get('/keys.js')
        .expect(200)
        .expect('content-type', /text\/javascript/);
      // The login itself comes from /keycloak-login.js, loaded first.
      expect(response.text).toContain('window.rsKeycloakLogin(');
      expect(() => new Function(response.text)).not.toThrow();
      const page = (await http().get('/keys').expect(200)).text;
      expect(page.indexOf('src="keycloak-login.js"')).toBeGreaterThan(0);
      expect(page.indexOf('src="keycloak-login.js"')).toBeLessThan(page.indexOf('src="keys.js"'));
    });

    it('should serve the stylesheet as CSS', async () => {
      const response = await http()
        .get('/keys.css')
        .expect(200)
        .expect('content-type', /text\/css/);
      expect(response.text).toContain('.c5xx');
    });
  });
});
