import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@rs/auth-guard';
import type { OpenApiDocument } from '@rs/api-frontend';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../config/key-manager.config';
import { FrontendDocumentService } from './frontend-document.service';
import { FRONTEND_DOCS_PATH, FRONTEND_DOCUMENT_PATH, FRONTEND_SCRIPT_PATH, renderFrontendPage } from './frontend.page';
import { FRONTEND_SCRIPT } from './frontend.script';

/** The RS-Server frontend: one Swagger UI, one Authorize, every service (docs/frontend.md). */
@ApiExcludeController()
@Public()
@Controller()
export class FrontendController {
  private readonly html: string;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) config: KeyManagerConfig,
    private readonly documents: FrontendDocumentService,
  ) {
    this.html = renderFrontendPage({ clientId: config.KEYCLOAK_SWAGGER_CLIENT_ID });
  }

  @Get(FRONTEND_DOCS_PATH)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.html;
  }

  @Get(FRONTEND_SCRIPT_PATH)
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return FRONTEND_SCRIPT;
  }

  @Get(FRONTEND_DOCUMENT_PATH)
  @Header('Cache-Control', 'no-cache')
  document(): Promise<OpenApiDocument> {
    return this.documents.document();
  }
}
