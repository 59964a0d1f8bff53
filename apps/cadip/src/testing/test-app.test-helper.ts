import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { fakeKeycloakAuthenticator } from '@rs/testing';
import { configureApp } from '@rs/service-kit';
import { AppModule } from '../app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../config/cadip.config';

/** Demo users of the unit specs, by the bearer "token" that stands for them. */
export const TEST_USERS: Record<string, string[]> = {
  alice: ['rs_cadip_ins_read', 'rs_cadip_ins_download', 'rs_cadip_mti_read'],
  bob: ['rs_cadip_ins_read'],
  carol: [],
};

/**
 * The whole app with the real guard, pipes and filter; only the Keycloak signature check is replaced:
 * `Authorization: Bearer alice` authenticates alice with TEST_USERS roles. No Kafka.
 */
export async function createTestApp(): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(CADIP_CONFIG)
    .useValue(loadCadipConfig({ KAFKA_ENABLED: 'false', PUBLIC_URL: 'http://cadip.test' }))
    .overrideProvider(KeycloakTokenAuthenticator)
    .useValue(fakeKeycloakAuthenticator(TEST_USERS))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  await app.init();
  return app;
}
