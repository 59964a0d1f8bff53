import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isUsable, type RevocationSource } from '@rs/key-domain';
import type { FilterQuery, Model } from 'mongoose';
import { ApiKey, ApiKeyUsageTotal, type PendingLifecycleEvent } from './api-key.schema';
import { type LifecycleChange, pendingLifecycleEvent } from './lifecycle-event.util';

export type ApiKeyRecord = ApiKey;
/** A key named by its id or by the hash of its value. */
export type KeyLookup = { keyId: string } | { hash: string };
export type UsageTotals = Map<string, { total_queries: number; latest_query_date: Date | null }>;
/** The event a change of this key announces; key and user ids come from the key. */
export type KeyEventOf = (key: ApiKeyRecord) => Omit<LifecycleChange, 'key_id' | 'user_id'>;
/** What a state change writes, decided on the key as it is; null when the change does not apply to it. */
export type KeyStateChange = (key: ApiKeyRecord) => { set: Partial<ApiKeyRecord>; event: KeyEventOf } | null;

/** A state change that was stored: the key before and after it, and its event (stored on the key, to publish). */
export interface StoredKeyChange {
  before: ApiKeyRecord;
  after: ApiKeyRecord;
  announced: LifecycleChange;
  event: PendingLifecycleEvent;
}

// Each attempt loses only to another change of the same key that landed between its read and its write.
const MAX_CHANGE_ATTEMPTS = 10;

/** Where a worker claim (expiry, end of a rotation grace) records when it was claimed and whether it was announced. */
interface ClaimFields {
  at: 'expired_at' | 'previous_hash_ended_at';
  announced: 'expiry_announced' | 'previous_end_announced';
}
const EXPIRY_CLAIM: ClaimFields = { at: 'expired_at', announced: 'expiry_announced' };
const GRACE_END_CLAIM: ClaimFields = { at: 'previous_hash_ended_at', announced: 'previous_end_announced' };

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
    await this.keys.collection.createIndex({ 'pending_events.created_at': 1 }, { name: 'pending_events' });
    await this.keys.collection.createIndex({ previous_hash: 1 }, { name: 'previous_hash' });
    await this.keys.collection.createIndex({ previous_hash_expires_at: 1 }, { name: 'previous_hash_expires' });
  }

  /** Stores a new key at state version 1 with its `created` event. */
  async insert(record: ApiKeyRecord, event: KeyEventOf, now: Date): Promise<PendingLifecycleEvent> {
    const pending = pendingLifecycleEvent(eventOf(record, event), 1, now);
    await this.keys.create({ ...record, state_version: 1, pending_events: [pending] });
    return pending;
  }

  /**
   * Applies a state change to one key and stores its lifecycle event on the key in the same write, with the
   * next state version: the change and its announcement are one atomic document update (no transaction needed),
   * so a crash cannot keep one without the other. The write is conditional on the version read, so concurrent
   * changes of a key are serialised and its events numbered in the order they were stored. Null when no key
   * matches `filter` or `change` declines the key as it is.
   */
  async changeState(filter: FilterQuery<ApiKey>, change: KeyStateChange, now: Date): Promise<StoredKeyChange | null> {
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      const before = await this.keys.findOne(filter).lean().exec();
      if (!before) return null;
      const decided = change(before);
      if (!decided) return null;
      const stateVersion = (before.state_version ?? 0) + 1;
      const announced = eventOf(before, decided.event);
      const event = pendingLifecycleEvent(announced, stateVersion, now);
      const after = await this.keys
        .findOneAndUpdate(
          { _id: before._id, state_version: before.state_version ?? null },
          { $set: { ...decided.set, state_version: stateVersion }, $push: { pending_events: event } },
          { new: true },
        )
        .lean()
        .exec();
      if (after) return { before, after, announced, event };
    }
    throw new Error(`Key changed concurrently ${MAX_CHANGE_ATTEMPTS} times in a row; giving up`);
  }

  /** Removes events Kafka acknowledged from their keys' outboxes (entries as stored, matched whole). */
  async forgetPendingEvents(events: readonly PendingLifecycleEvent[]): Promise<void> {
    const byKey = new Map<string, PendingLifecycleEvent[]>();
    for (const event of events) byKey.set(event.key_id, [...(byKey.get(event.key_id) ?? []), event]);
    await Promise.all(
      [...byKey].map(([keyId, pending]) =>
        this.keys.updateOne({ _id: keyId }, { $pullAll: { pending_events: pending } }).exec(),
      ),
    );
  }

  /** Keys holding events stored at or before `storedBefore`, with those events in the order they were stored. */
  async findPendingEvents(storedBefore: Date, limit: number): Promise<PendingLifecycleEvent[]> {
    const keys = await this.keys
      .find({ 'pending_events.created_at': { $lte: storedBefore } }, { pending_events: 1 })
      .limit(limit)
      .lean()
      .exec();
    return keys.flatMap((key) =>
      (key.pending_events ?? []).filter((event) => new Date(event.created_at).getTime() <= storedBefore.getTime()),
    );
  }

  /**
   * The key a value opens: by its current hash, else by the hash a rotation replaced (the caller judges whether
   * that value's grace period is over). Two equality lookups rather than one $or, which the local Mongo-wire DB
   * cannot answer from the indexes; a current value, the usual case, costs one.
   */
  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    return (
      (await this.keys.findOne({ hash }).lean().exec()) ??
      (await this.keys.findOne({ previous_hash: hash }).lean().exec())
    );
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
   * Revokes the key if it is still active and returns the stored change; null when there is no such key of this
   * owner or it is already revoked. Of concurrent revocations exactly one gets the key, so it is audited and
   * announced once. `revokedBy` records who.
   */
  async revokeIfActive(
    lookup: KeyLookup,
    ownerId: string | null,
    revokedAt: Date,
    revokedBy: RevocationSource,
    event: KeyEventOf,
  ): Promise<StoredKeyChange | null> {
    return this.changeState(
      { ...lookupFilter(lookup, ownerId), is_active: true },
      (key) =>
        key.is_active ? { set: { is_active: false, revoked_at: revokedAt, revoked_by: revokedBy }, event } : null,
      revokedAt,
    );
  }

  /**
   * Makes an already revoked key's revocation an administrator's (so the owner can no longer renew it); null when
   * it is active, unknown, or already revoked by an administrator.
   */
  async escalateRevocationToAdmin(lookup: KeyLookup, event: KeyEventOf, now: Date): Promise<StoredKeyChange | null> {
    return this.changeState(
      { ...lookupFilter(lookup, null), is_active: false, revoked_by: { $ne: 'admin' } },
      (key) => (!key.is_active && key.revoked_by !== 'admin' ? { set: { revoked_by: 'admin' }, event } : null),
      now,
    );
  }

  /**
   * Renews a key: active again until `expirationDate`, unless an administrator revoked it (null then, even when
   * the revocation lands between the caller's read and this write). Re-arms the worker's expiry processing.
   */
  async renew(keyId: string, expirationDate: Date, event: KeyEventOf, now: Date): Promise<StoredKeyChange | null> {
    return this.changeState(
      { _id: keyId, revoked_by: { $ne: 'admin' } },
      (key) =>
        key.revoked_by === 'admin'
          ? null
          : {
              set: {
                is_active: true,
                revoked_at: null,
                revoked_by: null,
                never_expire: false,
                expiration_date: expirationDate,
                expired_at: null,
                expiry_announced: null,
              },
              event,
            },
      now,
    );
  }

  /**
   * Replaces the value of a usable key (active, owner enabled, not expired) by `secret`: the value it had stays
   * valid until `graceEnd` (its hash kept as `previous_hash`, replacing any earlier one). Null when the key is not
   * usable (the caller says why) or unknown.
   */
  async rotate(
    keyId: string,
    secret: { hash: string; hint: string },
    graceEnd: Date,
    event: KeyEventOf,
    now: Date,
  ): Promise<StoredKeyChange | null> {
    return this.changeState(
      { _id: keyId },
      (key) =>
        isUsable(key, now)
          ? {
              set: {
                hash: secret.hash,
                hint: secret.hint,
                previous_hash: key.hash,
                previous_hint: key.hint,
                previous_hash_expires_at: graceEnd,
                previous_hash_ended_at: null,
                previous_end_announced: null,
                rotated_at: now,
              },
              event,
            }
          : null,
      now,
    );
  }

  /**
   * Limits a usable key (active, owner enabled, not expired) to `scopes` (null: every role of its owner) and sets
   * the roles it carries now. Null when the key is not usable (the caller says why) or unknown.
   */
  async setScopes(
    keyId: string,
    scopes: string[] | null,
    roles: string[],
    event: KeyEventOf,
    now: Date,
  ): Promise<StoredKeyChange | null> {
    return this.changeState(
      { _id: keyId },
      (key) => (isUsable(key, now) ? { set: { scopes, iam_roles: roles }, event } : null),
      now,
    );
  }

  /** Keys whose replaced value's grace period is over and whose end the worker has not processed yet. */
  async findEndedGracesUnprocessed(now: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.keys
      .find({ previous_hash_expires_at: { $ne: null, $lte: now }, previous_hash_ended_at: null })
      .sort({ previous_hash_expires_at: 1 })
      .limit(limit)
      .lean()
      .exec();
  }

  /**
   * Claims the end of a grace period (compare-and-set on its end date, so a later rotation is never claimed by
   * mistake), with its `rotation_ended` event: the change for one caller, null for the others. Leaves
   * `previous_end_announced: false` until the audit record is stored.
   */
  async claimGraceEnd(keyId: string, graceEnd: Date, now: Date, event: KeyEventOf): Promise<StoredKeyChange | null> {
    return this.changeState(
      { _id: keyId, previous_hash_expires_at: graceEnd, previous_hash_ended_at: null },
      () => ({ set: { previous_hash_ended_at: now, previous_end_announced: false }, event }),
      now,
    );
  }

  /** Claimed grace ends whose announcement did not complete (the worker stopped in between) before `claimedBefore`. */
  findUnannouncedGraceEnds(claimedBefore: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.findUnannounced(GRACE_END_CLAIM, claimedBefore, limit);
  }

  markGraceEndAnnounced(keyId: string, endedAt: Date): Promise<void> {
    return this.markAnnounced(GRACE_END_CLAIM, keyId, endedAt);
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
   * Claims the expiry of one key for this expiration date (compare-and-set), with its `expired` event: the change
   * for exactly one caller, null for the others. The claim leaves `expiry_announced: false` until the audit record
   * is stored, and records `revoked_by: expiry` (only active keys are claimed, so no revocation's source is
   * overwritten).
   */
  async claimExpiry(
    keyId: string,
    expirationDate: Date,
    now: Date,
    event: KeyEventOf,
  ): Promise<StoredKeyChange | null> {
    return this.changeState(
      { _id: keyId, is_active: true, never_expire: false, expiration_date: expirationDate, expired_at: null },
      () => ({ set: { expired_at: now, expiry_announced: false, revoked_by: 'expiry' }, event }),
      now,
    );
  }

  /** Claimed expiries whose announcement did not complete (the worker stopped in between) before `claimedBefore`. */
  findUnannouncedExpiries(claimedBefore: Date, limit: number): Promise<ApiKeyRecord[]> {
    return this.findUnannounced(EXPIRY_CLAIM, claimedBefore, limit);
  }

  markExpiryAnnounced(keyId: string, expiredAt: Date): Promise<void> {
    return this.markAnnounced(EXPIRY_CLAIM, keyId, expiredAt);
  }

  private findUnannounced({ at, announced }: ClaimFields, claimedBefore: Date, limit: number) {
    return this.keys
      .find({ [announced]: false, [at]: { $ne: null, $lte: claimedBefore } } as FilterQuery<ApiKey>)
      .limit(limit)
      .lean()
      .exec();
  }

  private async markAnnounced({ at, announced }: ClaimFields, keyId: string, claimedAt: Date): Promise<void> {
    await this.keys
      .updateOne({ _id: keyId, [at]: claimedAt } as FilterQuery<ApiKey>, { $set: { [announced]: true } })
      .exec();
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

  /**
   * Claims the `expiring` notice of a key for this expiration date (compare-and-set) and stores the notice's event
   * on the key in the same write; null for every caller but one. The notice changes no state: no version.
   */
  async claimExpiringNotice(
    key: ApiKeyRecord,
    expirationDate: Date,
    event: KeyEventOf,
    now: Date,
  ): Promise<PendingLifecycleEvent | null> {
    const pending = pendingLifecycleEvent(eventOf(key, event), undefined, now);
    const result = await this.keys
      .updateOne(
        { _id: key._id, expiration_date: expirationDate, expiring_notified_for: { $ne: expirationDate } },
        { $set: { expiring_notified_for: expirationDate }, $push: { pending_events: pending } },
      )
      .exec();
    return result.modifiedCount === 1 ? pending : null;
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

function eventOf(key: ApiKeyRecord, event: KeyEventOf): LifecycleChange {
  return { ...event(key), key_id: key._id, user_id: key.user_id };
}

function lookupFilter(lookup: KeyLookup, ownerId: string | null): Record<string, string> {
  return {
    ...('keyId' in lookup ? { _id: lookup.keyId } : { hash: lookup.hash }),
    ...(ownerId === null ? {} : { user_id: ownerId }),
  };
}
