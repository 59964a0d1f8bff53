import { hash } from 'node:crypto';
import type { DomainError } from '@rs/key-domain';
import type { AuthPrincipal } from '../auth-principal';

/** A successful key check, as kept in the cache. */
export interface CachedKeyCheck {
  principal: AuthPrincipal & { key_id: string };
  allowed_referers: string[];
  /** Epoch ms after which the entry must not be used. */
  expiresAt: number;
  /** Set by a lifecycle event (revoked, expired): the key is refused with this error, without asking anyone. */
  refusal?: () => DomainError;
  /**
   * The key's state version this entry reflects (check response, then refusing events); unknown from older key
   * managers.
   */
  stateVersion?: number;
}

/**
 * The cache is keyed by this digest, never by the key value itself. `crypto.hash` (one shot, no Hash
 * object) costs a third of `createHash().update().digest()` on this hot path.
 */
export function keyDigest(apiKey: string): string {
  return hash('sha256', apiKey, 'base64url');
}

/**
 * Bounded LRU of key checks with per-entry expiry and an index key id → digests, so a lifecycle event
 * (which names the key id, never the value) evicts at once. A Map keeps insertion order: re-inserting on
 * read makes the first entry the least recently used one. A read of the most recent entry (the same key
 * again, the usual case) leaves the order as it is: it is already last.
 */
export class KeyCache {
  private readonly entries = new Map<string, CachedKeyCheck>();
  private readonly digestsByKeyId = new Map<string, Set<string>>();
  /** Bumped by every eviction, so a check that started before it is not cached after it. */
  private generation = 0;
  /** The digest inserted last, when known: reading it again changes no order. */
  private newest: string | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  get(digest: string): CachedKeyCheck | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(digest, entry);
      return undefined;
    }
    if (digest !== this.newest) {
      this.entries.delete(digest);
      this.entries.set(digest, entry);
      this.newest = digest;
    }
    return entry;
  }

  /** Stores a check unless an eviction happened since `startedAtGeneration` (it may be stale). */
  set(digest: string, entry: CachedKeyCheck, startedAtGeneration: number = this.generation): boolean {
    if (startedAtGeneration !== this.generation || entry.expiresAt <= this.now()) return false;
    const previous = this.entries.get(digest);
    if (previous) this.remove(digest, previous);
    this.entries.set(digest, entry);
    this.newest = digest;
    const keyId = entry.principal.key_id;
    const digests = this.digestsByKeyId.get(keyId) ?? new Set<string>();
    digests.add(digest);
    this.digestsByKeyId.set(keyId, digests);
    while (this.entries.size > this.maxEntries) {
      const [oldest, oldestEntry] = this.entries.entries().next().value as [string, CachedKeyCheck];
      this.remove(oldest, oldestEntry);
    }
    return true;
  }

  /** Forgets every check of this key id; returns how many entries went. */
  evictKeyId(keyId: string): number {
    return this.eachEntryOf(keyId, (digest, entry) => this.remove(digest, entry));
  }

  /**
   * Marks every check of this key id as refused with `refusal` until the entry's expiry (then the key
   * manager is asked again), as of `stateVersion` when the event gives one. Bumps the generation like an
   * eviction: a check in flight is not cached.
   */
  refuseKeyId(keyId: string, refusal: () => DomainError, stateVersion?: number): number {
    return this.eachEntryOf(keyId, (digest, entry) =>
      this.entries.set(digest, { ...entry, refusal, stateVersion: stateVersion ?? entry.stateVersion }),
    );
  }

  /**
   * Whether a cached check of this key already reflects `stateVersion` or a later state: an event of that
   * version is then old news (events of one key may arrive out of order) and must change nothing.
   */
  holdsVersion(keyId: string, stateVersion: number): boolean {
    for (const digest of this.digestsByKeyId.get(keyId) ?? []) {
      const held = this.entries.get(digest)?.stateVersion;
      if (held !== undefined && held >= stateVersion) return true;
    }
    return false;
  }

  /** Forgets every key of this user (a disabled user's keys all stop at once). */
  evictUser(userId: string): number {
    this.generation++;
    let count = 0;
    for (const [digest, entry] of [...this.entries]) {
      if (entry.principal.user_id === userId) {
        this.remove(digest, entry);
        count++;
      }
    }
    return count;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.digestsByKeyId.clear();
    this.newest = undefined;
  }

  /** Applies `change` to every cached check of the key id (a copy of its digests: `change` may remove them); bumps the generation. */
  private eachEntryOf(keyId: string, change: (digest: string, entry: CachedKeyCheck) => void): number {
    this.generation++;
    let count = 0;
    for (const digest of [...(this.digestsByKeyId.get(keyId) ?? [])]) {
      const entry = this.entries.get(digest);
      if (entry) {
        change(digest, entry);
        count++;
      }
    }
    return count;
  }

  private remove(digest: string, entry: CachedKeyCheck): void {
    this.entries.delete(digest);
    if (digest === this.newest) this.newest = undefined;
    const digests = this.digestsByKeyId.get(entry.principal.key_id);
    digests?.delete(digest);
    if (digests && digests.size === 0) this.digestsByKeyId.delete(entry.principal.key_id);
  }
}
