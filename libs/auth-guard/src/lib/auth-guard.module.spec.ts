import { Controller, Get, type INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MetricsModule, MetricsService } from '@rs/service-kit';
import request from 'supertest';
import { AuthGuardModule } from './auth-guard.module';
import type { AuthGuardOptions } from './auth-guard.options';

@Injectable()
class SettingsService {
  readonly authentication: AuthGuardOptions = {
    serviceName: 'demo',
    keycloak: { url: 'http://127.0.0.1:9', realm: 'r', audience: 'a' },
    apiKey: false,
    kafka: false,
  };
}

@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

@Controller('demo')
class DemoController {
  @Get()
  demo(): string {
    return 'demo';
  }
}

describe(AuthGuardModule.name, () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        AuthGuardModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsService],
          useFactory: (settings: SettingsService) => settings.authentication,
        }),
      ],
      controllers: [DemoController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  describe('forRootAsync', () => {
    it('should guard every route of the app by default', async () => {
      await request(app.getHttpServer()).get('/demo').expect(401);
    });

    it("should register its metrics in the app's registry", async () => {
      const metrics = await app.get(MetricsService).registry.metrics();
      expect(metrics).toContain('auth_guard_requests_total{method="none",outcome="KEY_MISSING"} 1');
      expect(metrics).toContain('auth_guard_usage_requests_dropped_total');
    });
  });
});
