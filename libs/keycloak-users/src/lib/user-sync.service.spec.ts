import type {
  ApiKeyRecord,
  ApiKeysRepository,
  AuditRepository,
  KeyStateChange,
  LifecycleEventsPublisher,
  PendingLifecycleEvent,
  StoredKeyChange,
} from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import type { KeycloakAdminClient, KeycloakUser } from './keycloak-admin.client';
import type { KeycloakUsersOptions } from './keycloak-users.options';
import { UserSyncService } from './user-sync.service';

const NOW = new Date('2026-03-01T10:00:00Z');
const options = { configAttributes: ['organization', 'quota'] } as KeycloakUsersOptions;

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({
    _id: id,
    hash: id,
    name: id,
    user_id: 'u1',
    never_expire: true,
    expiration_date: null,
    created_at: NOW,
    latest_sync_date: NOW,
    iam_roles: ['old_role'],
    config_json: '{"project":"p","organization":"stale"}',
    ...overrides,
  });
}

describe(UserSyncService.name, () => {
  let sut: UserSyncService;
  let listed: (records: ApiKeyRecord[]) => ApiKeyRecord[];
  let keycloak: jest.Mocked<Pick<KeycloakAdminClient, 'getUser'>>;
  let keys: jest.Mocked<
    Pick<ApiKeysRepository, 'listByOwner' | 'updateUserKeys' | 'update' | 'changeState' | 'revokeIfActive'>
  >;
  /** The keys as the fake repository stores them. */
  let stored: Map<string, ApiKeyRecord>;

  /** A state change as ApiKeysRepository.changeState makes it, on the stored keys. */
  async function changeState(keyId: string, change: KeyStateChange): Promise<StoredKeyChange | null> {
    const before = stored.get(keyId);
    const decided = before && change(before);
    if (!before || !decided) return null;
    const after = { ...before, ...decided.set, state_version: (before.state_version ?? 0) + 1 };
    stored.set(keyId, after);
    const announced = { ...decided.event(before), key_id: keyId, user_id: before.user_id };
    const event = { event_id: `e-${keyId}`, key_id: keyId, payload: JSON.stringify(announced), created_at: NOW };
    return { before, after, announced, event };
  }

  /** What was published, as (key, action) pairs. */
  function published(): Array<{ key_id: string; action: string }> {
    return events.publish.mock.calls.flatMap(([sent]) =>
      (sent as PendingLifecycleEvent[]).map((event) => {
        const { key_id, action } = JSON.parse(event.payload) as { key_id: string; action: string };
        return { key_id, action };
      }),
    );
  }
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;

  beforeEach(() => {
    keycloak = { getUser: jest.fn() };
    stored = new Map();
    const own = (records: ApiKeyRecord[]) => {
      stored = new Map(records.map((record) => [record._id, record]));
      return records;
    };
    keys = {
      listByOwner: jest.fn(async (_userId: string) => own([key('k1'), key('k2', { user_active: false })])),
      updateUserKeys: jest.fn(),
      update: jest.fn(),
      changeState: jest.fn(async (filter, change, _now) => changeState(String(filter['_id']), change)),
      revokeIfActive: jest.fn(async (lookup, _owner, _at, revokedBy, event) =>
        changeState('keyId' in lookup ? lookup.keyId : lookup.hash, (current) =>
          current.is_active ? { set: { is_active: false, revoked_by: revokedBy }, event } : null,
        ),
      ),
    };
    listed = own;
    audit = { record: jest.fn() };
    events = { publish: jest.fn() };
    sut = new UserSyncService(
      options,
      keycloak as unknown as KeycloakAdminClient,
      keys as unknown as ApiKeysRepository,
      audit as unknown as AuditRepository,
      events as unknown as LifecycleEventsPublisher,
    );
  });

  describe('attributesForConfig', () => {
    it('should keep only the configured attributes', () => {
      const user: KeycloakUser = {
        id: 'u1',
        username: 'alice',
        enabled: true,
        attributes: { organization: 'ESA', phone: '123' },
        realmRoles: [],
      };
      expect(sut.attributesForConfig(user)).toEqual({ organization: 'ESA' });
    });
  });

  const alice = (overrides: Partial<KeycloakUser> = {}): KeycloakUser => ({
    id: 'u1',
    username: 'alice2',
    enabled: true,
    attributes: { organization: 'ESA' },
    realmRoles: ['old_role'],
    ...overrides,
  });

  describe('syncUser', () => {
    it('should revoke the active keys of a deleted user, recording why, and announce them as user_deleted', async () => {
      keycloak.getUser.mockResolvedValue(null);
      keys.listByOwner.mockResolvedValue(listed([key('k1'), key('k2', { is_active: false })]));
      await expect(sut.syncUser('u1', NOW)).resolves.toEqual({ active: false, user: null });
      expect(keys.revokeIfActive).toHaveBeenCalledTimes(1);
      expect(keys.revokeIfActive).toHaveBeenCalledWith(
        { keyId: 'k1' },
        'u1',
        NOW,
        'user_deleted',
        expect.any(Function),
      );
      expect(stored.get('k1')).toMatchObject({ is_active: false, revoked_by: 'user_deleted', state_version: 1 });
      expect(keys.updateUserKeys).toHaveBeenCalledWith('u1', { user_active: false, latest_sync_date: NOW });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'user_deleted', reason: 'user deleted from Keycloak' }),
      ]);
      expect(published()).toEqual([{ key_id: 'k1', action: 'user_deleted' }]);
    });

    it('should disable the keys of a disabled user and announce only the newly disabled ones', async () => {
      keycloak.getUser.mockResolvedValue(alice({ enabled: false }));
      await expect(sut.syncUser('u1', NOW)).resolves.toMatchObject({ active: false });
      expect(keys.updateUserKeys).toHaveBeenCalledWith('u1', { user_active: false, latest_sync_date: NOW });
      expect(stored.get('k1')).toMatchObject({ user_active: false, revoked_by: 'user_disabled', state_version: 1 });
      expect(stored.get('k2')?.state_version).toBeUndefined();
      expect(keys.revokeIfActive).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'user_disabled', reason: 'user disabled in Keycloak' }),
      ]);
      expect(published()).toEqual([{ key_id: 'k1', action: 'user_disabled' }]);
    });

    it('should refresh login and attributes of an enabled user, announcing the re-enabled keys', async () => {
      keycloak.getUser.mockResolvedValue(alice());
      await sut.syncUser('u1', NOW);
      expect(keys.update).toHaveBeenCalledWith('k1', {
        user_active: true,
        user_login: 'alice2',
        iam_roles: ['old_role'],
        config_json: JSON.stringify({ project: 'p', organization: 'ESA' }),
        latest_sync_date: NOW,
      });
      expect(stored.get('k2')).toMatchObject({ user_active: true, user_login: 'alice2', state_version: 1 });
      expect(audit.record).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ key_id: 'k2', action: 'user_enabled' })]);
      expect(published()).toEqual([{ key_id: 'k2', action: 'user_enabled' }]);
    });

    it('should announce roles_changed for the working keys whose roles Keycloak changed', async () => {
      keycloak.getUser.mockResolvedValue(alice({ realmRoles: ['new_role'] }));
      keys.listByOwner.mockResolvedValue(listed([key('k1'), key('k3', { is_active: false })]));
      await sut.syncUser('u1', NOW);
      expect(stored.get('k1')).toMatchObject({ iam_roles: ['new_role'], state_version: 1 });
      expect(keys.update).toHaveBeenCalledWith('k3', expect.objectContaining({ iam_roles: ['new_role'] }));
      expect(published()).toEqual([{ key_id: 'k1', action: 'roles_changed' }]);
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ actor: 'system:keycloak-sync' })]);
    });

    it('should give a scoped key only its scopes the owner still holds, announcing only the keys that change', async () => {
      keycloak.getUser.mockResolvedValue(alice({ realmRoles: ['rs_a_read', 'rs_c_read'] }));
      keys.listByOwner.mockResolvedValue(
        listed([
          key('scoped', { scopes: ['rs_a_read', 'rs_b_read'], iam_roles: ['rs_a_read', 'rs_b_read'] }),
          key('same', { scopes: ['rs_c_read'], iam_roles: ['rs_c_read'] }),
          key('unscoped', { iam_roles: ['rs_a_read', 'rs_c_read'] }),
        ]),
      );
      await sut.syncUser('u1', NOW);
      // The owner lost rs_b_read: the scoped key loses it too, and never gains rs_c_read it was not scoped to.
      expect(stored.get('scoped')).toMatchObject({ iam_roles: ['rs_a_read'], scopes: ['rs_a_read', 'rs_b_read'] });
      expect(keys.update).toHaveBeenCalledWith('same', expect.objectContaining({ iam_roles: ['rs_c_read'] }));
      expect(keys.update).toHaveBeenCalledWith(
        'unscoped',
        expect.objectContaining({ iam_roles: ['rs_a_read', 'rs_c_read'] }),
      );
      expect(published()).toEqual([{ key_id: 'scoped', action: 'roles_changed' }]);
    });

    it('should give a disabled user’s keys back their working state when the user is enabled again', async () => {
      keycloak.getUser.mockResolvedValue(alice());
      keys.listByOwner.mockResolvedValue(
        listed([
          key('k1', { user_active: false, revoked_by: 'user_disabled' }),
          key('k2', { user_active: false, revoked_by: 'owner' }),
        ]),
      );
      await sut.syncUser('u1', NOW);
      expect(stored.get('k1')).toMatchObject({ user_active: true, revoked_by: null });
      expect(stored.get('k2')).toMatchObject({ user_active: true, revoked_by: 'owner' });
    });

    it('should announce nothing when nothing changed', async () => {
      keycloak.getUser.mockResolvedValue(alice());
      keys.listByOwner.mockResolvedValue(listed([key('k1')]));
      await sut.syncUser('u1', NOW);
      expect(events.publish).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
    });

    it('should drop an authoritative attribute that Keycloak no longer has', async () => {
      keycloak.getUser.mockResolvedValue(alice({ attributes: {} }));
      keys.listByOwner.mockResolvedValue(listed([key('k1')]));
      await sut.syncUser('u1', NOW);
      expect(keys.update).toHaveBeenCalledWith('k1', expect.objectContaining({ config_json: '{"project":"p"}' }));
    });
  });
});
