import type { TimeInterval } from '@rs/stac';
import type { BBox } from './geometry.util';

/** A collection as stored (STAC JSON without the links the service generates). */
export interface StoredCollection {
  key: string;
  owner: string;
  name: string;
  stac: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** An item as stored, with the fields searches use. */
export interface StoredItem {
  collectionKey: string;
  itemId: string;
  stac: Record<string, unknown>;
  start: Date;
  end: Date;
  bbox: BBox | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemQuery {
  collectionKeys: string[];
  ids?: string[];
  bbox?: BBox;
  interval?: TimeInterval;
  offset: number;
  limit: number;
}

/** Persistence of the catalog; CatalogRepository is the MongoDB one. */
export interface CatalogStore {
  listCollections(): Promise<StoredCollection[]>;
  findCollection(key: string): Promise<StoredCollection | null>;
  /** False when a collection with this key exists. */
  insertCollection(collection: StoredCollection): Promise<boolean>;
  /** False when there is no such collection. */
  replaceCollection(collection: StoredCollection): Promise<boolean>;
  /** Deletes the collection and its items; false when there was none. */
  deleteCollection(key: string): Promise<boolean>;
  findItem(collectionKey: string, itemId: string): Promise<StoredItem | null>;
  insertItem(item: StoredItem): Promise<boolean>;
  replaceItem(item: StoredItem): Promise<boolean>;
  deleteItem(collectionKey: string, itemId: string): Promise<boolean>;
  /** Newest first (datetime_start), then by id; `matched` counts every match. */
  searchItems(query: ItemQuery): Promise<{ items: StoredItem[]; matched: number }>;
}
