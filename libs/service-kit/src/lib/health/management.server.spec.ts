import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { configureApp, listenWithManagement } from '../app-setup.util';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';
import { HealthModule } from './health.module';
import { ManagementServer } from './management.server';
import { ReadinessService } from './readiness.service';

describe(ManagementServer.name, () => {
  let app: INestApplication;
  let managementUrl: string;
  let databaseUp = true;
  const management = (path: string, init?: RequestInit) => fetch(`${managementUrl}${path}`, init);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        HealthModule.forRootAsync({
          useFactory: () => [
            {
              name: 'mongodb',
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
    ({ managementUrl } = await listenWithManagement(app, { HOST: '127.0.0.1', PORT: 0 }));
  });

  afterAll(() => app?.close());

  beforeEach(() => (databaseUp = true));

  describe('GET /metrics', () => {
    it('should serve the app registry in Prometheus text format, public requests included', async () => {
      app.get(MetricsService).counter('demo_events_total', 'Demo').inc();
      await request(app.getHttpServer()).get('/health').expect(200);
      const response = await management('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('demo_events_total 1');
      expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/health",status="200"} 1');
    });

    it('should not be served on the public port', async () => {
      const response = await request(app.getHttpServer()).get('/metrics').expect(404);
      expect(response.body.code).toBe('NOT_FOUND');
    });

    it('should answer HEAD without a body', async () => {
      const response = await management('/metrics', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });
  });

  describe('GET /health/ready', () => {
    it('should report each dependency when all are up', async () => {
      const response = await management('/health/ready');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ status: 'ok', checks: { mongodb: 'up', kafka: 'up' } });
    });

    it('should answer 503 in the platform error shape naming the dependency that is down and why', async () => {
      databaseUp = false;
      const response = await management('/health/ready', { headers: { 'x-correlation-id': 'probe-1' } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        statusCode: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'Not ready: mongodb down: connection refused',
        detail: 'Not ready: mongodb down: connection refused',
        correlation_id: 'probe-1',
        status: 'unavailable',
        checks: { mongodb: 'down: connection refused', kafka: 'up' },
      });
    });
  });

  describe('other requests', () => {
    it('should answer liveness', async () => {
      const response = await management('/health');
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('should answer 404 NOT_FOUND to a path it does not serve', async () => {
      const response = await management('/docs');
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });

    it('should answer 405 naming the allowed methods to another method', async () => {
      const response = await management('/health/ready', { method: 'POST' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    });
  });

  describe('listen', () => {
    it('should refuse a port that is taken, naming it', async () => {
      const port = Number(new URL(managementUrl).port);
      const other = new ManagementServer(app.get(ReadinessService));
      await expect(other.listen(port, '127.0.0.1')).rejects.toThrow(`management port 127.0.0.1:${port}`);
    });
  });

  describe('onApplicationShutdown', () => {
    it('should stop listening when the app closes (and have no /metrics in an app without MetricsModule)', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [HealthModule.forRootAsync({ useFactory: () => [] })],
      }).compile();
      const other = moduleRef.createNestApplication({ logger: false });
      const { managementUrl: url } = await listenWithManagement(other, { HOST: '127.0.0.1', PORT: 0 });
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      await other.close();
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    });
  });
});
