import { Global, Module } from '@nestjs/common';
import { CADIP_CONFIG, loadCadipConfig } from './cadip.config';

/** The validated configuration, available everywhere in the app. */
@Global()
@Module({
  providers: [{ provide: CADIP_CONFIG, useFactory: () => loadCadipConfig() }],
  exports: [CADIP_CONFIG],
})
export class CadipConfigModule {}
