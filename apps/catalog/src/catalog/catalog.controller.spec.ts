import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer as as } from '@rs/testing';
import { createTestApp } from '../testing/test-app.test-helper';
import { CatalogController } from './catalog.controller';

function item(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'Feature',
    id,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [10, 40],
          [11, 40],
          [11, 41],
          [10, 41],
          [10, 40],
        ],
      ],
    },
    properties: { datetime: '2024-03-01T10:00:00Z' },
    assets: {},
    ...overrides,
  };
}

function collection(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'Collection', id, description: 'test collection', ...overrides };
}

describe(CatalogController.name, () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    ({ app } = await createTestApp());
  });

  afterEach(() => app.close());

  describe('landing page and conformance', () => {
    it('should require authentication', async () => {
      await http().get('/catalog').expect(401);
    });

    it('should answer any authenticated user', async () => {
      const landing = await http().get('/catalog').set(as('carol')).expect(200);
      expect(landing.body).toMatchObject({
        type: 'Catalog',
        conformsTo: expect.arrayContaining(['https://api.stacspec.org/v1.0.0/core']),
      });
      expect(landing.body.links.find((link: { rel: string }) => link.rel === 'data').href).toBe(
        'http://catalog.test/catalog/collections',
      );
      await http().get('/catalog/conformance').set(as('carol')).expect(200);
    });
  });

  describe('GET /catalog/collections', () => {
    it.each([
      ['alice', ['alice:s1-l1']],
      ['bob', ['bob:s2-l2']],
      ['carol', []],
      ['rsadmin', ['alice:s1-l1', 'bob:s2-l2']],
    ])('should list only what %s may read', async (user, expected) => {
      const response = await http().get('/catalog/collections').set(as(user)).expect(200);
      expect(response.body.collections.map((entry: { id: string }) => entry.id)).toEqual(expected);
    });
  });

  describe('GET /catalog/collections/:collectionId', () => {
    it('should answer the owner with links and keep nested extents', async () => {
      const response = await http().get('/catalog/collections/bob:s2-l2').set(as('bob')).expect(200);
      expect(response.body).toMatchObject({
        id: 'bob:s2-l2',
        owner: 'bob',
        extent: { spatial: { bbox: [[-5, 40, 25, 55]] } },
      });
      expect(response.body.links.map((link: { rel: string }) => link.rel)).toEqual(['self', 'root', 'parent', 'items']);
    });

    it('should refuse another user without the role, naming it', async () => {
      const response = await http().get('/catalog/collections/bob:s2-l2').set(as('alice')).expect(403);
      expect(response.body.message).toContain("'rs_catalog_bob:s2-l2_read'");
    });

    it('should answer 400 for a malformed id and 404 for a missing collection of the owner', async () => {
      expect((await http().get('/catalog/collections/bob').set(as('bob')).expect(400)).body.parameter).toBe(
        'collection_id',
      );
      expect((await http().get('/catalog/collections/bob:nope').set(as('bob')).expect(404)).body.code).toBe(
        'COLLECTION_NOT_FOUND',
      );
    });
  });

  describe('POST /catalog/collections', () => {
    it("should create a collection in the caller's namespace, once", async () => {
      const created = await http()
        .post('/catalog/collections')
        .set(as('carol'))
        .send(
          collection('mine', { extent: { spatial: { bbox: [[0, 0, 1, 1]] }, temporal: { interval: [[null, null]] } } }),
        )
        .expect(201);
      expect(created.body).toMatchObject({ id: 'carol:mine', owner: 'carol', license: 'other' });
      await http().get('/catalog/collections/carol:mine').set(as('carol')).expect(200);
      expect(
        (await http().post('/catalog/collections').set(as('carol')).send(collection('mine')).expect(409)).body.code,
      ).toBe('COLLECTION_EXISTS');
    });

    it("should refuse another owner's namespace without their write role, and allow it with it", async () => {
      const refused = await http().post('/catalog/collections').set(as('carol')).send(collection('bob:x')).expect(403);
      expect(refused.body.message).toContain("'rs_catalog_bob:x_write'");
      await http().post('/catalog/collections').set(as('rsadmin')).send(collection('bob:x')).expect(201);
    });

    it.each([
      ['a wrong type', { type: 'Catalog' }, 'type'],
      ['no description', { description: undefined }, 'description'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['a bad name', { id: 'my collection' }, 'id'],
    ])('should answer 400 naming the field for %s', async (_label, overrides, parameter) => {
      const response = await http()
        .post('/catalog/collections')
        .set(as('carol'))
        .send(collection('mine', overrides))
        .expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    });
  });

  describe('PUT and DELETE /catalog/collections/:collectionId', () => {
    it('should let the owner replace and delete, and refuse readers', async () => {
      const replaced = await http()
        .put('/catalog/collections/alice:s1-l1')
        .set(as('alice'))
        .send(collection('s1-l1', { title: 'Renamed' }))
        .expect(200);
      expect(replaced.body.title).toBe('Renamed');
      expect(
        (await http().put('/catalog/collections/bob:s2-l2').set(as('rsadmin')).send(collection('s2-l2')).expect(200))
          .body.id,
      ).toBe('bob:s2-l2');
      expect(
        (await http().delete('/catalog/collections/bob:s2-l2').set(as('alice')).expect(403)).body.message,
      ).toContain('rs_catalog_bob:s2-l2_write');
      await http().delete('/catalog/collections/bob:s2-l2').set(as('bob')).expect(204);
      await http().get('/catalog/collections/bob:s2-l2').set(as('bob')).expect(404);
      expect((await http().get('/catalog/search').set(as('bob')).expect(200)).body.numberMatched).toBe(0);
    });

    it('should refuse a body whose id is another collection', async () => {
      expect(
        (await http().put('/catalog/collections/alice:s1-l1').set(as('alice')).send(collection('other')).expect(400))
          .body.parameter,
      ).toBe('id');
    });
  });

  describe('items', () => {
    it('should page through items newest first with a next link', async () => {
      const first = await http().get('/catalog/collections/alice:s1-l1/items?limit=2').set(as('alice')).expect(200);
      expect(first.body).toMatchObject({ type: 'FeatureCollection', numberMatched: 5, numberReturned: 2 });
      const dates = first.body.features.map(
        (feature: { properties: { datetime: string } }) => feature.properties.datetime,
      );
      expect(dates[0] > dates[1]).toBe(true);
      const next = first.body.links.find((link: { rel: string }) => link.rel === 'next');
      expect(next.href).toBe('http://catalog.test/catalog/collections/alice:s1-l1/items?limit=2&offset=2');
      const last = await http()
        .get('/catalog/collections/alice:s1-l1/items?limit=2&offset=4')
        .set(as('alice'))
        .expect(200);
      expect(last.body.numberReturned).toBe(1);
      expect(last.body.links.some((link: { rel: string }) => link.rel === 'next')).toBe(false);
    });

    it('should filter by bbox and datetime', async () => {
      const response = await http()
        .get(
          '/catalog/collections/alice:s1-l1/items?bbox=11,40,13,42&datetime=2024-01-01T00:00:00Z/2024-01-10T00:00:00Z',
        )
        .set(as('alice'))
        .expect(200);
      expect(response.body.features.map((feature: { id: string }) => feature.id)).toEqual([
        expect.stringMatching(/^S1A_IW_GRDH_1SDV_20240105/),
      ]);
      expect(
        (await http().get('/catalog/collections/alice:s1-l1/items?bbox=1,2,3').set(as('alice')).expect(400)).body
          .parameter,
      ).toBe('bbox');
    });

    it('should create, read, replace and delete an item of an owned collection', async () => {
      const created = await http()
        .post('/catalog/collections/alice:s1-l1/items')
        .set(as('alice'))
        .send(item('new-1'))
        .expect(201);
      expect(created.body).toMatchObject({ id: 'new-1', collection: 'alice:s1-l1', bbox: [10, 40, 11, 41] });
      expect(created.body.links[0].href).toBe('http://catalog.test/catalog/collections/alice:s1-l1/items/new-1');
      expect(
        (await http().post('/catalog/collections/alice:s1-l1/items').set(as('alice')).send(item('new-1')).expect(409))
          .body.code,
      ).toBe('ITEM_EXISTS');
      await http().get('/catalog/collections/alice:s1-l1/items/new-1').set(as('alice')).expect(200);
      const replaced = await http()
        .put('/catalog/collections/alice:s1-l1/items/new-1')
        .set(as('alice'))
        .send(item('new-1', { properties: { datetime: '2024-04-01T00:00:00Z', title: 'v2' } }))
        .expect(200);
      expect(replaced.body.properties.title).toBe('v2');
      await http().delete('/catalog/collections/alice:s1-l1/items/new-1').set(as('alice')).expect(204);
      expect(
        (await http().get('/catalog/collections/alice:s1-l1/items/new-1').set(as('alice')).expect(404)).body.code,
      ).toBe('ITEM_NOT_FOUND');
    });

    it('should refuse writing into a collection one may only read, naming the role', async () => {
      const response = await http()
        .post('/catalog/collections/bob:s2-l2/items')
        .set(as('rsadmin'))
        .send(item('x'))
        .expect(201);
      expect(response.body.collection).toBe('bob:s2-l2');
      const refused = await http()
        .post('/catalog/collections/alice:s1-l1/items')
        .set(as('bob'))
        .send(item('x'))
        .expect(403);
      expect(refused.body.message).toContain("'rs_catalog_alice:s1-l1_write'");
    });

    it.each([
      [
        'an invalid geometry',
        {
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 1],
              ],
            ],
          },
        },
        'geometry',
      ],
      ['a missing geometry', { geometry: undefined }, 'geometry'],
      ['no datetime', { properties: { title: 'x' } }, 'properties.datetime'],
      ['a bad datetime', { properties: { datetime: 'noon' } }, 'properties.datetime'],
      ['a wrong type', { type: 'Collection' }, 'type'],
      ['a bad id', { id: '../x' }, 'id'],
    ])('should answer 400 naming the field for %s', async (_label, overrides, parameter) => {
      const response = await http()
        .post('/catalog/collections/alice:s1-l1/items')
        .set(as('alice'))
        .send(item('bad', overrides))
        .expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    });

    it('should accept an item without geometry but with a time range', async () => {
      const body = item('range', {
        geometry: null,
        properties: { datetime: null, start_datetime: '2024-01-01T00:00:00Z', end_datetime: '2024-01-02T00:00:00Z' },
      });
      await http().post('/catalog/collections/alice:s1-l1/items').set(as('alice')).send(body).expect(201);
      const found = await http()
        .get('/catalog/collections/alice:s1-l1/items?datetime=2024-01-01T12:00:00Z&limit=100')
        .set(as('alice'))
        .expect(200);
      expect(found.body.features.map((feature: { id: string }) => feature.id)).toContain('range');
    });

    it('should answer 404 for items of a missing collection', async () => {
      await http().post('/catalog/collections/alice:nope/items').set(as('alice')).send(item('x')).expect(404);
    });
  });

  describe('search', () => {
    it('should search only readable collections by default', async () => {
      const response = await http().get('/catalog/search?limit=100').set(as('bob')).expect(200);
      expect(response.body.numberMatched).toBe(5);
      expect(new Set(response.body.features.map((feature: { collection: string }) => feature.collection))).toEqual(
        new Set(['bob:s2-l2']),
      );
      expect((await http().get('/catalog/search').set(as('carol')).expect(200)).body.numberMatched).toBe(0);
    });

    it('should refuse naming a collection one may not read', async () => {
      const response = await http().get('/catalog/search?collections=alice:s1-l1,bob:s2-l2').set(as('bob')).expect(403);
      expect(response.body.message).toContain("'rs_catalog_alice:s1-l1_read'");
      expect((await http().get('/catalog/search?collections=bad').set(as('bob')).expect(400)).body.parameter).toBe(
        'collections',
      );
    });

    it('should search by ids and bbox across collections, also with a POST body and a POST next link', async () => {
      const ids = await http().get('/catalog/search?limit=1').set(as('rsadmin')).expect(200);
      const id = ids.body.features[0].id as string;
      expect((await http().get(`/catalog/search?ids=${id}`).set(as('rsadmin')).expect(200)).body.numberMatched).toBe(1);
      const posted = await http()
        .post('/catalog/search')
        .set(as('rsadmin'))
        .send({ bbox: [-10, 35, 30, 60], limit: 3 })
        .expect(200);
      expect(posted.body).toMatchObject({ numberMatched: 10, numberReturned: 3 });
      expect(posted.body.links.find((link: { rel: string }) => link.rel === 'next')).toMatchObject({
        method: 'POST',
        body: { bbox: [-10, 35, 30, 60], limit: 3, offset: 3 },
      });
      expect(
        (await http().post('/catalog/search').set(as('rsadmin')).send({ limit: 'ten' }).expect(400)).body.parameter,
      ).toBe('limit');
    });
  });

  describe('request contract', () => {
    it.each([
      ['a link without rel', { links: [{ href: 'https://example.org' }] }, 'links'],
      ['a link whose type is not text', { links: [{ rel: 'about', href: 'https://x.org', type: 5 }] }, 'links'],
      ['a bbox of 5 numbers', { bbox: [1, 2, 3, 4, 5] }, 'bbox'],
      [
        'a start_datetime that is not text',
        { properties: { datetime: '2024-03-01T10:00:00Z', start_datetime: 1 } },
        'properties.start_datetime',
      ],
      ['a datetime Date would roll over', { properties: { datetime: '2024-03-01T24:00:00Z' } }, 'properties.datetime'],
      ['an unknown field', { colour: 'blue' }, 'colour'],
    ])('should refuse an item with %s, naming the field', async (_what, overrides, parameter) => {
      const response = await http()
        .post('/catalog/collections/alice:s1-l1/items')
        .set(as('alice'))
        .send(item('contract-1', overrides))
        .expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    });

    it('should refuse null for an optional field, which would be served where a string is promised', async () => {
      const response = await http()
        .post('/catalog/collections')
        .set(as('alice'))
        .send(collection('null-title', { title: null }))
        .expect(400);
      expect(response.body.parameter).toBe('title');
    });

    it('should refuse a collection whose link lacks rel, so none is served without one', async () => {
      const response = await http()
        .post('/catalog/collections')
        .set(as('alice'))
        .send(collection('no-rel', { links: [{ href: 'https://example.org' }] }))
        .expect(400);
      expect(response.body.parameter).toBe('links');
    });

    it('should keep a link with rel and href and extra fields', async () => {
      const link = { rel: 'license', href: 'https://example.org/licence', hreflang: 'en' };
      await http()
        .post('/catalog/collections')
        .set(as('alice'))
        .send(collection('with-link', { links: [link] }))
        .expect(201);
      const stored = await http().get('/catalog/collections/alice:with-link').set(as('alice')).expect(200);
      expect(stored.body.links).toContainEqual(link);
    });

    it('should refuse POST /catalog/search without a body', async () => {
      const response = await http().post('/catalog/search').set(as('rsadmin')).expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PARAMETER', parameter: 'body' });
      await http().post('/catalog/search').set(as('rsadmin')).send({}).expect(200);
    });

    it('should answer 400 for a collection id of the wrong shape and 405 for an undeclared method', async () => {
      expect((await http().delete('/catalog/collections/0').set(as('alice')).expect(400)).body.parameter).toBe(
        'collection_id',
      );
      const response = await http().patch('/catalog/collections/alice:s1-l1').set(as('alice')).expect(405);
      expect(response.headers['allow']).toBe('DELETE, GET, HEAD, PUT, OPTIONS');
    });
  });
});
