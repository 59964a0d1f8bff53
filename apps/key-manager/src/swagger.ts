import { type SwaggerOptions, swaggerKeycloak } from '@rs/service-kit';
import type { KeyManagerConfig } from './config/key-manager.config';

export function keyManagerSwaggerOptions(config: KeyManagerConfig): SwaggerOptions {
  return {
    title: 'RS-Server API Key Manager',
    description:
      'Create and manage personal API keys for the RS-Server services (Auxip, Cadip, STAC catalog).\n\n' +
      '1. Click **Authorize** and log in with your RS-Server Keycloak account.\n' +
      '2. Expand **Create Api Key**, click **Try it out**, give a `name`, then **Execute**.\n' +
      '3. Copy the key from the response body: it is shown only once.\n' +
      "4. Use it in the `x-api-key` header (the lock icon in the other services' Swagger UI).",
    version: '1.0',
    ...swaggerKeycloak(config),
    apiKey: false,
  };
}
