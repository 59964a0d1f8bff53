import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiKey, ApiKeyUsageTotal } from './api-key.schema';

export type ApiKeyRecord = ApiKey;
export type UsageTotals = Map<string, { total_queries: number; latest_query_date: Date | null }>;

/** The only class touching the api_keys collection. Every user-facing query is scoped by owner. */
@Injectable()
export class ApiKeysRepository {
  constructor(
    @InjectModel(ApiKey.name) private readonly keys: Model<ApiKey>,
    @InjectModel(ApiKeyUsageTotal.name) private readonly totals: Model<ApiKeyUsageTotal>,
  ) {}

  /** Only index kinds that both MongoDB 7 and the local Mongo-wire DB support (no TTL, no partial). */
  async ensureIndexes(): Promise<void> {
    await this.keys.collection.createIndex({ hash: 1 }, { unique: true, name: 'hash_unique' });
    await this.keys.collection.createIndex({ user_id: 1, created_at: -1 }, { name: 'owner_created' });
    await this.keys.collection.createIndex({ is_active: 1, expiration_date: 1 }, { name: 'active_expiration' });
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.keys.create(record);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.keys.findOne({ hash }).lean().exec();
  }

  /** A key of this owner (or of anyone when `ownerId` is null, for admins) by its id. */
  async findOwned(keyId: string, ownerId: string | null): Promise<ApiKeyRecord | null> {
    return this.keys.findOne(ownerId === null ? { _id: keyId } : { _id: keyId, user_id: ownerId }).lean().exec();
  }

  async findOwnedByHash(hash: string, ownerId: string | null): Promise<ApiKeyRecord | null> {
    return this.keys.findOne(ownerId === null ? { hash } : { hash, user_id: ownerId }).lean().exec();
  }

  async listByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.keys.find({ user_id: ownerId }).sort({ created_at: -1 }).lean().exec();
  }

  async listByLogin(userLogin: string): Promise<ApiKeyRecord[]> {
    return this.keys.find({ user_login: userLogin }).sort({ created_at: -1 }).lean().exec();
  }

  async update(keyId: string, changes: Partial<ApiKeyRecord>): Promise<ApiKeyRecord | null> {
    return this.keys.findOneAndUpdate({ _id: keyId }, { $set: changes }, { new: true }).lean().exec();
  }

  /** Applies a user-level change (enabled flag, roles, attributes) to all of a user's keys. */
  async updateUserKeys(userId: string, changes: Partial<ApiKeyRecord>): Promise<void> {
    await this.keys.updateMany({ user_id: userId }, { $set: changes }).exec();
  }

  async usageTotals(keyIds: string[]): Promise<UsageTotals> {
    if (!keyIds.length) return new Map();
    const rows = await this.totals.find({ _id: { $in: keyIds } }).lean().exec();
    return new Map(rows.map((row) => [row._id, { total_queries: row.total_queries ?? 0, latest_query_date: row.latest_query_date ?? null }]));
  }

  async ping(): Promise<void> {
    const db = this.keys.db.db;
    if (!db) throw new Error('not connected');
    await db.command({ ping: 1 });
  }
}
