import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { USAGE_DAILY_COLLECTION, USAGE_HOURLY_COLLECTION, USAGE_TOTALS_COLLECTION } from '@rs/key-store';
import type { AnyBulkWriteOperation, Collection, Document, MongoBulkWriteError } from 'mongodb';
import type { Connection } from 'mongoose';
import { type BucketCollection, type BucketDelta, type BucketTarget, watermarkField } from './usage-buckets.util';

/** What a document holds for one partition: its watermark, null (exists, nothing from this partition yet) or absent. */
export type Watermark = number | null | 'absent';

export interface BucketInsert {
  target: BucketTarget;
  delta: BucketDelta;
}

export interface BucketUpdate {
  id: string;
  /** The watermark read before computing `delta`: the update applies only if the document still holds it. */
  expected: number | null;
  delta: BucketDelta;
}

// The local Mongo-wire DB (FerretDB 1.24) never answers an `update` command carrying 100 statements or more,
// and it runs each statement in its own transaction anyway: send small commands.
const MAX_UPDATES_PER_COMMAND = 50;
const PARALLEL_READS = 16;
const DUPLICATE_KEY = 11000;

/** Aggregate documents have string ids (deterministic, see bucketId). */
type BucketDocument = Document & { _id: string };

const COLLECTIONS: Record<BucketCollection, string> = {
  hourly: USAGE_HOURLY_COLLECTION,
  daily: USAGE_DAILY_COLLECTION,
  totals: USAGE_TOTALS_COLLECTION,
};

/**
 * The only class touching the usage aggregates. Every write is conditional on a partition watermark stored
 * in the document itself, so a batch applied twice counts once (docs/usage-pipeline.md).
 */
@Injectable()
export class UsageBucketsRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Only index kinds both MongoDB 7 and the local Mongo-wire DB support (no TTL: retention is a job). */
  async ensureIndexes(): Promise<void> {
    await this.collection('hourly').createIndex({ key_id: 1, hour: 1 }, { name: 'key_hour' });
    await this.collection('hourly').createIndex({ hour: 1 }, { name: 'hour' });
    await this.collection('daily').createIndex({ key_id: 1, day: 1 }, { name: 'key_day' });
    await this.collection('daily').createIndex({ day: 1 }, { name: 'day' });
  }

  /** Reads the watermark of `partition` in each document (one lookup by _id each: the Mongo-wire DB scans for $in). */
  async readWatermarks(
    collection: BucketCollection,
    ids: readonly string[],
    partition: number,
  ): Promise<Map<string, Watermark>> {
    const field = watermarkField(partition);
    const result = new Map<string, Watermark>();
    for (let start = 0; start < ids.length; start += PARALLEL_READS) {
      await Promise.all(
        ids.slice(start, start + PARALLEL_READS).map(async (id) => {
          const doc = await this.collection(collection).findOne({ _id: id }, { projection: { applied: 1 } });
          const stored = (doc?.['applied'] as Record<string, unknown> | undefined)?.[field];
          result.set(id, !doc ? 'absent' : typeof stored === 'number' ? stored : null);
        }),
      );
    }
    return result;
  }

  /**
   * Creates documents that did not exist. Returns the ids that exist already (created meanwhile by another
   * writer): those were not written and must be re-read.
   */
  async insertBuckets(
    collection: BucketCollection,
    partition: number,
    inserts: readonly BucketInsert[],
    now: Date,
  ): Promise<Set<string>> {
    if (!inserts.length) return new Set();
    const docs = inserts.map(({ target, delta }) => newDocument(collection, target, delta, partition, now));
    try {
      await this.collection(collection).insertMany(docs, { ordered: false });
      return new Set();
    } catch (error) {
      const writeErrors = (error as MongoBulkWriteError).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (!list.length || list.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
      return new Set(list.map((writeError) => String(docs[writeError.index]?._id)));
    }
  }

  /**
   * Applies the deltas to existing documents, each only if its watermark is still the expected one.
   * Returns the ids whose write may not have applied (a command matched fewer documents than it named):
   * the caller re-reads them; the ones that did apply now hold the new watermark and add nothing again.
   */
  async updateBuckets(
    collection: BucketCollection,
    partition: number,
    updates: readonly BucketUpdate[],
    now: Date,
  ): Promise<Set<string>> {
    const uncertain = new Set<string>();
    const field = `applied.${watermarkField(partition)}`;
    for (let start = 0; start < updates.length; start += MAX_UPDATES_PER_COMMAND) {
      const chunk = updates.slice(start, start + MAX_UPDATES_PER_COMMAND);
      const operations: AnyBulkWriteOperation<BucketDocument>[] = chunk.map(({ id, expected, delta }) => ({
        updateOne: {
          filter: { _id: id, [field]: expected === null ? { $exists: false } : expected },
          update: incrementOf(collection, delta, field, now),
        },
      }));
      const result = await this.collection(collection).bulkWrite(operations, { ordered: true });
      if (result.matchedCount !== chunk.length) chunk.forEach(({ id }) => uncertain.add(id));
    }
    return uncertain;
  }

  /** Deletes hour (or day) buckets that started before `before`; idempotent. */
  async deleteBucketsBefore(collection: 'hourly' | 'daily', before: Date): Promise<number> {
    const field = collection === 'hourly' ? 'hour' : 'day';
    const result = await this.collection(collection).deleteMany({ [field]: { $lt: before } });
    return result.deletedCount;
  }

  private collection(name: BucketCollection): Collection<BucketDocument> {
    return this.connection.collection(COLLECTIONS[name]) as unknown as Collection<BucketDocument>;
  }
}

function newDocument(
  collection: BucketCollection,
  target: BucketTarget,
  delta: BucketDelta,
  partition: number,
  now: Date,
): BucketDocument {
  const applied = { [watermarkField(partition)]: delta.lastOffset };
  const latest = new Date(delta.latestQueryDateMs);
  if (collection === 'totals') {
    return { _id: target.id, total_queries: delta.counters.count, latest_query_date: latest, applied, updated_at: now };
  }
  return { _id: target.id, ...target.identity, ...delta.counters, latest_query_date: latest, applied, updated_at: now };
}

function incrementOf(collection: BucketCollection, delta: BucketDelta, watermarkPath: string, now: Date): Document {
  const latest = new Date(delta.latestQueryDateMs);
  const set = { [watermarkPath]: delta.lastOffset, updated_at: now };
  if (collection === 'totals') {
    return { $inc: { total_queries: delta.counters.count }, $max: { latest_query_date: latest }, $set: set };
  }
  const { latency_max_ms: latencyMax, ...sums } = delta.counters;
  // Zero increments are left out: smaller updates, same result.
  const inc = Object.fromEntries(Object.entries(sums).filter(([, value]) => value !== 0));
  return { $inc: inc, $max: { latency_max_ms: latencyMax, latest_query_date: latest }, $set: set };
}
