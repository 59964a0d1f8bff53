import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../clock';
import { KEY_MANAGER_CONFIG, loadKeyManagerConfig } from './key-manager.config';

/** The validated configuration and the clock, available everywhere in the app. */
@Global()
@Module({
  providers: [
    { provide: KEY_MANAGER_CONFIG, useFactory: () => loadKeyManagerConfig() },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [KEY_MANAGER_CONFIG, CLOCK],
})
export class KeyManagerConfigModule {}
