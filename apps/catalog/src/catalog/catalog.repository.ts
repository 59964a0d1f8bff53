import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { FilterQuery, Model } from 'mongoose';
import type { BBox } from './geometry.util';
import type { CatalogStore, ItemQuery, StoredCollection, StoredItem } from './catalog.records';
import { CatalogCollectionDocument, CatalogItemDocument } from './catalog.schemas';

const DUPLICATE_KEY = 11000;

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DUPLICATE_KEY;
}

/** The only class touching the catalog's MongoDB collections. */
@Injectable()
export class CatalogRepository implements CatalogStore {
  constructor(
    @InjectModel(CatalogCollectionDocument.name) private readonly collections: Model<CatalogCollectionDocument>,
    @InjectModel(CatalogItemDocument.name) private readonly items: Model<CatalogItemDocument>,
  ) {}

  /** Only index kinds both MongoDB 7 and the local Mongo-wire DB support (no 2dsphere, no TTL). */
  async ensureIndexes(): Promise<void> {
    await this.collections.collection.createIndex({ owner: 1 }, { name: 'owner' });
    await this.items.collection.createIndex({ collection_key: 1, datetime_start: -1 }, { name: 'collection_datetime' });
    await this.items.collection.createIndex(
      { collection_key: 1, item_id: 1 },
      { unique: true, name: 'collection_item_unique' },
    );
  }

  async ping(): Promise<void> {
    const db = this.collections.db.db;
    if (!db) throw new Error('not connected');
    await db.command({ ping: 1 });
  }

  async listCollections(): Promise<StoredCollection[]> {
    const documents = await this.collections.find().sort({ _id: 1 }).lean().exec();
    return documents.map(toCollection);
  }

  async findCollection(key: string): Promise<StoredCollection | null> {
    const document = await this.collections.findOne({ _id: key }).lean().exec();
    return document ? toCollection(document) : null;
  }

  async insertCollection(collection: StoredCollection): Promise<boolean> {
    try {
      await this.collections.create(fromCollection(collection));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async replaceCollection(collection: StoredCollection): Promise<boolean> {
    const { _id, created_at: _created, ...fields } = fromCollection(collection);
    const result = await this.collections.updateOne({ _id }, { $set: fields }).exec();
    return result.matchedCount > 0;
  }

  async deleteCollection(key: string): Promise<boolean> {
    const result = await this.collections.deleteOne({ _id: key }).exec();
    await this.items.deleteMany({ collection_key: key }).exec();
    return result.deletedCount > 0;
  }

  async findItem(collectionKey: string, itemId: string): Promise<StoredItem | null> {
    const document = await this.items
      .findOne({ _id: itemKey(collectionKey, itemId) })
      .lean()
      .exec();
    return document ? toItem(document) : null;
  }

  async insertItem(item: StoredItem): Promise<boolean> {
    try {
      await this.items.create(fromItem(item));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async replaceItem(item: StoredItem): Promise<boolean> {
    const { _id, created_at: _created, ...fields } = fromItem(item);
    const result = await this.items.updateOne({ _id }, { $set: fields }).exec();
    return result.matchedCount > 0;
  }

  async deleteItem(collectionKey: string, itemId: string): Promise<boolean> {
    const result = await this.items.deleteOne({ _id: itemKey(collectionKey, itemId) }).exec();
    return result.deletedCount > 0;
  }

  async searchItems(query: ItemQuery): Promise<{ items: StoredItem[]; matched: number }> {
    const filter: FilterQuery<CatalogItemDocument> = { collection_key: { $in: query.collectionKeys } };
    if (query.ids) filter.item_id = { $in: query.ids };
    if (query.interval?.end) filter.datetime_start = { $lte: query.interval.end };
    if (query.interval?.start) filter.datetime_end = { $gte: query.interval.start };
    if (query.bbox) {
      const [minX, minY, maxX, maxY] = query.bbox;
      Object.assign(filter, {
        bbox_max_x: { $gte: minX },
        bbox_min_x: { $lte: maxX },
        bbox_max_y: { $gte: minY },
        bbox_min_y: { $lte: maxY },
      });
    }
    const [documents, matched] = await Promise.all([
      this.items.find(filter).sort({ datetime_start: -1, _id: 1 }).skip(query.offset).limit(query.limit).lean().exec(),
      this.items.countDocuments(filter).exec(),
    ]);
    return { items: documents.map(toItem), matched };
  }
}

function itemKey(collectionKey: string, itemId: string): string {
  return `${collectionKey}/${itemId}`;
}

function fromCollection(collection: StoredCollection): CatalogCollectionDocument {
  return {
    _id: collection.key,
    owner: collection.owner,
    name: collection.name,
    stac_json: JSON.stringify(collection.stac),
    created_at: collection.createdAt,
    updated_at: collection.updatedAt,
  };
}

function toCollection(document: CatalogCollectionDocument): StoredCollection {
  return {
    key: document._id,
    owner: document.owner,
    name: document.name,
    stac: JSON.parse(document.stac_json) as Record<string, unknown>,
    createdAt: document.created_at,
    updatedAt: document.updated_at,
  };
}

function fromItem(item: StoredItem): CatalogItemDocument {
  const [minX, minY, maxX, maxY] = item.bbox ?? [null, null, null, null];
  return {
    _id: itemKey(item.collectionKey, item.itemId),
    collection_key: item.collectionKey,
    item_id: item.itemId,
    datetime_start: item.start,
    datetime_end: item.end,
    bbox_min_x: minX,
    bbox_min_y: minY,
    bbox_max_x: maxX,
    bbox_max_y: maxY,
    stac_json: JSON.stringify(item.stac),
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  };
}

function toItem(document: CatalogItemDocument): StoredItem {
  const box = [document.bbox_min_x, document.bbox_min_y, document.bbox_max_x, document.bbox_max_y];
  return {
    collectionKey: document.collection_key,
    itemId: document.item_id,
    stac: JSON.parse(document.stac_json) as Record<string, unknown>,
    start: document.datetime_start,
    end: document.datetime_end,
    bbox: box.every((value) => typeof value === 'number') ? (box as BBox) : null,
    createdAt: document.created_at,
    updatedAt: document.updated_at,
  };
}
