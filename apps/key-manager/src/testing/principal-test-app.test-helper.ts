import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AuthPrincipal } from '@rs/auth-guard';
import { configureApp } from '@rs/service-kit';
import type { NextFunction, Request, Response } from 'express';

/** A caller signed in with OAuth2, without roles. */
export const userPrincipal = (): AuthPrincipal => ({
  user_id: 'u1',
  user_login: 'alice',
  iam_roles: [],
  config: {},
  auth_method: 'oauth2',
});

/**
 * Controllers and their mocked services with the app's pipes and filter, for controller specs. Instead of the guard
 * (its role checks are proven by the integration suite), each request gets the principal `principal()` answers.
 */
export async function createPrincipalTestApp(
  metadata: Pick<ModuleMetadata, 'controllers' | 'providers'>,
  principal: () => AuthPrincipal,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    (req as Request & { principal?: AuthPrincipal }).principal = principal();
    next();
  });
  await app.init();
  return app;
}
