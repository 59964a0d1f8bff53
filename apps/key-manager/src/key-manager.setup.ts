import type { INestApplication } from '@nestjs/common';
import { apiKeyLocationMiddleware } from '@rs/auth-guard';
import { applySecurityHeaders, configureApp, setupSwagger } from '@rs/service-kit';
import type { NextFunction, Request, Response } from 'express';
import type { KeyManagerConfig } from './config/key-manager.config';
import { FrontendDocumentService } from './frontend/frontend-document.service';
import { keyManagerSwaggerOptions } from './swagger';

/** Path prefix GDAL/QGIS-style clients use to carry a key: /k/<key>/auth/check_key. */
const KEY_PATH_PREFIX = '/k/';

/** Everything main.ts and the integration tests apply to the app before it listens. */
export function configureKeyManager(app: INestApplication, config: KeyManagerConfig): void {
  configureApp(app, { trustProxy: config.TRUST_PROXY });
  // The portal sets a stricter policy of its own on its page.
  applySecurityHeaders(app, { keycloakUrl: config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL });
  // Only /k/<key>/ URLs carry a credential here: elsewhere `api-key` names the key a user manages.
  app.use((request: Request, response: Response, next: NextFunction) =>
    request.url.startsWith(KEY_PATH_PREFIX) ? apiKeyLocationMiddleware(request, response, next) : next(),
  );
  const document = setupSwagger(app, keyManagerSwaggerOptions(config), config.PUBLIC_URL);
  app.get(FrontendDocumentService).useKeyManagerDocument(document);
}
