import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@rs/auth-guard';
import type { Response } from 'express';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { FRONTEND_DOCS_PATH } from '../frontend/frontend.page';
import { type PortalView, portalContentSecurityPolicy, renderPortalPage } from './portal.page';
import { KEYCLOAK_LOGIN_SCRIPT } from './keycloak-login.script';
import { PORTAL_SCRIPT } from './portal.script';

/** The platform's landing page at `/`: the frontend, every service's Swagger UI, the API key guide, the Keycloak session. */
@ApiExcludeController()
@Public()
@Controller()
export class PortalController {
  private readonly view: PortalView;
  private readonly html: string;

  constructor(@Inject(KEY_MANAGER_CONFIG) config: KeyManagerConfig) {
    this.view = {
      frontend: {
        title: 'RS-Server frontend',
        url: `${config.FRONTEND_URL ?? config.PUBLIC_URL}${FRONTEND_DOCS_PATH}`,
      },
      keyManager: { title: 'API Key Manager', url: `${config.PUBLIC_URL}/docs` },
      services: config.PORTAL_SERVICES,
      keycloak: {
        url: config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL,
        realm: config.KEYCLOAK_REALM,
        clientId: config.KEYCLOAK_SWAGGER_CLIENT_ID,
      },
    };
    this.html = renderPortalPage(this.view);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Res({ passthrough: true }) response: Response): string {
    response.setHeader('Content-Security-Policy', portalContentSecurityPolicy(this.view));
    return this.html;
  }

  @Get('portal.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return PORTAL_SCRIPT;
  }

  /** The Keycloak login the portal and the key page share (loaded before their own script). */
  @Get('keycloak-login.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  keycloakLogin(): string {
    return KEYCLOAK_LOGIN_SCRIPT;
  }
}
