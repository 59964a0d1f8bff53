import { Module } from '@nestjs/common';
import { KeyPageController } from './key-page.controller';
import { PortalController } from './portal.controller';

/** The landing page served at `/` (PORTAL_SERVICES lists the services after the key manager) and the key page at `/keys`. */
@Module({ controllers: [PortalController, KeyPageController] })
export class PortalModule {}
