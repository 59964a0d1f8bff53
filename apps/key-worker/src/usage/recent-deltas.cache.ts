import type { KeyUsageDeltaEventV2 } from '@rs/event-contracts';
import { LRUCache } from 'lru-cache';

const MAX_ENTRIES = 100_000;

/**
 * The usage deltas this replica planned lately, by producer, window and key: a second message with the same
 * identity at another offset is a copy (a producer that sent a window again after an unacknowledged send)
 * and counts nothing. The same offset again is a replay, which the watermarks handle. Kafka's idempotent
 * producer prevents most copies; this catches the ones that cross a producer reconnection.
 */
export class RecentDeltas {
  private readonly offsets = new LRUCache<string, number>({ max: MAX_ENTRIES });

  /** Remembers the delta at `offset`; true when a delta of the same identity was seen at another offset. */
  isCopy(partition: number, offset: number, delta: KeyUsageDeltaEventV2): boolean {
    const identity = `${partition}/${delta.producer_id}/${delta.sequence}/${delta.key_id}`;
    const seenAt = this.offsets.get(identity);
    if (seenAt !== undefined && seenAt !== offset) return true;
    this.offsets.set(identity, offset);
    return false;
  }

  clear(): void {
    this.offsets.clear();
  }
}
