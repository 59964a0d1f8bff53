import { type SwaggerOptions, swaggerKeycloak } from '@rs/service-kit';
import type { AuxipConfig } from './config/auxip.config';

export function auxipSwaggerOptions(config: AuxipConfig): SwaggerOptions {
  return {
    title: 'RS-Server Auxip',
    description:
      'Auxiliary files (orbits, meteo, time correlation) of the auxiliary data gathering stations (sample data), as STAC.\n\n' +
      'Authorize with an API key (`x-api-key`) created in the API Key Manager, or log in with Keycloak. ' +
      'Searching needs the realm role `rs_auxip_<station>_read` (`_download` to download, `rs_auxip_landing_page` for the landing page).',
    version: '1.0',
    ...swaggerKeycloak(config),
    apiKey: true,
  };
}
