import type { SwaggerOptions } from '@rs/service-kit';
import type { CatalogConfig } from './config/catalog.config';

export function catalogSwaggerOptions(config: Pick<CatalogConfig, 'KEYCLOAK_URL' | 'KEYCLOAK_REALM' | 'KEYCLOAK_SWAGGER_CLIENT_ID'>): SwaggerOptions {
  return {
    title: 'RS-Server STAC catalog',
    description:
      'A STAC API whose collections belong to users: `<owner>:<collection>`. Owners read and write their own collections; ' +
      'others need the realm role `rs_catalog_<owner>:<collection>_read` or `_write`.\n\n' +
      'Authorize with an API key (`x-api-key`) created in the API Key Manager, or log in with Keycloak.',
    version: '1.0',
    keycloakUrl: config.KEYCLOAK_URL,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_SWAGGER_CLIENT_ID,
    apiKey: true,
  };
}
