import { type SwaggerOptions, swaggerKeycloak } from '@rs/service-kit';
import type { CadipConfig } from './config/cadip.config';

export function cadipSwaggerOptions(config: CadipConfig): SwaggerOptions {
  return {
    title: 'RS-Server Cadip',
    description:
      'Downlink sessions and CADU chunk files of the ground stations (sample data), as STAC.\n\n' +
      'Authorize with an API key (`x-api-key`) created in the API Key Manager, or log in with Keycloak. ' +
      'Each station needs the realm role `rs_cadip_<station>_read` (`_download` to download).',
    version: '1.0',
    ...swaggerKeycloak(config),
    apiKey: true,
  };
}
