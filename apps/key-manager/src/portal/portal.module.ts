import { Module } from '@nestjs/common';
import { loadPortalServices, PORTAL_SERVICES } from './portal.config';
import { PortalController } from './portal.controller';

/** The landing page served at `/` (PORTAL_SERVICES lists the services after the key manager). */
@Module({
  controllers: [PortalController],
  providers: [{ provide: PORTAL_SERVICES, useFactory: () => loadPortalServices() }],
})
export class PortalModule {}
