import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureApp, errorMessage } from '@rs/service-kit';
import { AppModule } from './app.module';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from './config/key-worker.config';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  const config = app.get<KeyWorkerConfig>(KEY_WORKER_CONFIG);
  configureApp(app);
  await app.listen(config.PORT, config.HOST);
  Logger.log(`Key worker running; health and metrics on http://${config.HOST}:${config.PORT}`, 'Bootstrap');
}

void bootstrap().catch((error: unknown) => {
  // Configuration errors list every bad variable; print them plainly and stop.
  console.error(errorMessage(error));
  process.exit(1);
});
