import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const SWAGGER_PATH = 'docs';
/** Security scheme names, referenced by @ApiSecurity / @ApiOAuth2 in the auth guard's decorators. */
export const OAUTH2_SCHEME = 'keycloak';
export const API_KEY_SCHEME = 'api-key';
export const API_KEY_HEADER = 'x-api-key';

export interface SwaggerOptions {
  title: string;
  description: string;
  version: string;
  /** Keycloak base URL as the browser reaches it (no /realms suffix). */
  keycloakUrl: string;
  realm: string;
  /** Public client Swagger UI logs in with (authorization code + PKCE). */
  clientId?: string;
  /** Offer the API key in the Authorize dialog (not on the key manager: keys cannot manage keys). */
  apiKey: boolean;
}

export function buildOpenApiDocument(app: INestApplication, options: SwaggerOptions): OpenAPIObject {
  const oidc = `${options.keycloakUrl}/realms/${options.realm}/protocol/openid-connect`;
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .addOAuth2(
      {
        type: 'oauth2',
        description: 'Log in with your RS-Server Keycloak account (authorization code + PKCE).',
        flows: {
          authorizationCode: {
            authorizationUrl: `${oidc}/auth`,
            tokenUrl: `${oidc}/token`,
            scopes: { openid: 'OpenID Connect' },
          },
        },
      },
      OAUTH2_SCHEME,
    );
  if (options.apiKey) {
    builder.addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: API_KEY_HEADER,
        description: 'An API key created in the API Key Manager (rsk_…).',
      },
      API_KEY_SCHEME,
    );
  }
  return SwaggerModule.createDocument(app, builder.build());
}

/** Serves Swagger UI at /docs (JSON at /docs-json) with Keycloak login wired for PKCE. */
export function setupSwagger(app: INestApplication, options: SwaggerOptions, publicBaseUrl: string): OpenAPIObject {
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup(SWAGGER_PATH, app, document, {
    customSiteTitle: options.title,
    swaggerOptions: {
      // swagger-ui's default redirect is the parent path's oauth2-redirect.html, which Nest does not serve.
      oauth2RedirectUrl: `${publicBaseUrl}/${SWAGGER_PATH}/oauth2-redirect.html`,
      initOAuth: {
        clientId: options.clientId ?? 'swagger-ui',
        usePkceWithAuthorizationCodeGrant: true,
        scopes: ['openid'],
      },
      persistAuthorization: true,
      displayRequestDuration: true,
    },
  });
  return document;
}
