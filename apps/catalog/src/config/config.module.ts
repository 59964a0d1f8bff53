import { Global, Module } from '@nestjs/common';
import { CATALOG_CONFIG, loadCatalogConfig } from './catalog.config';

/** The validated configuration, available everywhere in the app. */
@Global()
@Module({
  providers: [{ provide: CATALOG_CONFIG, useFactory: () => loadCatalogConfig() }],
  exports: [CATALOG_CONFIG],
})
export class CatalogConfigModule {}
