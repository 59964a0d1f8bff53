import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { RevocationSource } from '@rs/key-domain';
import type { Model } from 'mongoose';
import { ApiKey, ApiKeyUsageTotal } from './api-key.schema';

export type ApiKeyRecord = ApiKey;
/** A key named by its id or by the hash of its value. */
export type KeyLookup = { keyId: string } | { hash: string };
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
    return this.keys
      .findOne(ownerId === null ? { _id: keyId } : { _id: keyId, user_id: ownerId })
      .lean()
      .exec();
  }

  async findOwnedByHash(hash: string, ownerId: string | null): Promise<ApiKeyRecord | null> {
    return this.keys
      .findOne(ownerId === null ? { hash } : { hash, user_id: ownerId })
      .lean()
      .exec();
  }

  /**
   * Revokes the key if it is still active, in one round trip (find, check and write at once), and returns it
   * as it was before; null when there is no such key of this owner or it is already revoked. Of concurrent
   * revocations exactly one gets the key, so it is audited and announced once. `revokedBy` records who.
   */
  async revokeIfActive(
    lookup: KeyLookup,
    ownerId: string | null,
    revokedAt: Date,
    revokedBy: RevocationSource = 'owner',
  ): Promise<ApiKeyRecord | null> {
    const filter = { ...lookupFilter(lookup, ownerId), is_active: true };
    return this.keys
      .findOneAndUpdate(
        filter,
        { $set: { is_active: false, revoked_at: revokedAt, revoked_by: revokedBy } },
        { new: false },
      )
      .lean()
      .exec();
  }

  /**
   * Makes an already revoked key's revocation an administrator's (so the owner can no longer renew it) and
   * returns the key as it was; null when it is active, unknown, or already revoked by an administrator.
   */
  async escalateRevocationToAdmin(lookup: KeyLookup): Promise<ApiKeyRecord | null> {
    const filter = { ...lookupFilter(lookup, null), is_active: false, revoked_by: { $ne: 'admin' } };
    return this.keys
      .findOneAndUpdate(filter, { $set: { revoked_by: 'admin' } }, { new: false })
      .lean()
      .exec();
  }

  /**
   * Renews a key: active again until `expirationDate`, unless an administrator revoked it (null then, even when
   * the revocation lands between the caller's read and this write). Re-arms the worker's expiry processing.
   */
  async renew(keyId: string, expirationDate: Date): Promise<ApiKeyRecord | null> {
    return this.keys
      .findOneAndUpdate(
        { _id: keyId, revoked_by: { $ne: 'admin' } },
        {
          $set: {
            is_active: true,
            revoked_at: null,
            revoked_by: null,
            never_expire: false,
            expiration_date: expirationDate,
            expired_at: null,
            expiry_announced: null,
          },
        },
        { new: true },
      )
      .lean()
      .exec();
  }

  /** Keys of this owner that work or would work now: not revoked and not past their expiration date. */
  async countActiveByOwner(ownerId: string, now: Date): Promise<number> {
    return this.keys
      .countDocuments({
        user_id: ownerId,
        is_active: true,
        $or: [{ never_expire: true }, { expiration_date: { $gt: now } }],
      })
      .exec();
  }

  /** Removes a key that was never announced (a creation refused after the insert); nothing else deletes keys. */
  async deleteUnannounced(keyId: string): Promise<void> {
    await this.keys.deleteOne({ _id: keyId }).exec();
  }

  async listByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.keys.find({ user_id: ownerId }).sort({ created_at: -1 }).lean().exec();
  }

  async listByLogin(userLogin: string): Promise<ApiKeyRecord[]> {
    return this.keys.find({ user_login: userLogin }).sort({ created_at: -1 }).lean().exec();
  }

  async update(keyId: string, changes: Partial<ApiKeyRecord>): Promise<ApiKeyRecord | null> {
    // A new expiration date re-arms the worker's expiry processing (see findExpiredUnprocessed).
    const set =
      'expiration_date' in changes && !('expired_at' in changes)
        ? { ...changes, expired_at: null, expiry_announced: null }
        : changes;
    return this.keys.findOneAndUpdate({ _id: keyId }, { $set: set }, { new: true }).lean().exec();
  }

  /** Active keys whose expiration date has passed and whose expiry the worker has not processed yet. */
  async findExpiredUnprocessed(now: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.keys
      .find({ is_active: true, never_expire: false, expiration_date: { $ne: null, $lte: now }, expired_at: null })
      .sort({ expiration_date: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /**
   * Claims the expiry of one key for this expiration date (compare-and-set): true for exactly one caller.
   * The claim leaves `expiry_announced: false` until the audit record and event are stored, and records
   * `revoked_by: expiry` (only active keys are claimed, so no revocation's source is overwritten).
   */
  async claimExpiry(keyId: string, expirationDate: Date, now: Date): Promise<boolean> {
    const result = await this.keys
      .updateOne(
        { _id: keyId, is_active: true, never_expire: false, expiration_date: expirationDate, expired_at: null },
        { $set: { expired_at: now, expiry_announced: false, revoked_by: 'expiry' } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Claimed expiries whose announcement did not complete (the worker stopped in between) before `claimedBefore`. */
  async findUnannouncedExpiries(claimedBefore: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.keys
      .find({ expiry_announced: false, expired_at: { $ne: null, $lte: claimedBefore } })
      .limit(limit)
      .lean()
      .exec();
  }

  async markExpiryAnnounced(keyId: string, expiredAt: Date): Promise<void> {
    await this.keys.updateOne({ _id: keyId, expired_at: expiredAt }, { $set: { expiry_announced: true } }).exec();
  }

  /** Active keys of active users expiring in (from, to]; the caller skips those already notified for their date. */
  async findExpiringBetween(from: Date, to: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.keys
      .find({ is_active: true, user_active: true, never_expire: false, expiration_date: { $gt: from, $lte: to } })
      .sort({ expiration_date: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /** Claims the `expiring` notice of a key for this expiration date (compare-and-set): true for exactly one caller. */
  async claimExpiringNotice(keyId: string, expirationDate: Date): Promise<boolean> {
    const result = await this.keys
      .updateOne(
        { _id: keyId, expiration_date: expirationDate, expiring_notified_for: { $ne: expirationDate } },
        { $set: { expiring_notified_for: expirationDate } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Gives a claimed notice back when its event could not be stored, so the next run retries it. */
  async releaseExpiringNotice(keyId: string, expirationDate: Date, previous: Date | null): Promise<void> {
    await this.keys
      .updateOne({ _id: keyId, expiring_notified_for: expirationDate }, { $set: { expiring_notified_for: previous } })
      .exec();
  }

  /** Owners of at least one non-revoked key: the users the periodic Keycloak sync visits. */
  async ownersWithActiveKeys(): Promise<string[]> {
    const owners = (await this.keys.distinct('user_id', { is_active: true }).exec()) as string[];
    return owners.sort();
  }

  /** Applies a user-level change (enabled flag, roles, attributes) to all of a user's keys. */
  async updateUserKeys(userId: string, changes: Partial<ApiKeyRecord>): Promise<void> {
    await this.keys.updateMany({ user_id: userId }, { $set: changes }).exec();
  }

  /**
   * Records `revoked_by: user_disabled` on the user's keys that worked until now (or clears it again when the
   * user is enabled); keys revoked or expired before keep their own reason.
   */
  async markUserDisabled(userId: string, disabled: boolean): Promise<void> {
    if (disabled) {
      await this.keys
        .updateMany({ user_id: userId, is_active: true, revoked_by: null }, { $set: { revoked_by: 'user_disabled' } })
        .exec();
    } else {
      await this.keys
        .updateMany({ user_id: userId, revoked_by: 'user_disabled' }, { $set: { revoked_by: null } })
        .exec();
    }
  }

  async usageTotals(keyIds: string[]): Promise<UsageTotals> {
    if (!keyIds.length) return new Map();
    const rows = await this.totals
      .find({ _id: { $in: keyIds } })
      .lean()
      .exec();
    return new Map(
      rows.map((row) => [
        row._id,
        { total_queries: row.total_queries ?? 0, latest_query_date: row.latest_query_date ?? null },
      ]),
    );
  }

  async ping(): Promise<void> {
    const db = this.keys.db.db;
    if (!db) throw new Error('not connected');
    await db.command({ ping: 1 });
  }
}

function lookupFilter(lookup: KeyLookup, ownerId: string | null): Record<string, string> {
  return {
    ...('keyId' in lookup ? { _id: lookup.keyId } : { hash: lookup.hash }),
    ...(ownerId === null ? {} : { user_id: ownerId }),
  };
}
