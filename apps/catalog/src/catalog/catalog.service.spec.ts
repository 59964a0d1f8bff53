import type { AuthPrincipal } from '@rs/auth-guard';
import { DomainError } from '@rs/key-domain';
import { InMemoryCatalogStore } from '../testing/in-memory-catalog.store.test-helper';
import { CatalogService } from './catalog.service';
import type { StacCollectionDto } from './dto/stac-collection.dto';
import type { StacItemDto } from './dto/stac-item.dto';

const BASE = 'http://catalog.test';
const next = () => ({ rel: 'next', href: `${BASE}/next` });

function principal(login: string, roles: string[] = []): AuthPrincipal {
  return {
    user_id: `id-${login}`,
    user_login: login,
    iam_roles: roles,
    config: {},
    auth_method: 'api_key',
    key_id: 'k',
  };
}

function itemDto(
  id: string,
  properties: Record<string, unknown> = { datetime: '2024-01-01T00:00:00Z' },
  extra: Partial<StacItemDto> = {},
): StacItemDto {
  return { type: 'Feature', id, geometry: { type: 'Point', coordinates: [1, 2] }, properties, ...extra } as StacItemDto;
}

describe(CatalogService.name, () => {
  let store: InMemoryCatalogStore;
  let sut: CatalogService;

  beforeEach(async () => {
    store = new InMemoryCatalogStore();
    sut = new CatalogService(store);
    await sut.createCollection(
      principal('dana'),
      { type: 'Collection', id: 'c1', description: 'd' } as StacCollectionDto,
      BASE,
    );
  });

  describe('createCollection', () => {
    it('should store the STAC body under the owner, without the links it generates', async () => {
      await sut.createCollection(
        principal('dana'),
        {
          type: 'Collection',
          id: 'c2',
          description: 'd',
          links: [
            { rel: 'self', href: 'x' },
            { rel: 'license', href: 'https://l' },
          ],
        } as StacCollectionDto,
        BASE,
      );
      const stored = await store.findCollection('dana:c2');
      expect(stored).toMatchObject({
        owner: 'dana',
        name: 'c2',
        stac: { id: 'c2', links: [{ rel: 'license', href: 'https://l' }] },
      });
    });
  });

  describe('createItem', () => {
    it('should derive bbox and time fields for searching', async () => {
      await sut.createItem(
        'dana:c1',
        itemDto('i1', { datetime: null, start_datetime: '2024-01-01T00:00:00Z', end_datetime: '2024-01-03T00:00:00Z' }),
        BASE,
      );
      const stored = await store.findItem('dana:c1', 'i1');
      expect(stored).toMatchObject({
        bbox: [1, 2, 1, 2],
        start: new Date('2024-01-01T00:00:00Z'),
        end: new Date('2024-01-03T00:00:00Z'),
      });
      expect(stored?.stac['collection']).toBeUndefined();
    });

    it('should refuse a time range that ends before it starts', async () => {
      await expect(
        sut.createItem(
          'dana:c1',
          itemDto('i1', {
            datetime: null,
            start_datetime: '2024-01-03T00:00:00Z',
            end_datetime: '2024-01-01T00:00:00Z',
          }),
          BASE,
        ),
      ).rejects.toThrow(DomainError);
    });
  });

  describe('replaceItem', () => {
    it('should keep the creation time', async () => {
      await sut.createItem('dana:c1', itemDto('i1'), BASE);
      const created = (await store.findItem('dana:c1', 'i1'))?.createdAt;
      await sut.replaceItem('dana:c1', 'i1', itemDto('i1', { datetime: '2024-02-01T00:00:00Z' }), BASE);
      expect((await store.findItem('dana:c1', 'i1'))?.createdAt).toEqual(created);
    });
  });

  describe('search', () => {
    it('should include the collections an API key owner may read through an owner-wide role', async () => {
      await sut.createItem('dana:c1', itemDto('i1'), BASE);
      const result = await sut.search(principal('erin', ['rs_catalog_dana:*_read']), {}, BASE, next);
      expect(result['numberMatched']).toBe(1);
    });

    it('should not query the store when nothing is readable', async () => {
      const searchItems = jest.spyOn(store, 'searchItems');
      const result = await sut.search(principal('erin'), {}, BASE, next);
      expect(result['numberMatched']).toBe(0);
      expect(searchItems).not.toHaveBeenCalled();
    });
  });
});
