import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureApp, listenManagement } from '@rs/service-kit';
import { userToken } from '@rs/testing';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../src/config/cadip.config';

// The real Keycloak of tools/stack and real demo users; API keys are covered across apps in test/guard.
describe('cadip with the real Keycloak', () => {
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  let managementUrl: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(CADIP_CONFIG)
      .useValue(loadCadipConfig({ ...process.env, KAFKA_ENABLED: 'false', PORT: '0' }))
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    configureApp(app);
    await app.init();
    managementUrl = await listenManagement(app, 0, '127.0.0.1');
    for (const user of ['alice', 'bob', 'carol']) tokens[user] = await userToken(user);
  });

  afterAll(() => app?.close());

  it('should serve a user holding the station role', async () => {
    const response = await http()
      .get('/cadip/MTI/session?platform=S1A,S2A,S2B')
      .set('Authorization', `Bearer ${tokens['alice']}`)
      .expect(200);
    expect(response.body.type).toBe('FeatureCollection');
    expect(response.body.numberMatched).toBeGreaterThan(0);
  });

  it('should refuse bob on a station he has no role for, naming it, but serve his own', async () => {
    await http().get('/cadip/INS/cadu/search?limit=1').set('Authorization', `Bearer ${tokens['bob']}`).expect(200);
    const response = await http()
      .get('/cadip/MTI/cadu/search')
      .set('Authorization', `Bearer ${tokens['bob']}`)
      .expect(403);
    expect(response.body).toMatchObject({ code: 'ROLE_REQUIRED' });
    expect(response.body.message).toContain('rs_cadip_mti_read');
  });

  it('should refuse carol (no roles) everywhere, naming the role', async () => {
    const response = await http()
      .get('/cadip/INS/session?platform=S1A')
      .set('Authorization', `Bearer ${tokens['carol']}`)
      .expect(403);
    expect(response.body.message).toContain('rs_cadip_ins_read');
  });

  it('should refuse a tampered token with 401', async () => {
    const [header, payload] = (tokens['alice'] as string).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect(
      (await http().get('/cadip/INS/session?platform=S1A').set('Authorization', `Bearer ${forged}`).expect(401)).body
        .code,
    ).toBe('TOKEN_INVALID');
  });

  it('should say ready publicly, and report Keycloak up on the management port only', async () => {
    await http().get('/health/ready').expect(200, { status: 'ok' });
    await http().get('/metrics').expect(404);
    const report = await fetch(`${managementUrl}/health/ready`);
    expect(await report.json()).toEqual({ status: 'ok', checks: { keycloak: 'up' } });
    expect((await fetch(`${managementUrl}/metrics`)).status).toBe(200);
  });
});
