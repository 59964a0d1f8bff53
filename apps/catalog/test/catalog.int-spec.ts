import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { configureApp, listenManagement } from '@rs/service-kit';
import { stackEndpoints, userToken } from '@rs/testing';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { CatalogSeeder } from '../src/catalog/catalog.seeder';
import { CATALOG_CONFIG, loadCatalogConfig } from '../src/config/catalog.config';

/** Latin letters only (the local Mongo-wire DB's rule), unique per run. */
const DATABASE = `catalogit${[...randomBytes(6)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

const multiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [20, 10],
        [22, 10],
        [22, 12],
        [20, 12],
        [20, 10],
      ],
    ],
    [
      [
        [24, 10],
        [25, 10],
        [25, 11],
        [24, 10],
      ],
    ],
  ],
};

// The real Mongo-wire DB and Keycloak of tools/stack: persistence (nested GeoJSON, flat bbox search,
// unique keys, cascade) and owner isolation with real demo users.
describe('catalog on the real stack', () => {
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  let managementUrl: string;
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(CATALOG_CONFIG)
      .useValue(
        loadCatalogConfig({
          ...process.env,
          KAFKA_ENABLED: 'false',
          PORT: '0',
          MONGO_URL: stackEndpoints.mongoUrl(DATABASE),
        }),
      )
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    configureApp(app);
    await app.init();
    managementUrl = await listenManagement(app, 0, '127.0.0.1');
    await app.get(CatalogSeeder).seed();
    for (const user of ['alice', 'bob', 'carol', 'rsadmin']) tokens[user] = await userToken(user);
  });

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  it('should seed the samples once and report MongoDB up on the management port only', async () => {
    expect(await app.get(CatalogSeeder).seed()).toBe(0);
    await http().get('/health/ready').expect(200, { status: 'ok' });
    await http().get('/metrics').expect(404);
    const report = await fetch(`${managementUrl}/health/ready`);
    expect(await report.json()).toEqual({ status: 'ok', checks: { mongodb: 'up', keycloak: 'up' } });
    expect((await fetch(`${managementUrl}/metrics`)).status).toBe(200);
  });

  it('should isolate owners: each sees their own collection, the admin role both', async () => {
    const list = async (user: string) =>
      (await http().get('/catalog/collections').set(as(user)).expect(200)).body.collections.map(
        (c: { id: string }) => c.id,
      );
    expect(await list('alice')).toEqual(['alice:s1-l1']);
    expect(await list('bob')).toEqual(['bob:s2-l2']);
    expect(await list('carol')).toEqual([]);
    expect(await list('rsadmin')).toEqual(['alice:s1-l1', 'bob:s2-l2']);
    expect(
      (await http().get('/catalog/collections/alice:s1-l1/items').set(as('bob')).expect(403)).body.message,
    ).toContain('rs_catalog_alice:s1-l1_read');
  });

  it('should store and return nested GeoJSON and find it by bbox and time', async () => {
    await http()
      .post('/catalog/collections')
      .set(as('carol'))
      .send({ type: 'Collection', id: 'carol-col', description: 'integration' })
      .expect(201);
    const item = {
      type: 'Feature',
      id: 'multi-1',
      geometry: multiPolygon,
      properties: { datetime: '2025-06-01T12:00:00Z' },
      assets: {},
    };
    await http().post('/catalog/collections/carol:carol-col/items').set(as('carol')).send(item).expect(201);
    expect(
      (await http().post('/catalog/collections/carol:carol-col/items').set(as('carol')).send(item).expect(409)).body
        .code,
    ).toBe('ITEM_EXISTS');
    const read = await http().get('/catalog/collections/carol:carol-col/items/multi-1').set(as('carol')).expect(200);
    expect(read.body.geometry).toEqual(multiPolygon);
    expect(read.body.bbox).toEqual([20, 10, 25, 12]);
    const hit = await http()
      .get('/catalog/search?bbox=24.5,10.5,30,20&datetime=2025-06-01T00:00:00Z/2025-06-02T00:00:00Z')
      .set(as('carol'))
      .expect(200);
    expect(hit.body.features.map((feature: { id: string }) => feature.id)).toEqual(['multi-1']);
    expect((await http().get('/catalog/search?bbox=30,30,40,40').set(as('carol')).expect(200)).body.numberMatched).toBe(
      0,
    );
    expect(
      (await http().get('/catalog/search?datetime=2025-07-01T00:00:00Z/..').set(as('carol')).expect(200)).body
        .numberMatched,
    ).toBe(0);
  });

  it('should page with next links and delete a collection with its items', async () => {
    const page = await http().get('/catalog/collections/bob:s2-l2/items?limit=2&offset=2').set(as('bob')).expect(200);
    expect(page.body).toMatchObject({ numberMatched: 5, numberReturned: 2 });
    await http().delete('/catalog/collections/carol:carol-col').set(as('carol')).expect(204);
    await http().get('/catalog/collections/carol:carol-col/items/multi-1').set(as('carol')).expect(404);
    const orphans = await app
      .get<Connection>(getConnectionToken())
      .collection('stac_items')
      .countDocuments({ collection_key: 'carol:carol-col' });
    expect(orphans).toBe(0);
  });
});
