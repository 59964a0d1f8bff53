import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureApp, errorMessage, listenWithManagement } from '@rs/service-kit';
import { AppModule } from './app.module';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from './config/key-worker.config';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  const config = app.get<KeyWorkerConfig>(KEY_WORKER_CONFIG);
  configureApp(app);
  const { url, managementUrl } = await listenWithManagement(app, config);
  Logger.log(`Key worker running; health on ${url}, metrics on ${managementUrl}/metrics`, 'Bootstrap');
}

void bootstrap().catch((error: unknown) => {
  // Configuration errors list every bad variable; print them plainly and stop.
  console.error(errorMessage(error));
  process.exit(1);
});
