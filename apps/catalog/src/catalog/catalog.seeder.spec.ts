import { Logger } from '@nestjs/common';
import { loadCatalogConfig } from '../config/catalog.config';
import { InMemoryCatalogStore } from '../testing/in-memory-catalog.store.test-helper';
import type { CatalogRepository } from './catalog.repository';
import { CatalogSeeder } from './catalog.seeder';
import { CatalogService } from './catalog.service';

describe(CatalogSeeder.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  function create(
    seed: boolean,
    store = new InMemoryCatalogStore(),
  ): { sut: CatalogSeeder; store: InMemoryCatalogStore } {
    const config = loadCatalogConfig({ CATALOG_SEED_SAMPLES: String(seed) });
    return { sut: new CatalogSeeder(store as unknown as CatalogRepository, new CatalogService(store), config), store };
  }

  describe('seed', () => {
    it('should insert the samples once', async () => {
      const { sut, store } = create(true);
      expect(await sut.seed()).toBe(12);
      expect(await sut.seed()).toBe(0);
      expect([...store.collections.keys()]).toEqual(['alice:s1-l1', 'bob:s2-l2']);
    });

    it('should only create indexes when samples are off', async () => {
      const { sut, store } = create(false);
      const ensureIndexes = jest.spyOn(store, 'ensureIndexes');
      expect(await sut.seed()).toBe(0);
      expect(ensureIndexes).toHaveBeenCalled();
    });

    it('should retry in the background while the database is down', async () => {
      jest.useFakeTimers();
      try {
        const { sut, store } = create(true);
        const ensureIndexes = jest.spyOn(store, 'ensureIndexes').mockRejectedValueOnce(new Error('down'));
        sut.onApplicationBootstrap();
        await jest.advanceTimersByTimeAsync(5000);
        expect(ensureIndexes).toHaveBeenCalledTimes(2);
        expect(store.collections.size).toBe(2);
        sut.onApplicationShutdown();
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
