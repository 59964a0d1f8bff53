import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp } from '../app-setup.util';
import { HealthModule } from './health.module';

describe('HealthController', () => {
  let app: INestApplication;
  let databaseUp = true;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRootAsync({
          useFactory: () => [
            {
              name: 'mongo',
              check: async () => {
                if (!databaseUp) throw new Error('connection refused');
              },
            },
            { name: 'kafka', check: async () => undefined },
          ],
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureApp(app);
    await app.init();
  });

  afterAll(() => app.close());

  it('should answer liveness without checking dependencies', async () => {
    databaseUp = false;
    await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
  });

  it('should report ready when every check passes', async () => {
    databaseUp = true;
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(response.body).toEqual({ status: 'ok', checks: { mongo: 'up', kafka: 'up' } });
  });

  it('should answer 503 naming the dependency that is down', async () => {
    databaseUp = false;
    const response = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(response.body.message).toBe('Not ready: mongo down: connection refused');
  });
});
