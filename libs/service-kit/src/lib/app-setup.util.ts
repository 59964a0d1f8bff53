import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DomainExceptionFilter } from './domain-exception.filter';
import { answerUndeclaredMethods } from './http/method-not-allowed.middleware';
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
