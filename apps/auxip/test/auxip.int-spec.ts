import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureApp } from '@rs/service-kit';
import { userToken } from '@rs/testing';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { AUXIP_CONFIG, loadAuxipConfig } from '../src/config/auxip.config';

// The real Keycloak of tools/stack and real demo users; API keys are covered across apps in test/guard.
describe('auxip with the real Keycloak', () => {
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(AUXIP_CONFIG)
      .useValue(loadAuxipConfig({ ...process.env, KAFKA_ENABLED: 'false', PORT: '0' }))
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    configureApp(app);
    await app.init();
    for (const user of ['alice', 'bob']) tokens[user] = await userToken(user);
  });

  afterAll(() => app?.close());

  it('should serve the landing page and search to alice', async () => {
    await http().get('/auxip').set('Authorization', `Bearer ${tokens['alice']}`).expect(200);
    const response = await http()
      .get('/auxip/search?product_type=AUX_POEORB&limit=3')
      .set('Authorization', `Bearer ${tokens['alice']}`)
      .expect(200);
    expect(response.body.numberReturned).toBe(3);
  });

  it('should refuse bob, who has no Auxip role, naming the role', async () => {
    const response = await http().get('/auxip/search').set('Authorization', `Bearer ${tokens['bob']}`).expect(403);
    expect(response.body.message).toContain('rs_auxip_adgs_read');
  });
});
