import { DomainError, DomainErrorCode, generateApiKey, hashApiKey, isWellFormedApiKey } from '@rs/key-domain';
import type { AuditRepository } from '@rs/key-store';
import type { KeyManagerConfig } from '../config/key-manager.config';
import type { LifecycleEventsPublisher } from '@rs/key-store';
import type { KeycloakUser } from '@rs/key-store';
import { type ApiKeyRecord, ApiKeysRepository } from '@rs/key-store';
import { ApiKeysService, type Caller } from './api-keys.service';
import type { UserSyncService } from '@rs/key-store';

const NOW = new Date('2026-03-01T10:00:00Z');
const SECRET = 'test-hash-secret-of-at-least-32-chars!!';
const config = {
  API_KEY_HASH_SECRET: SECRET,
  API_KEY_DEFAULT_LIFETIME_DAYS: 15,
  API_KEY_MAX_LIFETIME_DAYS: 365,
} as KeyManagerConfig;
const alice: Caller = { user_id: 'alice-id', user_login: 'alice', is_admin: false };
const keycloakAlice: KeycloakUser = { id: 'alice-id', username: 'alice', enabled: true, attributes: { organization: 'ESA' }, realmRoles: ['rs_cadip_ins_read'] };

function storedKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    _id: '6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d',
    hash: 'h',
    hint: 'rsk_abcd…wxyz',
    name: 'script',
    user_id: 'alice-id',
    user_login: 'alice',
    user_active: true,
    is_active: true,
    never_expire: false,
    expiration_date: new Date('2026-03-10T00:00:00Z'),
    created_at: new Date('2026-02-20T00:00:00Z'),
    latest_sync_date: new Date('2026-02-20T00:00:00Z'),
    iam_roles: [],
    config_json: '{}',
    allowed_referers: [],
    revoked_at: null,
    ...overrides,
  };
}

async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe(ApiKeysService.name, () => {
  let sut: ApiKeysService;
  let keys: jest.Mocked<ApiKeysRepository>;
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;
  let users: jest.Mocked<Pick<UserSyncService, 'syncUser' | 'attributesForConfig'>>;

  beforeEach(() => {
    keys = {
      insert: jest.fn(),
      findOwned: jest.fn(),
      findOwnedByHash: jest.fn(),
      listByOwner: jest.fn(),
      listByLogin: jest.fn(),
      update: jest.fn(async (_id, changes) => storedKey(changes)),
      usageTotals: jest.fn(async () => new Map()),
    } as unknown as jest.Mocked<ApiKeysRepository>;
    audit = { record: jest.fn() };
    events = { publish: jest.fn() };
    users = {
      syncUser: jest.fn(async (_userId: string, _now: Date) => ({ active: true, user: keycloakAlice as KeycloakUser | null })),
      attributesForConfig: jest.fn((_user: KeycloakUser): Record<string, unknown> => ({ organization: 'ESA' })),
    };
    sut = new ApiKeysService(config, keys, audit as unknown as AuditRepository, events as unknown as LifecycleEventsPublisher, users as unknown as UserSyncService, () => NOW);
  });

  describe('create', () => {
    it('should store only the hash and return a well-formed value once', async () => {
      const value = await sut.create(alice, { name: ' my key ', never_expires: false, config: '{"project":"s1","organization":"mine"}', allowed_referers: ['example.com'] });
      expect(isWellFormedApiKey(value)).toBe(true);
      const stored = keys.insert.mock.calls[0][0];
      expect(stored.hash).toBe(hashApiKey(value, SECRET));
      expect(JSON.stringify(stored)).not.toContain(value);
      expect(stored).toMatchObject({
        name: 'my key',
        user_id: 'alice-id',
        never_expire: false,
        expiration_date: new Date('2026-03-16T10:00:00Z'),
        iam_roles: ['rs_cadip_ins_read'],
        allowed_referers: ['example.com'],
      });
      expect(JSON.parse(stored.config_json)).toEqual({ project: 's1', organization: 'ESA' });
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ action: 'created', key_id: stored._id, actor: 'alice-id' })]);
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ action: 'created', key_id: stored._id })]);
      expect(JSON.stringify(events.publish.mock.calls)).not.toContain(value);
    });

    it('should create a key without expiration when never_expires is true', async () => {
      await sut.create(alice, { name: 'forever', never_expires: true, config: undefined, allowed_referers: undefined });
      expect(keys.insert.mock.calls[0][0]).toMatchObject({ never_expire: true, expiration_date: null });
    });

    it.each([
      [{ name: '' }, 'name'],
      [{ config: '[1]' }, 'config'],
      [{ allowed_referers: ['not a host!'] }, 'allowed_referers'],
    ])('should refuse %p naming %s before storing anything', async (overrides, parameter) => {
      const error = await domainErrorOf(sut.create(alice, { name: 'ok', never_expires: false, config: undefined, allowed_referers: undefined, ...overrides }));
      expect(error.details).toEqual({ parameter });
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should refuse a user disabled in Keycloak', async () => {
      users.syncUser.mockResolvedValue({ active: false, user: { ...keycloakAlice, enabled: false } });
      expect((await domainErrorOf(sut.create(alice, { name: 'x', never_expires: false, config: undefined, allowed_referers: undefined }))).code).toBe(
        DomainErrorCode.KEY_USER_DISABLED,
      );
    });
  });

  describe('listOwn', () => {
    it('should list most recently used first, then newest', async () => {
      keys.listByOwner.mockResolvedValue([
        storedKey({ _id: 'old-unused', created_at: new Date('2026-01-01') }),
        storedKey({ _id: 'new-unused', created_at: new Date('2026-02-01') }),
        storedKey({ _id: 'used', created_at: new Date('2025-12-01') }),
      ]);
      keys.usageTotals.mockResolvedValue(new Map([['used', { total_queries: 7, latest_query_date: new Date('2026-02-28') }]]));
      const list = await sut.listOwn(alice);
      expect(list.map((key) => key.id)).toEqual(['used', 'new-unused', 'old-unused']);
      expect(list[0]).toMatchObject({ total_queries: 7, latest_query_date: '2026-02-28T00:00:00.000Z' });
      expect(keys.listByOwner).toHaveBeenCalledWith('alice-id');
    });
  });

  describe('revoke', () => {
    it('should answer KEY_NOT_FOUND for a key that is not the caller’s', async () => {
      keys.findOwned.mockResolvedValue(null);
      const error = await domainErrorOf(sut.revoke(alice, { id: 'someone-elses' }));
      expect(error.code).toBe(DomainErrorCode.KEY_NOT_FOUND);
      expect(keys.findOwned).toHaveBeenCalledWith('someone-elses', 'alice-id');
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should refuse a malformed api-key value naming the parameter', async () => {
      await expect(sut.revoke(alice, { apiKey: 'rsk_' + 'A'.repeat(32) })).rejects.toMatchObject({ details: { parameter: 'api-key' } });
    });

    it('should look a key up by the hash of its value, scoped to the owner', async () => {
      const value = generateApiKey();
      keys.findOwnedByHash.mockResolvedValue(storedKey());
      await sut.revoke(alice, { apiKey: value });
      expect(keys.findOwnedByHash).toHaveBeenCalledWith(hashApiKey(value, SECRET), 'alice-id');
    });

    it('should revoke, audit and publish once; a second revoke changes nothing', async () => {
      keys.findOwned.mockResolvedValueOnce(storedKey());
      const result = await sut.revoke(alice, { id: storedKey()._id });
      expect(result).toMatchObject({ is_active: false, message: 'API key revoked' });
      expect(keys.update).toHaveBeenCalledWith(storedKey()._id, { is_active: false, revoked_at: NOW });
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ action: 'revoked', reason: 'revoked by its owner' })]);

      keys.findOwned.mockResolvedValueOnce(storedKey({ is_active: false, revoked_at: NOW }));
      expect((await sut.revoke(alice, { id: storedKey()._id })).message).toBe('API key was already revoked');
      expect(events.publish).toHaveBeenCalledTimes(1);
    });

    it('should let an admin revoke any key, with a reason', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ user_id: 'bob-id' }));
      await sut.revoke({ user_id: 'admin-id', user_login: 'rsadmin', is_admin: true }, { id: storedKey()._id }, 'leaked on a forum');
      expect(keys.findOwned).toHaveBeenCalledWith(storedKey()._id, null);
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ actor: 'admin-id', user_id: 'bob-id', reason: 'leaked on a forum' })]);
    });

    it('should require a key value or id, not both', async () => {
      expect((await domainErrorOf(sut.revoke(alice, {}))).details).toEqual({ parameter: 'api-key' });
      expect((await domainErrorOf(sut.revoke(alice, { id: 'a', apiKey: 'b' }))).details).toEqual({ parameter: 'api-key' });
    });
  });

  describe('renew', () => {
    it('should reactivate a revoked key and say so', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW }));
      const result = await sut.renew(alice, { id: storedKey()._id }, '2026-04-01T00:00:00Z');
      expect(result).toMatchObject({ reactivated: true, is_active: true, expiration_date: '2026-04-01T00:00:00.000Z', message: 'API key renewed and reactivated' });
      expect(users.syncUser).toHaveBeenCalledWith('alice-id', NOW);
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ action: 'renewed' })]);
    });

    it('should default to now + 15 days', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      keys.update.mockImplementation(async (_id, changes) => storedKey(changes));
      expect((await sut.renew(alice, { id: storedKey()._id }, undefined)).expiration_date).toBe('2026-03-16T10:00:00.000Z');
    });

    it('should refuse an unparsable or past date naming expiration-date', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      expect((await domainErrorOf(sut.renew(alice, { id: 'x' }, 'next week'))).details).toEqual({ parameter: 'expiration-date' });
      expect((await domainErrorOf(sut.renew(alice, { id: 'x' }, '2020-01-01'))).details).toEqual({ parameter: 'expiration-date' });
      expect(keys.update).not.toHaveBeenCalled();
    });
  });
});
