import { Module } from '@nestjs/common';
import { PortalController } from './portal.controller';

/** The landing page served at `/` (PORTAL_SERVICES lists the services after the key manager). */
@Module({ controllers: [PortalController] })
export class PortalModule {}
