import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp } from '../app-setup.util';
import { HealthController } from './health.controller';
import { HealthModule } from './health.module';

describe(HealthController.name, () => {
  let app: INestApplication;
  let databaseUp = true;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRootAsync({
          useFactory: () => [
            {
              name: 'mongodb',
              check: async () => {
                if (!databaseUp) throw new Error('connection refused to mongodb-0.internal:27017');
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

  describe('live', () => {
    it('should answer liveness without checking dependencies', async () => {
      databaseUp = false;
      await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
    });
  });

  describe('ready', () => {
    it('should answer only ok when every check passes', async () => {
      databaseUp = true;
      await request(app.getHttpServer()).get('/health/ready').expect(200, { status: 'ok' });
    });

    it('should answer 503 DEPENDENCY_UNAVAILABLE naming no dependency nor its error when one is down', async () => {
      databaseUp = false;
      const response = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(response.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' });
      expect(Object.keys(response.body).sort()).toEqual(['code', 'correlation_id', 'detail', 'message', 'statusCode']);
      expect(response.text).not.toMatch(/mongodb|kafka|refused|27017/);
    });
  });
});
