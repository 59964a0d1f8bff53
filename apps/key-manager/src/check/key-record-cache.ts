import type { ApiKeyRecord } from '@rs/key-store';
import { StreamLiveness } from '@rs/service-kit';
import { LRUCache } from 'lru-cache';

export interface KeyRecordCacheOptions {
  /** Life of a usable key's record; 0 turns the record cache off. */
  ttlMs: number;
  maxEntries: number;
  /** Life of the memory of hashes the database does not know; 0 turns it off. */
  unknownTtlMs: number;
  /** Without lifecycle activity for this long, events are taken as not flowing. */
  staleAfterMs?: number;
}

interface Timed<T> {
  value: T;
  expiresAt: number;
}

/**
 * The stored records of keys that were usable when read, by key hash, so a valid key's check needs neither
 * the database nor Redis. Records are trusted only while lifecycle events flow (KeyLifecycleListener evicts
 * them); otherwise nothing is served from here. Also remembers hashes the database does not know, briefly.
 */
export class KeyRecordCache {
  private readonly records: LRUCache<string, Timed<ApiKeyRecord>> | undefined;
  private readonly unknown: LRUCache<string, number> | undefined;
  private readonly liveness: StreamLiveness;
  private evictions = 0;

  constructor(private readonly options: KeyRecordCacheOptions) {
    const max = Math.max(1, options.maxEntries);
    this.records = options.ttlMs > 0 ? new LRUCache({ max }) : undefined;
    this.unknown = options.unknownTtlMs > 0 ? new LRUCache({ max }) : undefined;
    this.liveness = new StreamLiveness(options.staleAfterMs);
  }

  get size(): number {
    return this.records?.size ?? 0;
  }

  /**
   * Take it before reading the database and hand it to `set`: a record read before an eviction is then not
   * stored after it (the eviction may be about that very record).
   */
  get generation(): number {
    return this.evictions;
  }

  /** Lifecycle events flow: the listener joined its group and heard from Kafka recently. */
  isLive(now = Date.now()): boolean {
    return this.liveness.isLive(now);
  }

  /** Called on every (re)join: events may have been missed meanwhile, so everything cached goes. */
  markListening(): void {
    this.clear();
    this.liveness.markListening();
  }

  markActivity(): void {
    this.liveness.markActivity();
  }

  markStopped(): void {
    this.liveness.markStopped();
  }

  get(hash: string): ApiKeyRecord | undefined {
    if (!this.records) return undefined;
    const now = Date.now();
    if (!this.isLive(now)) return undefined;
    const entry = this.records.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.records.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  /** Stores a usable record, unless events are not flowing or something was evicted since `generation`. */
  set(hash: string, record: ApiKeyRecord, generation: number): void {
    if (!this.records || generation !== this.evictions || !this.isLive()) return;
    this.records.set(hash, { value: record, expiresAt: Date.now() + this.options.ttlMs });
  }

  delete(hash: string): void {
    this.records?.delete(hash);
  }

  evictKeyId(keyId: string): number {
    return this.evictWhere((record) => record._id === keyId);
  }

  evictUser(userId: string): number {
    return this.evictWhere((record) => record.user_id === userId);
  }

  isUnknown(hash: string): boolean {
    const expiresAt = this.unknown?.get(hash);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.unknown?.delete(hash);
    return false;
  }

  rememberUnknown(hash: string): void {
    this.unknown?.set(hash, Date.now() + this.options.unknownTtlMs);
  }

  /**
   * A `created` event names the key by id, not hash: forgetting every unknown hash is the cheap way to be sure
   * the new key is not among them.
   */
  forgetUnknown(): void {
    this.unknown?.clear();
  }

  clear(): void {
    this.evictions++;
    this.records?.clear();
    this.unknown?.clear();
  }

  private evictWhere(matches: (record: ApiKeyRecord) => boolean): number {
    // Counted even when nothing matches: a read of that key may be in flight.
    this.evictions++;
    if (!this.records) return 0;
    const doomed = [...this.records.entries()].filter(([, entry]) => matches(entry.value)).map(([hash]) => hash);
    for (const hash of doomed) this.records.delete(hash);
    return doomed.length;
  }
}
