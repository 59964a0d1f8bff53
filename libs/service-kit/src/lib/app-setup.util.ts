import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DomainExceptionFilter } from './domain-exception.filter';
import { ManagementServer } from './health/management.server';
import { answerUndeclaredMethods } from './http/method-not-allowed.middleware';
import { type ListenEnv, managementAddress } from './platform-env';
import { createValidationPipe } from './validation.pipe';

export interface AppSetupOptions {
  /** Express 'trust proxy' setting: which hops may set X-Forwarded-For (default loopback only). */
  trustProxy?: string | boolean;
}

/** What every app of the platform applies at boot and in its tests: validation, error mapping, shutdown. */
export function configureApp(app: INestApplication, options: AppSetupOptions = {}): void {
  const express = app as NestExpressApplication;
  express.set('trust proxy', options.trustProxy ?? 'loopback');
  express.disable('x-powered-by');
  answerUndeclaredMethods(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new DomainExceptionFilter());
  app.enableShutdownHooks();
}

/**
 * Starts the app's management listener (GET /metrics, GET /health/ready with each dependency's state) on `port`
 * (0: a free one) and `host`; it closes with the app. Resolves with its URL. The app must import HealthModule.
 */
export function listenManagement(app: INestApplication, port: number, host: string): Promise<string> {
  return app.get(ManagementServer).listen(port, host);
}

/** Both listeners of an app, as its main.ts starts them: the public port, then the management port. */
export async function listenWithManagement(
  app: INestApplication,
  config: ListenEnv,
): Promise<{ url: string; managementUrl: string }> {
  const management = managementAddress(config);
  await app.listen(config.PORT, config.HOST);
  const managementUrl = await listenManagement(app, management.port, management.host);
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), managementUrl };
}
