import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { KEY_MANAGER_CONFIG } from '../config/key-manager.config';
import { FrontendController } from './frontend.controller';
import { FrontendDocumentService } from './frontend-document.service';

const DOCUMENT = { openapi: '3.0.0', info: { title: 'RS-Server', version: '1.0' }, paths: {}, tags: [] };

describe(FrontendController.name, () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [FrontendController],
      providers: [
        { provide: KEY_MANAGER_CONFIG, useValue: { KEYCLOAK_SWAGGER_CLIENT_ID: 'swagger-ui' } },
        { provide: FrontendDocumentService, useValue: { document: async () => DOCUMENT } },
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(() => app.close());

  describe('GET /frontend/docs', () => {
    it("should serve a Swagger UI page on the key manager's Swagger UI files and the frontend script", async () => {
      const response = await http()
        .get('/frontend/docs')
        .expect(200)
        .expect('content-type', /text\/html/);
      expect(response.text).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
      expect(response.text).toContain('<script src="/frontend/frontend.js"></script>');
      const config = JSON.parse(/id="frontend-config">([^<]+)</.exec(response.text)?.[1] ?? '{}');
      expect(config).toEqual({ documentUrl: '/frontend/openapi.json', clientId: 'swagger-ui' });
    });
  });

  describe('GET /frontend/frontend.js', () => {
    it('should serve JavaScript that logs in with PKCE, redirecting on its own origin', async () => {
      const response = await http()
        .get('/frontend/frontend.js')
        .expect(200)
        .expect('content-type', /text\/javascript/);
      expect(response.text).toContain('usePkceWithAuthorizationCodeGrant: true');
      expect(response.text).toContain("oauth2RedirectUrl: location.origin + '/docs/oauth2-redirect.html'");
      expect(() => new Function(response.text)).not.toThrow();
    });

    it('should send a guarded service the API key alone when one is authorized', async () => {
      const response = await http().get('/frontend/frontend.js').expect(200);
      let options: { requestInterceptor: (request: { headers: Record<string, string> }) => unknown } | undefined;
      const ui = { initOAuth: jest.fn() };
      const SwaggerUIBundle = (given: typeof options) => ((options = given), ui);
      const document = { getElementById: () => ({ textContent: '{"documentUrl":"/x","clientId":"c"}' }) };
      new Function('SwaggerUIBundle', 'document', 'window', 'location', response.text)(
        SwaggerUIBundle,
        document,
        {},
        {
          origin: 'http://rs.test',
        },
      );
      expect(ui.initOAuth).toHaveBeenCalledWith({
        clientId: 'c',
        usePkceWithAuthorizationCodeGrant: true,
        scopes: ['openid'],
      });
      const intercept = options?.requestInterceptor ?? (() => undefined);
      expect(intercept({ headers: { Authorization: 'Bearer t', 'x-api-key': 'rsk_k' } })).toEqual({
        headers: { 'x-api-key': 'rsk_k' },
      });
      expect(intercept({ headers: { Authorization: 'Bearer t' } })).toEqual({ headers: { Authorization: 'Bearer t' } });
    });
  });

  describe('GET /frontend/openapi.json', () => {
    it('should serve the aggregated document', async () => {
      const response = await http().get('/frontend/openapi.json').expect(200).expect('content-type', /json/);
      expect(response.body).toEqual(DOCUMENT);
    });
  });
});
