import { LRUCache } from 'lru-cache';
import type { BucketCollection } from './usage-buckets.util';
import type { Watermark } from './usage-buckets.repository';

const MAX_ENTRIES = 200_000;

/**
 * The watermarks this replica last wrote or read, so steady-state batches need no reads. Only a hint:
 * every write is still conditional on the watermark in the document, so a stale entry costs a retry,
 * never a wrong count. Cleared when partitions move between replicas.
 */
export class UsageWatermarksCache {
  private readonly entries = new LRUCache<string, { value: Watermark }>({ max: MAX_ENTRIES });

  get(partition: number, collection: BucketCollection, id: string): Watermark | undefined {
    return this.entries.get(key(partition, collection, id))?.value;
  }

  set(partition: number, collection: BucketCollection, id: string, value: Watermark): void {
    this.entries.set(key(partition, collection, id), { value });
  }

  forget(partition: number, collection: BucketCollection, id: string): void {
    this.entries.delete(key(partition, collection, id));
  }

  clear(): void {
    this.entries.clear();
  }
}

const key = (partition: number, collection: BucketCollection, id: string): string =>
  `${partition}\u0000${collection}\u0000${id}`;
