import { DomainError, DomainErrorCode, generateApiKey, hashApiKey } from '@rs/key-domain';
import { domainErrorOf } from '@rs/key-domain/testing';
import { MetricsService } from '@rs/service-kit';
import type { ApiKeyRecord, ApiKeysRepository } from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import type { UserSyncService } from '@rs/keycloak-users';
import type { KeyManagerConfig } from '../config/key-manager.config';
import type { CheckRateLimiter } from './check-rate-limiter';
import { KeyCheckService } from './key-check.service';
import { KeyRecordCache } from './key-record-cache';

const NOW = new Date('2026-03-01T10:00:00Z');
const SECRET = 'test-hash-secret-of-at-least-32-chars!!';
const config = {
  API_KEY_HASH_SECRET: SECRET,
  ENFORCE_ALLOWED_REFERERS: true,
  KEYCLOAK_SYNC_INTERVAL_SECONDS: 300,
} as KeyManagerConfig;
const context = { ip: '10.0.0.1' };

function storedKey(value: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({
    hash: hashApiKey(value, SECRET),
    name: 'n',
    latest_sync_date: new Date('2026-03-01T09:59:00Z'),
    iam_roles: ['rs_cadip_ins_read'],
    config_json: '{"organization":"ESA"}',
    ...overrides,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<DomainErrorCode> {
  return (await domainErrorOf(promise)).code;
}

describe(KeyCheckService.name, () => {
  let sut: KeyCheckService;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'findByHash' | 'findOwned'>>;
  let users: jest.Mocked<Pick<UserSyncService, 'syncUser'>>;
  let limiter: jest.Mocked<Pick<CheckRateLimiter, 'reserve' | 'release' | 'recordFailure'>>;
  let records: KeyRecordCache;
  let now: Date;

  beforeEach(() => {
    now = NOW;
    records = new KeyRecordCache({ ttlMs: 30_000, maxEntries: 100, unknownTtlMs: 3_000 });
    records.markListening();
    keys = { findByHash: jest.fn(), findOwned: jest.fn() };
    users = { syncUser: jest.fn() };
    limiter = {
      reserve: jest.fn(async (_ip: string) => ({ allowed: true, retryAfterSeconds: 0 })),
      release: jest.fn(),
      recordFailure: jest.fn(),
    };
    sut = createSut(config);
  });

  function createSut(settings: KeyManagerConfig): KeyCheckService {
    return new KeyCheckService(
      settings,
      () => now,
      keys as unknown as ApiKeysRepository,
      users as unknown as UserSyncService,
      limiter as unknown as CheckRateLimiter,
      records,
      new MetricsService(),
    );
  }

  it('should return the RS-Server check fields for a valid key', async () => {
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue({ ...storedKey(value), state_version: 7 });
    await expect(sut.check(value, context)).resolves.toEqual({
      user_id: 'alice-id',
      user_login: 'alice',
      iam_roles: ['rs_cadip_ins_read'],
      config: { organization: 'ESA' },
      key_id: 'key-1',
      allowed_referers: [],
      expiration_date: '2026-03-10T00:00:00.000Z',
      never_expire: false,
      state_version: 7,
    });
    expect(keys.findByHash).toHaveBeenCalledWith(hashApiKey(value, SECRET));
    expect(limiter.recordFailure).not.toHaveBeenCalled();
    // Counted before the database was asked, given back once the key proved valid.
    expect(limiter.reserve).toHaveBeenCalledWith('10.0.0.1');
    expect(limiter.release).toHaveBeenCalledWith('10.0.0.1');
  });

  it('should refuse a missing key', async () => {
    expect(await codeOf(sut.check(undefined, context))).toBe(DomainErrorCode.KEY_MISSING);
  });

  it('should refuse a malformed key without any database access, counting the failure', async () => {
    expect(await codeOf(sut.check('rsk_not-a-real-key', context))).toBe(DomainErrorCode.KEY_MALFORMED);
    expect(keys.findByHash).not.toHaveBeenCalled();
    expect(limiter.reserve).toHaveBeenCalledWith('10.0.0.1');
  });

  it('should answer 429 to a malformed key beyond the limit', async () => {
    limiter.reserve.mockResolvedValue({ allowed: false, retryAfterSeconds: 9 });
    expect(await codeOf(sut.check('rsk_not-a-real-key', context))).toBe(DomainErrorCode.RATE_LIMITED);
  });

  it('should refuse an unknown key and count the failure before looking it up', async () => {
    keys.findByHash.mockResolvedValue(null);
    expect(await codeOf(sut.check(generateApiKey(), context))).toBe(DomainErrorCode.KEY_INVALID);
    expect(limiter.reserve).toHaveBeenCalledWith('10.0.0.1');
    expect(limiter.reserve.mock.invocationCallOrder[0]).toBeLessThan(keys.findByHash.mock.invocationCallOrder[0] ?? 0);
    expect(limiter.release).not.toHaveBeenCalled();
  });

  it.each([
    [{ is_active: false }, DomainErrorCode.KEY_REVOKED],
    [{ expiration_date: new Date('2026-03-01T09:00:00Z') }, DomainErrorCode.KEY_EXPIRED],
    [{ user_active: false }, DomainErrorCode.KEY_USER_DISABLED],
  ])('should refuse a key with %p as %s', async (overrides, code) => {
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(value, overrides));
    expect(await codeOf(sut.check(value, context))).toBe(code);
  });

  describe('a value a rotation replaced', () => {
    const GRACE_END = new Date('2026-03-01T11:00:00Z');
    let oldValue: string;
    let rotated: ApiKeyRecord;

    beforeEach(() => {
      oldValue = generateApiKey();
      rotated = storedKey(generateApiKey(), {
        previous_hash: hashApiKey(oldValue, SECRET),
        previous_hash_expires_at: GRACE_END,
      });
      keys.findByHash.mockResolvedValue(rotated);
    });

    it('should open the key until the end of its grace period, which guards get as its expiration', async () => {
      await expect(sut.check(oldValue, context)).resolves.toMatchObject({
        key_id: 'key-1',
        expiration_date: GRACE_END.toISOString(),
        never_expire: false,
      });
    });

    it('should keep the key expiration when it comes first, and say never for the current value of such a key', async () => {
      keys.findByHash.mockResolvedValue({ ...rotated, expiration_date: new Date('2026-03-01T10:30:00Z') });
      await expect(sut.check(oldValue, context)).resolves.toMatchObject({
        expiration_date: '2026-03-01T10:30:00.000Z',
      });
      const current = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(current, { never_expire: true, expiration_date: null }));
      await expect(sut.check(current, context)).resolves.toMatchObject({ expiration_date: null, never_expire: true });
    });

    it('should refuse it from the end of its grace period on, cached or not, counting the failure', async () => {
      await sut.check(oldValue, context);
      now = GRACE_END;
      expect(await codeOf(sut.check(oldValue, context))).toBe(DomainErrorCode.KEY_EXPIRED);
      expect(keys.findByHash).toHaveBeenCalledTimes(1);
      expect(limiter.recordFailure).toHaveBeenCalledWith('10.0.0.1');
    });

    it('should refuse a value replaced by an earlier rotation than the last', async () => {
      keys.findByHash.mockResolvedValue({ ...rotated, previous_hash: 'a-later-value' });
      expect(await codeOf(sut.check(oldValue, context))).toBe(DomainErrorCode.KEY_EXPIRED);
    });
  });

  it('should enforce allowed_referers', async () => {
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(value, { allowed_referers: ['portal.example.com'] }));
    expect(await codeOf(sut.check(value, { ...context, referer: 'https://evil.example.org/' }))).toBe(
      DomainErrorCode.KEY_REFERER_NOT_ALLOWED,
    );
    expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.KEY_REFERER_NOT_ALLOWED);
    await expect(sut.check(value, { ...context, referer: 'https://portal.example.com/map' })).resolves.toMatchObject({
      key_id: 'key-1',
    });
  });

  it('should hand guards no referer list to enforce when enforcement is off', async () => {
    const relaxed = createSut({ ...config, ENFORCE_ALLOWED_REFERERS: false });
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(value, { allowed_referers: ['portal.example.com'] }));
    await expect(
      relaxed.check(value, { ...context, referer: 'https://elsewhere.example.org/' }),
    ).resolves.toMatchObject({ allowed_referers: [] });
  });

  it('should answer 429 to a throttled address without database access, unless the key was recently valid', async () => {
    const known = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(known));
    await sut.check(known, context);
    keys.findByHash.mockClear();

    limiter.reserve.mockResolvedValue({ allowed: false, retryAfterSeconds: 42 });
    const error = await sut.check(generateApiKey(), context).catch((e: DomainError) => e);
    expect(error).toMatchObject({ code: DomainErrorCode.RATE_LIMITED, details: { retryAfterSeconds: 42 } });
    expect(keys.findByHash).not.toHaveBeenCalled();

    await expect(sut.check(known, context)).resolves.toMatchObject({ key_id: 'key-1' });
  });

  it('should refresh the user from Keycloak when the last sync is older than the interval', async () => {
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(value, { latest_sync_date: new Date('2026-03-01T09:00:00Z') }));
    keys.findOwned.mockResolvedValue(storedKey(value, { user_active: false }));
    users.syncUser.mockResolvedValue({ active: false, user: null });
    expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.KEY_USER_DISABLED);
    expect(users.syncUser).toHaveBeenCalledWith('alice-id', NOW);
  });

  it('should keep the last known state when Keycloak is unreachable', async () => {
    const value = generateApiKey();
    keys.findByHash.mockResolvedValue(storedKey(value, { latest_sync_date: new Date('2026-03-01T09:00:00Z') }));
    users.syncUser.mockRejectedValue(
      new DomainError(DomainErrorCode.DEPENDENCY_UNAVAILABLE, 'Keycloak is unreachable'),
    );
    await expect(sut.check(value, context)).resolves.toMatchObject({ key_id: 'key-1' });
  });

  describe('with the record cache', () => {
    it('should answer a cached valid key without the database or the failure throttle', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(value));
      await sut.check(value, context);
      keys.findByHash.mockClear();
      limiter.reserve.mockClear();

      await expect(sut.check(value, context)).resolves.toMatchObject({ key_id: 'key-1' });
      expect(keys.findByHash).not.toHaveBeenCalled();
      expect(limiter.reserve).not.toHaveBeenCalled();
    });

    it('should read the database again when the key was evicted', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(value));
      await sut.check(value, context);
      records.evictKeyId('key-1');
      keys.findByHash.mockResolvedValue(storedKey(value, { is_active: false }));
      expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.KEY_REVOKED);
    });

    it('should read the database on every check when lifecycle events do not flow', async () => {
      records.markStopped();
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(value));
      await sut.check(value, context);
      await sut.check(value, context);
      expect(keys.findByHash).toHaveBeenCalledTimes(2);
    });

    it('should not cache a record read before an eviction that happened during the read', async () => {
      const value = generateApiKey();
      keys.findByHash.mockImplementation(async () => {
        records.evictKeyId('key-1');
        return storedKey(value);
      });
      await sut.check(value, context);
      expect(records.size).toBe(0);
    });

    it('should refuse a cached key once its expiration date has passed', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(value));
      await sut.check(value, context);
      now = new Date('2026-03-10T00:00:01Z');
      users.syncUser.mockResolvedValue({ active: true, user: null });
      keys.findOwned.mockResolvedValue(storedKey(value, { latest_sync_date: now }));
      expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.KEY_EXPIRED);
    });

    it('should enforce allowed_referers on a cached key', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(storedKey(value, { allowed_referers: ['portal.example.com'] }));
      await sut.check(value, { ...context, referer: 'https://portal.example.com/' });
      expect(await codeOf(sut.check(value, { ...context, referer: 'https://evil.example.org/' }))).toBe(
        DomainErrorCode.KEY_REFERER_NOT_ALLOWED,
      );
      expect(keys.findByHash).toHaveBeenCalledTimes(1);
      expect(limiter.recordFailure).toHaveBeenCalledWith('10.0.0.1');
    });

    it('should refuse a remembered unknown key without the database, still counting and throttling', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(null);
      await codeOf(sut.check(value, context));
      expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.KEY_INVALID);
      expect(keys.findByHash).toHaveBeenCalledTimes(1);
      expect(limiter.reserve).toHaveBeenCalledTimes(2);

      limiter.reserve.mockResolvedValue({ allowed: false, retryAfterSeconds: 7 });
      expect(await codeOf(sut.check(value, context))).toBe(DomainErrorCode.RATE_LIMITED);
    });

    it('should find a key remembered as unknown once a key was created', async () => {
      const value = generateApiKey();
      keys.findByHash.mockResolvedValue(null);
      await codeOf(sut.check(value, context));
      records.forgetUnknown();
      keys.findByHash.mockResolvedValue(storedKey(value));
      await expect(sut.check(value, context)).resolves.toMatchObject({ key_id: 'key-1' });
    });
  });
});
