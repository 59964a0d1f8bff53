import type { CatalogStore, ItemQuery, StoredCollection, StoredItem } from '../catalog/catalog.records';

/** CatalogStore in memory, with the same search semantics as CatalogRepository (which the integration tests cover). */
export class InMemoryCatalogStore implements CatalogStore {
  readonly collections = new Map<string, StoredCollection>();
  readonly items = new Map<string, StoredItem>();

  async ensureIndexes(): Promise<void> {
    return undefined;
  }

  async ping(): Promise<void> {
    return undefined;
  }

  async listCollections(): Promise<StoredCollection[]> {
    return [...this.collections.values()].sort((a, b) => a.key.localeCompare(b.key)).map(clone);
  }

  async findCollection(key: string): Promise<StoredCollection | null> {
    const found = this.collections.get(key);
    return found ? clone(found) : null;
  }

  async insertCollection(collection: StoredCollection): Promise<boolean> {
    if (this.collections.has(collection.key)) return false;
    this.collections.set(collection.key, clone(collection));
    return true;
  }

  async replaceCollection(collection: StoredCollection): Promise<boolean> {
    if (!this.collections.has(collection.key)) return false;
    this.collections.set(collection.key, clone(collection));
    return true;
  }

  async deleteCollection(key: string): Promise<boolean> {
    for (const [id, item] of this.items) if (item.collectionKey === key) this.items.delete(id);
    return this.collections.delete(key);
  }

  async findItem(collectionKey: string, itemId: string): Promise<StoredItem | null> {
    const found = this.items.get(`${collectionKey}/${itemId}`);
    return found ? clone(found) : null;
  }

  async insertItem(item: StoredItem): Promise<boolean> {
    const id = `${item.collectionKey}/${item.itemId}`;
    if (this.items.has(id)) return false;
    this.items.set(id, clone(item));
    return true;
  }

  async replaceItem(item: StoredItem): Promise<boolean> {
    const id = `${item.collectionKey}/${item.itemId}`;
    if (!this.items.has(id)) return false;
    this.items.set(id, clone(item));
    return true;
  }

  async deleteItem(collectionKey: string, itemId: string): Promise<boolean> {
    return this.items.delete(`${collectionKey}/${itemId}`);
  }

  async searchItems(query: ItemQuery): Promise<{ items: StoredItem[]; matched: number }> {
    const matches = [...this.items.entries()]
      .filter(([, item]) => query.collectionKeys.includes(item.collectionKey))
      .filter(([, item]) => !query.ids || query.ids.includes(item.itemId))
      .filter(
        ([, item]) =>
          (!query.interval?.end || item.start <= query.interval.end) &&
          (!query.interval?.start || item.end >= query.interval.start),
      )
      .filter(([, item]) => {
        if (!query.bbox) return true;
        if (!item.bbox) return false;
        const [minX, minY, maxX, maxY] = query.bbox;
        return item.bbox[2] >= minX && item.bbox[0] <= maxX && item.bbox[3] >= minY && item.bbox[1] <= maxY;
      })
      .sort(([idA, a], [idB, b]) => b.start.getTime() - a.start.getTime() || idA.localeCompare(idB))
      .map(([, item]) => clone(item));
    return { items: matches.slice(query.offset, query.offset + query.limit), matched: matches.length };
  }
}

function clone<T extends { stac: Record<string, unknown> }>(value: T): T {
  return { ...value, stac: structuredClone(value.stac) };
}
