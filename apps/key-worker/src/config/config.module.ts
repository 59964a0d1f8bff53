import { Global, Module } from '@nestjs/common';
import { KEY_WORKER_CONFIG, loadKeyWorkerConfig } from './key-worker.config';

/** The validated configuration, available everywhere in the worker. */
@Global()
@Module({
  providers: [{ provide: KEY_WORKER_CONFIG, useFactory: () => loadKeyWorkerConfig() }],
  exports: [KEY_WORKER_CONFIG],
})
export class KeyWorkerConfigModule {}
