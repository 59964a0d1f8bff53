import { Global, Module } from '@nestjs/common';
import { KEY_MANAGER_CONFIG, loadKeyManagerConfig } from './key-manager.config';

/** The validated configuration, available everywhere in the app. */
@Global()
@Module({
  providers: [{ provide: KEY_MANAGER_CONFIG, useFactory: () => loadKeyManagerConfig() }],
  exports: [KEY_MANAGER_CONFIG],
})
export class KeyManagerConfigModule {}
