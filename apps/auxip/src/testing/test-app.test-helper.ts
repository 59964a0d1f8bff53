import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { fakeKeycloakAuthenticator } from '@rs/testing';
import { configureApp } from '@rs/service-kit';
import { AppModule } from '../app.module';
import { AUXIP_CONFIG, loadAuxipConfig } from '../config/auxip.config';

/** Demo users of the unit specs, by the bearer "token" that stands for them. */
export const TEST_USERS: Record<string, string[]> = {
  alice: ['rs_auxip_adgs_read', 'rs_auxip_adgs_download', 'rs_auxip_landing_page'],
  bob: ['rs_auxip_adgs_read'],
  carol: [],
};

/**
 * The whole app with the real guard, pipes and filter; only the Keycloak signature check is replaced:
 * `Authorization: Bearer alice` authenticates alice with TEST_USERS roles. No Kafka.
 */
export async function createTestApp(): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AUXIP_CONFIG)
    .useValue(loadAuxipConfig({ KAFKA_ENABLED: 'false', PUBLIC_URL: 'http://auxip.test' }))
    .overrideProvider(KeycloakTokenAuthenticator)
    .useValue(fakeKeycloakAuthenticator(TEST_USERS))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  await app.init();
  return app;
}
