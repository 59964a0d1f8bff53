import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { listenWithManagement } from '@rs/service-kit';
import { AppModule } from './app.module';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from './config/key-manager.config';
import { configureKeyManager } from './key-manager.setup';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  const config = app.get<KeyManagerConfig>(KEY_MANAGER_CONFIG);
  configureKeyManager(app, config);
  const { managementUrl } = await listenWithManagement(app, config);
  Logger.log(
    `API Key Manager listening on ${config.PUBLIC_URL} (Swagger UI: ${config.PUBLIC_URL}/docs; metrics: ${managementUrl}/metrics)`,
    'Bootstrap',
  );
}

void bootstrap().catch((error: unknown) => {
  // Configuration errors list every bad variable; print them plainly and stop.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
