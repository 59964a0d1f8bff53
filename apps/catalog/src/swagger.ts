import { type SwaggerOptions, swaggerKeycloak } from '@rs/service-kit';
import type { CatalogConfig } from './config/catalog.config';

export function catalogSwaggerOptions(config: CatalogConfig): SwaggerOptions {
  return {
    title: 'RS-Server STAC catalog',
    description:
      'A STAC API whose collections belong to users: `<owner>:<collection>`. Owners read and write their own collections; ' +
      'others need the realm role `rs_catalog_<owner>:<collection>_read` or `_write`.\n\n' +
      'Authorize with an API key (`x-api-key`) created in the API Key Manager, or log in with Keycloak.',
    version: '1.0',
    ...swaggerKeycloak(config),
    apiKey: true,
  };
}
