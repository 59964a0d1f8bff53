import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { configureApp } from '@rs/service-kit';
import request from 'supertest';
import { fakeKeycloakAuthenticator } from './fake-keycloak.util';

export interface GuardedTestAppOptions {
  /** The app's root module. */
  module: Type<unknown>;
  /** The app's config token and the config the spec runs with (no Kafka, a test PUBLIC_URL). */
  config: { token: symbol; value: unknown };
  /** Roles by the bearer "token" that stands for each user. */
  users: Record<string, string[]>;
}

/**
 * A guarded service's whole app for unit specs: the real guard, pipes and filter; only the Keycloak signature
 * check is replaced (`Authorization: Bearer alice` authenticates alice with `users.alice`).
 */
export async function createGuardedTestApp(options: GuardedTestAppOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [options.module] })
    .overrideProvider(options.config.token)
    .useValue(options.config.value)
    .overrideProvider(KeycloakTokenAuthenticator)
    .useValue(fakeKeycloakAuthenticator(options.users))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  await app.init();
  return app;
}

/** The header that authenticates `user` in an app of createGuardedTestApp. */
export const bearer = (user: string) => ({ Authorization: `Bearer ${user}` });

/**
 * One app for the tests of the enclosing describe block: created before them, closed after. `http()` starts a
 * supertest request against it.
 */
export function useTestApp(create: () => Promise<INestApplication>): { http: () => ReturnType<typeof request> } {
  let app: INestApplication;
  beforeAll(async () => {
    app = await create();
  });
  afterAll(() => app.close());
  return { http: () => request(app.getHttpServer()) };
}
