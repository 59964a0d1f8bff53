import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

export interface SecurityHeadersOptions {
  /** Keycloak's URL as browsers reach it: Swagger UI's token request goes there (connect-src). */
  keycloakUrl: string;
}

/** Swagger UI's OAuth2 callback: it runs in the login popup and hands the code to its opener. */
const OAUTH2_REDIRECT_PAGE = /\/oauth2-redirect\.html$/;

/**
 * The Content-Security-Policy of every page an app serves (Swagger UI): its own scripts only, inline styles
 * (Swagger UI sets style attributes), data: images and fonts, and fetches to itself and Keycloak.
 */
export function contentSecurityPolicyDirectives(options: SecurityHeadersOptions): Record<string, string[]> {
  const keycloak = new URL(options.keycloakUrl).origin;
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", keycloak],
    'frame-src': ["'self'"],
    'frame-ancestors': ["'self'"],
    'form-action': ["'self'"],
    'base-uri': ["'self'"],
    'object-src': ["'none'"],
  };
}

/**
 * Helmet with the platform's choices: a CSP that lets the Keycloak login work, a Referrer-Policy that keeps
 * the Referer `allowed_referers` checks read, and no opener isolation on Swagger UI's OAuth2 callback page
 * (it needs `window.opener` after visiting Keycloak). HTTP stays allowed: TLS is the deployment's job.
 */
export function securityHeaders(options: SecurityHeadersOptions): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicyDirectives(options) },
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });
  return (request: Request, response: Response, next: NextFunction) =>
    headers(request, response, (error?: unknown) => {
      if (OAUTH2_REDIRECT_PAGE.test(request.path)) response.removeHeader('Cross-Origin-Opener-Policy');
      next(error);
    });
}

/** Adds the security headers to every response of the app; call before the app starts listening. */
export function applySecurityHeaders(app: INestApplication, options: SecurityHeadersOptions): void {
  app.use(securityHeaders(options));
}
