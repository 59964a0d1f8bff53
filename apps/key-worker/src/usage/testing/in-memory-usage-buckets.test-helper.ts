import type { UsageCounters } from '@rs/key-store';
import type { BucketInsert, BucketUpdate, UsageBucketsRepository, Watermark } from '../usage-buckets.repository';
import { type BucketCollection, watermarkField } from '../usage-buckets.util';

export interface StoredBucket extends UsageCounters {
  identity: Record<string, unknown>;
  latest: number;
  applied: Record<string, number>;
}

/**
 * The repository's contract in memory, with the same conditional semantics as the database: an insert
 * fails on an existing id, an update applies only when the stored watermark is the expected one.
 * `crashAfterWrites(n)` makes the (n+1)-th document write throw, like a worker killed mid-batch.
 */
export class InMemoryUsageBuckets
  implements Pick<UsageBucketsRepository, 'readWatermarks' | 'insertBuckets' | 'updateBuckets'>
{
  readonly docs: Record<BucketCollection, Map<string, StoredBucket>> = {
    hourly: new Map(),
    daily: new Map(),
    totals: new Map(),
  };
  reads = 0;
  private writesLeft = Number.POSITIVE_INFINITY;

  crashAfterWrites(count: number): void {
    this.writesLeft = count;
  }

  heal(): void {
    this.writesLeft = Number.POSITIVE_INFINITY;
  }

  total(collection: BucketCollection): number {
    return [...this.docs[collection].values()].reduce((sum, doc) => sum + doc.count, 0);
  }

  async readWatermarks(
    collection: BucketCollection,
    ids: readonly string[],
    partition: number,
  ): Promise<Map<string, Watermark>> {
    this.reads += ids.length;
    return new Map(
      ids.map((id) => {
        const doc = this.docs[collection].get(id);
        const stored = doc?.applied[watermarkField(partition)];
        return [id, !doc ? 'absent' : stored === undefined ? null : stored];
      }),
    );
  }

  async insertBuckets(
    collection: BucketCollection,
    partition: number,
    inserts: readonly BucketInsert[],
  ): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const { target, delta } of inserts) {
      if (this.docs[collection].has(target.id)) {
        existing.add(target.id);
        continue;
      }
      this.write();
      this.docs[collection].set(target.id, {
        identity: target.identity,
        ...delta.counters,
        latest: delta.latestQueryDateMs,
        applied: { [watermarkField(partition)]: delta.lastOffset },
      });
    }
    return existing;
  }

  async updateBuckets(
    collection: BucketCollection,
    partition: number,
    updates: readonly BucketUpdate[],
  ): Promise<Set<string>> {
    const field = watermarkField(partition);
    let matched = 0;
    for (const { id, expected, delta } of updates) {
      const doc = this.docs[collection].get(id);
      const stored = doc?.applied[field];
      if (!doc || (expected === null ? stored !== undefined : stored !== expected)) continue;
      this.write();
      matched++;
      const { latency_max_ms: latencyMax, ...sums } = delta.counters;
      for (const [name, value] of Object.entries(sums)) doc[name as keyof UsageCounters] += value;
      doc.latency_max_ms = Math.max(doc.latency_max_ms, latencyMax);
      doc.latest = Math.max(doc.latest, delta.latestQueryDateMs);
      doc.applied[field] = delta.lastOffset;
    }
    // Like a bulk write: only the number matched is known, so every id of the command is uncertain.
    return matched === updates.length ? new Set() : new Set(updates.map(({ id }) => id));
  }

  private write(): void {
    if (this.writesLeft <= 0) throw new Error('worker killed');
    this.writesLeft--;
  }
}
