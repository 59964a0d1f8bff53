import type { ApiKeyRecord } from '@rs/key-store';
import { KeyRecordCache } from './key-record-cache';

function record(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { _id: 'key-1', user_id: 'alice-id', hash: 'h-1', is_active: true, ...overrides } as ApiKeyRecord;
}

describe(KeyRecordCache.name, () => {
  let sut: KeyRecordCache;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') });
    sut = new KeyRecordCache({ ttlMs: 30_000, maxEntries: 3, unknownTtlMs: 3_000, staleAfterMs: 10_000 });
    sut.markListening();
  });

  afterEach(() => jest.useRealTimers());

  describe('get', () => {
    it('should return a stored record until its time to live has passed', () => {
      sut.set('h-1', record(), sut.generation);
      expect(sut.get('h-1')).toMatchObject({ _id: 'key-1' });
      jest.advanceTimersByTime(29_000);
      sut.markActivity();
      expect(sut.get('h-1')).toBeDefined();
      jest.advanceTimersByTime(1_000);
      expect(sut.get('h-1')).toBeUndefined();
    });

    it('should return nothing when lifecycle events stopped or went quiet', () => {
      sut.set('h-1', record(), sut.generation);
      jest.advanceTimersByTime(10_000);
      expect(sut.get('h-1')).toBeUndefined();
      sut.markActivity();
      expect(sut.get('h-1')).toBeDefined();
      sut.markStopped();
      expect(sut.get('h-1')).toBeUndefined();
    });

    it('should return nothing when the time to live is zero', () => {
      const off = new KeyRecordCache({ ttlMs: 0, maxEntries: 3, unknownTtlMs: 0 });
      off.markListening();
      off.set('h-1', record(), off.generation);
      expect(off.get('h-1')).toBeUndefined();
    });
  });

  describe('set', () => {
    it('should not store a record read before an eviction', () => {
      const generation = sut.generation;
      sut.evictKeyId('another-key');
      sut.set('h-1', record(), generation);
      expect(sut.get('h-1')).toBeUndefined();
    });

    it('should not store while lifecycle events do not flow', () => {
      sut.markStopped();
      sut.set('h-1', record(), sut.generation);
      sut.markListening();
      expect(sut.get('h-1')).toBeUndefined();
    });

    it('should keep at most maxEntries records', () => {
      for (const id of ['1', '2', '3', '4']) sut.set(`h-${id}`, record({ _id: `key-${id}` }), sut.generation);
      expect(sut.size).toBe(3);
      expect(sut.get('h-1')).toBeUndefined();
    });
  });

  describe('evictKeyId and evictUser', () => {
    it('should evict the records of one key, or of every key of one user', () => {
      sut.set('h-1', record(), sut.generation);
      sut.set('h-2', record({ _id: 'key-2' }), sut.generation);
      sut.set('h-3', record({ _id: 'key-3', user_id: 'bob-id' }), sut.generation);
      expect(sut.evictKeyId('key-2')).toBe(1);
      expect(sut.get('h-2')).toBeUndefined();
      expect(sut.evictUser('alice-id')).toBe(1);
      expect(sut.get('h-1')).toBeUndefined();
      expect(sut.get('h-3')).toBeDefined();
    });
  });

  describe('markListening', () => {
    it('should drop everything cached on every (re)join', () => {
      sut.set('h-1', record(), sut.generation);
      sut.rememberUnknown('h-9');
      sut.markListening();
      expect(sut.get('h-1')).toBeUndefined();
      expect(sut.isUnknown('h-9')).toBe(false);
    });
  });

  describe('isUnknown', () => {
    it('should remember an unknown hash briefly', () => {
      sut.rememberUnknown('h-9');
      expect(sut.isUnknown('h-9')).toBe(true);
      jest.advanceTimersByTime(3_000);
      expect(sut.isUnknown('h-9')).toBe(false);
    });

    it('should forget every unknown hash when asked (a key was created)', () => {
      sut.rememberUnknown('h-8');
      sut.rememberUnknown('h-9');
      sut.forgetUnknown();
      expect(sut.isUnknown('h-8')).toBe(false);
      expect(sut.isUnknown('h-9')).toBe(false);
    });
  });
});
