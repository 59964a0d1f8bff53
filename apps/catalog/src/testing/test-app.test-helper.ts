import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthGuardModule, KeycloakTokenAuthenticator } from '@rs/auth-guard';
import { fakeKeycloakAuthenticator } from '@rs/testing';
import { configureApp, MetricsModule } from '@rs/service-kit';
import { CatalogController } from '../catalog/catalog.controller';
import { CatalogRepository } from '../catalog/catalog.repository';
import { CatalogSeeder } from '../catalog/catalog.seeder';
import { CatalogService } from '../catalog/catalog.service';
import { authGuardOptions, CATALOG_CONFIG, loadCatalogConfig } from '../config/catalog.config';
import { InMemoryCatalogStore } from './in-memory-catalog.store.test-helper';

/** Demo users of the unit specs, by the bearer "token" that stands for them (roles as in the demo realm). */
export const TEST_USERS: Record<string, string[]> = {
  alice: ['rs_catalog_alice:s1-l1_read', 'rs_catalog_alice:s1-l1_write'],
  bob: ['rs_catalog_bob:s2-l2_read'],
  carol: [],
  rsadmin: ['rs_catalog_alice:s1-l1_read', 'rs_catalog_bob:s2-l2_read', 'rs_catalog_bob:*_write'],
};

export interface CatalogTestApp {
  app: INestApplication;
  store: InMemoryCatalogStore;
}

/**
 * The catalog's HTTP layer with the real guard, pipes, filter and service, the samples seeded into an
 * in-memory store; only the Keycloak signature check is replaced (`Authorization: Bearer alice`).
 */
export async function createTestApp(): Promise<CatalogTestApp> {
  const config = loadCatalogConfig({ KAFKA_ENABLED: 'false', PUBLIC_URL: 'http://catalog.test' });
  const store = new InMemoryCatalogStore();
  const moduleRef = await Test.createTestingModule({
    imports: [MetricsModule, AuthGuardModule.forRoot(authGuardOptions(config))],
    controllers: [CatalogController],
    providers: [
      { provide: CATALOG_CONFIG, useValue: config },
      { provide: CatalogRepository, useValue: store },
      CatalogService,
      CatalogSeeder,
    ],
  })
    .overrideProvider(KeycloakTokenAuthenticator)
    .useValue(fakeKeycloakAuthenticator(TEST_USERS))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  await app.init();
  await app.get(CatalogSeeder).seed();
  return { app, store };
}
