import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { applySecurityHeaders, configureApp, errorMessage, listenWithManagement, setupSwagger } from '@rs/service-kit';
import { AppModule } from './app.module';
import { CATALOG_CONFIG, type CatalogConfig } from './config/catalog.config';
import { catalogSwaggerOptions } from './swagger';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  const config = app.get<CatalogConfig>(CATALOG_CONFIG);
  configureApp(app, { trustProxy: config.TRUST_PROXY });
  applySecurityHeaders(app, { keycloakUrl: config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL });
  setupSwagger(app, catalogSwaggerOptions(config), config.PUBLIC_URL);
  const { managementUrl } = await listenWithManagement(app, config);
  Logger.log(
    `STAC catalog listening on ${config.PUBLIC_URL} (Swagger UI: ${config.PUBLIC_URL}/docs; metrics: ${managementUrl}/metrics)`,
    'Bootstrap',
  );
}

void bootstrap().catch((error: unknown) => {
  // Configuration errors list every bad variable; print them plainly and stop.
  console.error(errorMessage(error));
  process.exit(1);
});
