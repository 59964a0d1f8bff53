import { DomainErrorCode, generateApiKey, hashApiKey, isWellFormedApiKey } from '@rs/key-domain';
import { domainErrorOf } from '@rs/key-domain/testing';
import {
  type ApiKeyRecord,
  ApiKeysRepository,
  type AuditRepository,
  type KeyEventOf,
  type LifecycleChange,
  type LifecycleEventsPublisher,
  type StoredKeyChange,
} from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import type { KeycloakUser, UserSyncService } from '@rs/keycloak-users';
import type { KeyManagerConfig } from '../config/key-manager.config';
import { ApiKeysService, type Caller } from './api-keys.service';

const NOW = new Date('2026-03-01T10:00:00Z');
const SECRET = 'test-hash-secret-of-at-least-32-chars!!';
const config = {
  API_KEY_HASH_SECRET: SECRET,
  API_KEY_DEFAULT_LIFETIME_DAYS: 15,
  API_KEY_MAX_LIFETIME_DAYS: 365,
  API_KEY_ALLOW_NEVER_EXPIRES: true,
  API_KEY_MAX_ACTIVE_PER_USER: 3,
  API_KEY_MAX_RATE_LIMIT_PER_MINUTE: 100_000,
} as KeyManagerConfig;
const admin: Caller = { user_id: 'admin-id', user_login: 'rsadmin', is_admin: true };
const alice: Caller = { user_id: 'alice-id', user_login: 'alice', is_admin: false };
const keycloakAlice: KeycloakUser = {
  id: 'alice-id',
  username: 'alice',
  enabled: true,
  attributes: { organization: 'ESA' },
  realmRoles: ['rs_auxip_adgs_read', 'rs_cadip_ins_read'],
};

function storedKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({ _id: '6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d', hash: 'h', hint: 'rsk_abcd…wxyz', ...overrides });
}

const input = { name: 'x', never_expires: false, config: undefined, allowed_referers: undefined };

/** A repository answer for a stored change of `record`, with the event the service asked for. */
function changeOf(record: ApiKeyRecord) {
  return async (...args: unknown[]): Promise<StoredKeyChange> => {
    const event = args.find((arg): arg is KeyEventOf => typeof arg === 'function');
    const announced = { ...event?.(record), key_id: record._id, user_id: record.user_id } as LifecycleChange;
    const payload = JSON.stringify(announced);
    return {
      before: record,
      after: record,
      announced,
      event: { event_id: 'e', key_id: record._id, payload, created_at: NOW },
    };
  };
}

describe(ApiKeysService.name, () => {
  let sut: ApiKeysService;
  let serviceWith: (overrides: Partial<KeyManagerConfig>) => ApiKeysService;
  let keys: jest.Mocked<ApiKeysRepository>;
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;
  /** The published events, as they were announced. */
  const published = () =>
    events.publish.mock.calls.flatMap(([sent]) =>
      sent.map((event) => JSON.parse(event.payload) as Record<string, unknown>),
    );
  let users: jest.Mocked<Pick<UserSyncService, 'syncUser' | 'configWithAttributes'>>;

  beforeEach(() => {
    keys = {
      insert: jest.fn(async (record: ApiKeyRecord, event: KeyEventOf) => changeOf(record)(event).then((c) => c.event)),
      findOwned: jest.fn(),
      findOwnedByHash: jest.fn(),
      revokeIfActive: jest.fn(),
      escalateRevocationToAdmin: jest.fn(async () => null),
      countActiveByOwner: jest.fn(async () => 0),
      deleteUnannounced: jest.fn(),
      listByOwner: jest.fn(),
      listByLogin: jest.fn(),
      renew: jest.fn(async (_id: string, expiration: Date, event: KeyEventOf) =>
        changeOf(storedKey({ expiration_date: expiration }))(event),
      ),
      rotate: jest.fn(async (_id: string, _secret: unknown, _graceEnd: Date, event: KeyEventOf) =>
        changeOf(storedKey())(event),
      ),
      setScopes: jest.fn(async (_id: string, scopes: string[] | null, roles: string[], event: KeyEventOf) =>
        changeOf(storedKey({ scopes, iam_roles: roles }))(event),
      ),
      usageTotals: jest.fn(async () => new Map()),
    } as unknown as jest.Mocked<ApiKeysRepository>;
    audit = { record: jest.fn() };
    events = { publish: jest.fn() };
    users = {
      syncUser: jest.fn(async (_userId: string, _now: Date) => ({
        active: true,
        user: keycloakAlice as KeycloakUser | null,
      })),
      configWithAttributes: jest.fn(
        (config: Record<string, unknown>, _user: KeycloakUser): Record<string, unknown> => ({
          ...config,
          organization: 'ESA',
        }),
      ),
    };
    serviceWith = (overrides) =>
      new ApiKeysService(
        { ...config, ...overrides },
        keys,
        audit as unknown as AuditRepository,
        events as unknown as LifecycleEventsPublisher,
        users as unknown as UserSyncService,
        () => NOW,
      );
    sut = serviceWith({});
  });

  describe('create', () => {
    it('should store only the hash and return a well-formed value once', async () => {
      const value = await sut.create(alice, {
        name: ' my key ',
        never_expires: false,
        config: '{"project":"s1","organization":"mine"}',
        allowed_referers: ['example.com'],
      });
      expect(isWellFormedApiKey(value)).toBe(true);
      const stored = keys.insert.mock.calls[0][0];
      expect(stored.hash).toBe(hashApiKey(value, SECRET));
      expect(JSON.stringify(stored)).not.toContain(value);
      expect(stored).toMatchObject({
        name: 'my key',
        user_id: 'alice-id',
        never_expire: false,
        expiration_date: new Date('2026-03-16T10:00:00Z'),
        iam_roles: ['rs_auxip_adgs_read', 'rs_cadip_ins_read'],
        allowed_referers: ['example.com'],
      });
      expect(JSON.parse(stored.config_json)).toEqual({ project: 's1', organization: 'ESA' });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ action: 'created', key_id: stored._id, actor: 'alice-id' }),
      ]);
      expect(published()).toEqual([expect.objectContaining({ action: 'created', key_id: stored._id })]);
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
      const error = await domainErrorOf(
        sut.create(alice, {
          name: 'ok',
          never_expires: false,
          config: undefined,
          allowed_referers: undefined,
          ...overrides,
        }),
      );
      expect(error.details).toEqual({ parameter });
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should take an expiration date within the maximum life, and refuse one beyond it', async () => {
      await sut.create(alice, { ...input, expiration_date: '2026-06-01T00:00:00Z' });
      expect(keys.insert.mock.calls[0][0]).toMatchObject({ expiration_date: new Date('2026-06-01T00:00:00Z') });
      const error = await domainErrorOf(sut.create(alice, { ...input, expiration_date: '2028-01-01T00:00:00Z' }));
      expect(error).toMatchObject({
        code: DomainErrorCode.INVALID_PARAMETER,
        details: { parameter: 'expiration-date' },
      });
      expect(error.message).toContain('within 365 days');
      expect(keys.insert).toHaveBeenCalledTimes(1);
    });

    it('should refuse never_expires when the configuration forbids it', async () => {
      sut = serviceWith({ API_KEY_ALLOW_NEVER_EXPIRES: false });
      const error = await domainErrorOf(sut.create(alice, { ...input, never_expires: true }));
      expect(error).toMatchObject({ code: DomainErrorCode.INVALID_PARAMETER, details: { parameter: 'never_expires' } });
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should answer KEY_LIMIT_REACHED when the owner already holds the most active keys allowed', async () => {
      keys.countActiveByOwner.mockResolvedValue(3);
      const error = await domainErrorOf(sut.create(alice, input));
      expect(error.code).toBe(DomainErrorCode.KEY_LIMIT_REACHED);
      expect(keys.countActiveByOwner).toHaveBeenCalledWith('alice-id', NOW);
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should take the key back, unannounced, when concurrent creations went over the cap', async () => {
      keys.countActiveByOwner.mockResolvedValueOnce(2).mockResolvedValueOnce(4);
      const error = await domainErrorOf(sut.create(alice, input));
      expect(error.code).toBe(DomainErrorCode.KEY_LIMIT_REACHED);
      expect(keys.deleteUnannounced).toHaveBeenCalledWith(keys.insert.mock.calls[0][0]._id);
      expect(audit.record).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should limit a scoped key to its scopes, and store them', async () => {
      await sut.create(alice, { ...input, scopes: ['rs_cadip_ins_read'] });
      expect(keys.insert.mock.calls[0][0]).toMatchObject({
        scopes: ['rs_cadip_ins_read'],
        iam_roles: ['rs_cadip_ins_read'],
      });
    });

    it('should give a key without scopes every role of its owner, and store no scopes', async () => {
      await sut.create(alice, input);
      expect(keys.insert.mock.calls[0][0]).not.toHaveProperty('scopes');
    });

    it('should refuse a scope the owner does not hold, naming it, before storing anything', async () => {
      const error = await domainErrorOf(sut.create(alice, { ...input, scopes: ['rs_cadip_ins_read', 'rs_x_read'] }));
      expect(error).toMatchObject({ code: DomainErrorCode.INVALID_PARAMETER, details: { parameter: 'scopes' } });
      expect(error.message).toContain('rs_x_read');
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should store a per-minute rate limit, and none when not given', async () => {
      await sut.create(alice, { ...input, rate_limit_per_minute: 60 });
      await sut.create(alice, input);
      expect(keys.insert.mock.calls[0][0]).toMatchObject({ rate_limit_per_minute: 60 });
      expect(keys.insert.mock.calls[1][0]).not.toHaveProperty('rate_limit_per_minute');
    });

    it('should refuse a per-minute rate limit above the configured maximum, naming it', async () => {
      const error = await domainErrorOf(
        serviceWith({ API_KEY_MAX_RATE_LIMIT_PER_MINUTE: 100 }).create(alice, { ...input, rate_limit_per_minute: 101 }),
      );
      expect(error).toMatchObject({
        code: DomainErrorCode.INVALID_PARAMETER,
        details: { parameter: 'rate_limit_per_minute' },
      });
      expect(keys.insert).not.toHaveBeenCalled();
    });

    it('should refuse a user disabled in Keycloak', async () => {
      users.syncUser.mockResolvedValue({ active: false, user: { ...keycloakAlice, enabled: false } });
      expect(
        (
          await domainErrorOf(
            sut.create(alice, { name: 'x', never_expires: false, config: undefined, allowed_referers: undefined }),
          )
        ).code,
      ).toBe(DomainErrorCode.KEY_USER_DISABLED);
    });
  });

  describe('listOwn', () => {
    it('should list most recently used first, then newest', async () => {
      keys.listByOwner.mockResolvedValue([
        storedKey({ _id: 'old-unused', created_at: new Date('2026-01-01') }),
        storedKey({ _id: 'new-unused', created_at: new Date('2026-02-01') }),
        storedKey({ _id: 'used', created_at: new Date('2025-12-01') }),
      ]);
      keys.usageTotals.mockResolvedValue(
        new Map([['used', { total_queries: 7, latest_query_date: new Date('2026-02-28') }]]),
      );
      const list = await sut.listOwn(alice);
      expect(list.map((key) => key.id)).toEqual(['used', 'new-unused', 'old-unused']);
      expect(list[0]).toMatchObject({ total_queries: 7, latest_query_date: '2026-02-28T00:00:00.000Z' });
      expect(keys.listByOwner).toHaveBeenCalledWith('alice-id');
    });
  });

  describe('revoke', () => {
    it('should answer KEY_NOT_FOUND for a key that is not the caller’s', async () => {
      keys.revokeIfActive.mockResolvedValue(null);
      keys.findOwned.mockResolvedValue(null);
      const error = await domainErrorOf(sut.revoke(alice, { id: 'someone-elses' }));
      expect(error.code).toBe(DomainErrorCode.KEY_NOT_FOUND);
      expect(keys.revokeIfActive).toHaveBeenCalledWith(
        { keyId: 'someone-elses' },
        'alice-id',
        NOW,
        'owner',
        expect.any(Function),
      );
      expect(keys.findOwned).toHaveBeenCalledWith('someone-elses', 'alice-id');
      expect(audit.record).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should refuse a malformed api-key value naming the parameter', async () => {
      await expect(sut.revoke(alice, { apiKey: 'rsk_' + 'A'.repeat(32) })).rejects.toMatchObject({
        details: { parameter: 'api-key' },
      });
      expect(keys.revokeIfActive).not.toHaveBeenCalled();
    });

    it('should name a key by the hash of its value, scoped to the owner', async () => {
      const value = generateApiKey();
      keys.revokeIfActive.mockImplementation(changeOf(storedKey()));
      await sut.revoke(alice, { apiKey: value });
      expect(keys.revokeIfActive).toHaveBeenCalledWith(
        { hash: hashApiKey(value, SECRET) },
        'alice-id',
        NOW,
        'owner',
        expect.any(Function),
      );
    });

    it('should revoke, audit and publish once; a second revoke changes nothing', async () => {
      keys.revokeIfActive.mockImplementationOnce(changeOf(storedKey()));
      const result = await sut.revoke(alice, { id: storedKey()._id });
      expect(result).toMatchObject({ is_active: false, revoked_at: NOW.toISOString(), message: 'API key revoked' });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({
          action: 'revoked',
          key_id: storedKey()._id,
          actor: 'alice-id',
          revoked_by: 'owner',
          at: NOW,
        }),
      ]);
      expect(published()).toEqual([expect.objectContaining({ action: 'revoked', reason: 'revoked by its owner' })]);

      keys.revokeIfActive.mockResolvedValueOnce(null);
      keys.findOwned.mockResolvedValueOnce(
        storedKey({ is_active: false, revoked_at: new Date('2026-02-25T00:00:00Z') }),
      );
      expect(await sut.revoke(alice, { id: storedKey()._id })).toMatchObject({
        message: 'API key was already revoked',
        revoked_at: '2026-02-25T00:00:00.000Z',
      });
      expect(events.publish).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledTimes(1);
    });

    it('should revoke after all when the key was renewed between the two lookups', async () => {
      keys.revokeIfActive.mockResolvedValueOnce(null).mockImplementationOnce(changeOf(storedKey()));
      keys.findOwned.mockResolvedValueOnce(storedKey({ is_active: true }));
      expect((await sut.revoke(alice, { id: storedKey()._id })).message).toBe('API key revoked');
      expect(events.publish).toHaveBeenCalledTimes(1);
    });

    it('should publish the event without waiting for the audit record, and wait for both', async () => {
      keys.revokeIfActive.mockImplementation(changeOf(storedKey()));
      let storeAudit!: () => void;
      audit.record.mockReturnValue(new Promise<void>((resolve) => (storeAudit = resolve)));
      let answered = false;
      const revoking = sut.revoke(alice, { id: storedKey()._id }).then(() => (answered = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(events.publish).toHaveBeenCalledTimes(1);
      expect(answered).toBe(false);
      storeAudit();
      await revoking;
      expect(answered).toBe(true);
    });

    it('should fail when the audit record could not be stored, the event being published all the same', async () => {
      keys.revokeIfActive.mockImplementation(changeOf(storedKey()));
      audit.record.mockRejectedValue(new Error('database down'));
      await expect(sut.revoke(alice, { id: storedKey()._id })).rejects.toThrow('database down');
      expect(events.publish).toHaveBeenCalledTimes(1);
    });

    it('should fail when the event was neither sent nor stored', async () => {
      keys.revokeIfActive.mockImplementation(changeOf(storedKey()));
      events.publish.mockRejectedValue(new Error('database down'));
      await expect(sut.revoke(alice, { id: storedKey()._id })).rejects.toThrow('database down');
    });

    it('should let an admin revoke any key, with a reason', async () => {
      keys.revokeIfActive.mockImplementation(changeOf(storedKey({ user_id: 'bob-id' })));
      await sut.revoke(admin, { id: storedKey()._id }, 'leaked on a forum');
      expect(keys.revokeIfActive).toHaveBeenCalledWith(
        { keyId: storedKey()._id },
        null,
        NOW,
        'admin',
        expect.any(Function),
      );
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({
          actor: 'admin-id',
          user_id: 'bob-id',
          reason: 'leaked on a forum',
          revoked_by: 'admin',
        }),
      ]);
      expect(published()).toEqual([
        expect.objectContaining({ action: 'revoked', user_id: 'bob-id', reason: 'leaked on a forum' }),
      ]);
    });

    it('should name the administrator when an admin revokes without a reason', async () => {
      keys.revokeIfActive.mockImplementation(changeOf(storedKey({ user_id: 'bob-id' })));
      await sut.revoke(admin, { id: storedKey()._id });
      expect(published()).toEqual([expect.objectContaining({ reason: 'revoked by administrator rsadmin' })]);
    });

    it('should make an owner’s earlier revocation an administrator’s, audited, keeping its date', async () => {
      const revokedAt = new Date('2026-02-25T00:00:00Z');
      keys.revokeIfActive.mockResolvedValue(null);
      keys.escalateRevocationToAdmin.mockImplementation(
        changeOf(storedKey({ user_id: 'bob-id', is_active: false, revoked_at: revokedAt, revoked_by: 'owner' })),
      );
      const result = await sut.revoke(admin, { id: storedKey()._id }, 'leaked');
      expect(keys.escalateRevocationToAdmin).toHaveBeenCalledWith(
        { keyId: storedKey()._id },
        expect.any(Function),
        NOW,
      );
      expect(result).toMatchObject({ is_active: false, revoked_at: revokedAt.toISOString() });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ action: 'revoked', revoked_by: 'admin', reason: 'leaked' }),
      ]);
    });

    it('should never escalate an owner’s own revocation', async () => {
      keys.revokeIfActive.mockResolvedValue(null);
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW }));
      await sut.revoke(alice, { id: storedKey()._id });
      expect(keys.escalateRevocationToAdmin).not.toHaveBeenCalled();
    });

    it('should require a key value or id, not both', async () => {
      expect((await domainErrorOf(sut.revoke(alice, {}))).details).toEqual({ parameter: 'api-key' });
      expect((await domainErrorOf(sut.revoke(alice, { id: 'a', apiKey: 'b' }))).details).toEqual({
        parameter: 'api-key',
      });
    });
  });

  describe('renew', () => {
    it('should reactivate a revoked key and say so', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW }));
      const result = await sut.renew(alice, { id: storedKey()._id }, '2026-04-01T00:00:00Z');
      expect(result).toMatchObject({
        reactivated: true,
        is_active: true,
        expiration_date: '2026-04-01T00:00:00.000Z',
        message: 'API key renewed and reactivated',
      });
      expect(users.syncUser).toHaveBeenCalledWith('alice-id', NOW);
      expect(published()).toEqual([expect.objectContaining({ action: 'renewed' })]);
    });

    it('should default to now + 15 days', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      expect((await sut.renew(alice, { id: storedKey()._id }, undefined)).expiration_date).toBe(
        '2026-03-16T10:00:00.000Z',
      );
    });

    it('should refuse an unparsable or past date naming expiration-date', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      expect((await domainErrorOf(sut.renew(alice, { id: 'x' }, 'next week'))).details).toEqual({
        parameter: 'expiration-date',
      });
      expect((await domainErrorOf(sut.renew(alice, { id: 'x' }, '2020-01-01'))).details).toEqual({
        parameter: 'expiration-date',
      });
      expect(keys.renew).not.toHaveBeenCalled();
    });

    it('should refuse a key an administrator revoked, before touching it', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW, revoked_by: 'admin' }));
      expect((await domainErrorOf(sut.renew(alice, { id: storedKey()._id }, undefined))).code).toBe(
        DomainErrorCode.KEY_REVOKED_BY_ADMIN,
      );
      expect(keys.renew).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should refuse when an administrator revoked the key while it was being renewed', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW, revoked_by: 'owner' }));
      keys.renew.mockResolvedValue(null);
      expect((await domainErrorOf(sut.renew(alice, { id: storedKey()._id }, undefined))).code).toBe(
        DomainErrorCode.KEY_REVOKED_BY_ADMIN,
      );
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should count a reactivation against the active-key cap, not a renewal of a working key', async () => {
      keys.countActiveByOwner.mockResolvedValue(3);
      keys.findOwned.mockResolvedValue(storedKey());
      await sut.renew(alice, { id: storedKey()._id }, undefined);
      keys.findOwned.mockResolvedValue(storedKey({ is_active: false, revoked_at: NOW, revoked_by: 'owner' }));
      expect((await domainErrorOf(sut.renew(alice, { id: storedKey()._id }, undefined))).code).toBe(
        DomainErrorCode.KEY_LIMIT_REACHED,
      );
      expect(keys.renew).toHaveBeenCalledTimes(1);
    });
  });

  describe('rotate', () => {
    const GRACE_END = new Date(NOW.getTime() + 24 * 3_600_000);

    it('should give the key a new value, keep the old one for 24 hours by default, audit and announce it', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      const result = await sut.rotate(alice, { id: storedKey()._id }, undefined);
      expect(isWellFormedApiKey(result.api_key)).toBe(true);
      expect(result).toMatchObject({
        id: storedKey()._id,
        name: 'script',
        rotated_at: NOW.toISOString(),
        previous_secret_expires_at: GRACE_END.toISOString(),
        message: 'API key rotated',
      });
      expect(keys.findOwned).toHaveBeenCalledWith(storedKey()._id, 'alice-id');
      const [keyId, secret, graceEnd] = keys.rotate.mock.calls[0];
      expect({ keyId, secret, graceEnd }).toEqual({
        keyId: storedKey()._id,
        secret: { hash: hashApiKey(result.api_key, SECRET), hint: result.hint },
        graceEnd: GRACE_END,
      });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ action: 'rotated', key_id: storedKey()._id, actor: 'alice-id' }),
      ]);
      expect(published()).toEqual([
        expect.objectContaining({ action: 'rotated', previous_secret_expires_at: GRACE_END.toISOString() }),
      ]);
      expect(JSON.stringify([audit.record.mock.calls, events.publish.mock.calls])).not.toContain(result.api_key);
    });

    it('should take a grace period in hours, fractions included', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      const result = await sut.rotate(alice, { id: storedKey()._id }, 0.5);
      expect(result.previous_secret_expires_at).toBe(new Date(NOW.getTime() + 1_800_000).toISOString());
    });

    it('should refuse a grace period beyond seven days before touching the key', async () => {
      const error = await domainErrorOf(sut.rotate(alice, { id: storedKey()._id }, 168.5));
      expect(error).toMatchObject({ details: { parameter: 'grace_period_hours' } });
      expect(keys.findOwned).not.toHaveBeenCalled();
    });

    it('should answer 404 for a key of someone else', async () => {
      keys.findOwned.mockResolvedValue(null);
      expect((await domainErrorOf(sut.rotate(alice, { id: storedKey()._id }, 1))).code).toBe(
        DomainErrorCode.KEY_NOT_FOUND,
      );
      expect(keys.rotate).not.toHaveBeenCalled();
    });

    it('should refuse a revoked key, and one revoked between the read and the write', async () => {
      keys.findOwned.mockResolvedValueOnce(storedKey({ is_active: false }));
      expect((await domainErrorOf(sut.rotate(alice, { id: storedKey()._id }, 1))).code).toBe(
        DomainErrorCode.KEY_REVOKED,
      );
      keys.findOwned.mockResolvedValueOnce(storedKey()).mockResolvedValueOnce(storedKey({ is_active: false }));
      keys.rotate.mockResolvedValueOnce(null);
      expect((await domainErrorOf(sut.rotate(alice, { id: storedKey()._id }, 1))).code).toBe(
        DomainErrorCode.KEY_REVOKED,
      );
      expect(events.publish).not.toHaveBeenCalled();
    });
  });

  describe('setScopes', () => {
    const keyId = storedKey()._id;

    it('should limit the key to held scopes, with its roles, and audit and announce it', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ iam_roles: keycloakAlice.realmRoles }));
      const view = await sut.setScopes(alice, { id: keyId }, ['rs_cadip_ins_read'], undefined);
      expect(keys.findOwned).toHaveBeenCalledWith(keyId, 'alice-id');
      expect(users.syncUser).toHaveBeenCalledWith(storedKey().user_id, NOW);
      expect(keys.setScopes.mock.calls[0].slice(0, 3)).toEqual([keyId, ['rs_cadip_ins_read'], ['rs_cadip_ins_read']]);
      expect(view).toMatchObject({ id: keyId, scopes: ['rs_cadip_ins_read'], iam_roles: ['rs_cadip_ins_read'] });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ action: 'scopes_changed', key_id: keyId, actor: 'alice-id' }),
      ]);
      expect(published()).toEqual([expect.objectContaining({ action: 'scopes_changed', key_id: keyId })]);
    });

    it('should give the key every role of its owner again with all roles', async () => {
      keys.findOwned.mockResolvedValue(storedKey({ scopes: ['rs_cadip_ins_read'] }));
      const view = await sut.setScopes(alice, { id: keyId }, undefined, true);
      expect(keys.setScopes.mock.calls[0].slice(1, 3)).toEqual([null, keycloakAlice.realmRoles]);
      expect(view.scopes).toBeNull();
    });

    it('should refuse a scope the owner does not hold with a 400 naming it, changing nothing', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      const error = await domainErrorOf(sut.setScopes(alice, { id: keyId }, ['rs_apikey_admin'], undefined));
      expect(error).toMatchObject({ code: DomainErrorCode.INVALID_PARAMETER, details: { parameter: 'scopes' } });
      expect(error.message).toContain('rs_apikey_admin');
      expect(keys.setScopes).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should answer 404 for a key of someone else', async () => {
      keys.findOwned.mockResolvedValue(null);
      expect((await domainErrorOf(sut.setScopes(alice, { id: keyId }, ['rs_cadip_ins_read'], undefined))).code).toBe(
        DomainErrorCode.KEY_NOT_FOUND,
      );
      expect(keys.setScopes).not.toHaveBeenCalled();
    });

    it('should refuse an expired key, and one revoked between the read and the write', async () => {
      keys.findOwned.mockResolvedValueOnce(storedKey({ never_expire: false, expiration_date: NOW }));
      expect((await domainErrorOf(sut.setScopes(alice, { id: keyId }, undefined, true))).code).toBe(
        DomainErrorCode.KEY_EXPIRED,
      );
      keys.findOwned.mockResolvedValueOnce(storedKey()).mockResolvedValueOnce(storedKey({ is_active: false }));
      keys.setScopes.mockResolvedValueOnce(null);
      expect((await domainErrorOf(sut.setScopes(alice, { id: keyId }, undefined, true))).code).toBe(
        DomainErrorCode.KEY_REVOKED,
      );
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should refuse the key of a disabled owner', async () => {
      keys.findOwned.mockResolvedValue(storedKey());
      users.syncUser.mockResolvedValue({ active: false, user: null });
      expect((await domainErrorOf(sut.setScopes(alice, { id: keyId }, undefined, true))).code).toBe(
        DomainErrorCode.KEY_USER_DISABLED,
      );
    });
  });
});
