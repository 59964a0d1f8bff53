import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@rs/auth-guard';
import { DEFAULT_ROTATION_GRACE_HOURS } from '@rs/key-domain';
import { API_KEY_ADMIN_ROLE } from '@rs/rs-roles';
import type { Response } from 'express';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { KEY_PAGE_PATH, type KeyPageView, keyPageContentSecurityPolicy, renderKeyPage } from './key-page.page';
import { KEY_PAGE_SCRIPT } from './key-page.script';
import { KEY_PAGE_STYLE } from './key-page.style';

/**
 * The self-service key page at `/keys`: a static page, script and stylesheet. The page itself is public; what it
 * shows comes from the key API with the visitor's Keycloak token.
 */
@ApiExcludeController()
@Public()
@Controller()
export class KeyPageController {
  private readonly view: KeyPageView;
  private readonly html: string;

  constructor(@Inject(KEY_MANAGER_CONFIG) config: KeyManagerConfig) {
    this.view = {
      keycloak: {
        url: config.KEYCLOAK_PUBLIC_URL ?? config.KEYCLOAK_URL,
        realm: config.KEYCLOAK_REALM,
        clientId: config.KEYCLOAK_SWAGGER_CLIENT_ID,
      },
      adminRole: API_KEY_ADMIN_ROLE,
      defaultGraceHours: DEFAULT_ROTATION_GRACE_HOURS,
    };
    this.html = renderKeyPage(this.view);
  }

  @Get(KEY_PAGE_PATH.slice(1))
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Res({ passthrough: true }) response: Response): string {
    response.setHeader('Content-Security-Policy', keyPageContentSecurityPolicy(this.view));
    return this.html;
  }

  @Get(`${KEY_PAGE_PATH.slice(1)}.js`)
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return KEY_PAGE_SCRIPT;
  }

  @Get(`${KEY_PAGE_PATH.slice(1)}.css`)
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return KEY_PAGE_STYLE;
  }
}
