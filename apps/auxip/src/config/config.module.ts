import { Global, Module } from '@nestjs/common';
import { AUXIP_CONFIG, loadAuxipConfig } from './auxip.config';

/** The validated configuration, available everywhere in the app. */
@Global()
@Module({
  providers: [{ provide: AUXIP_CONFIG, useFactory: () => loadAuxipConfig() }],
  exports: [AUXIP_CONFIG],
})
export class AuxipConfigModule {}
