import type { ApiKeyRecord, ApiKeysRepository, AuditRepository, LifecycleEventsPublisher } from '@rs/key-store';
import type { KeycloakAdminClient, KeycloakUser } from './keycloak-admin.client';
import type { KeycloakUsersOptions } from './keycloak-users.options';
import { UserSyncService } from './user-sync.service';

const NOW = new Date('2026-03-01T10:00:00Z');
const options = { configAttributes: ['organization', 'quota'] } as KeycloakUsersOptions;

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    _id: id,
    hash: id,
    hint: 'h',
    name: id,
    user_id: 'u1',
    user_login: 'alice',
    user_active: true,
    is_active: true,
    never_expire: true,
    expiration_date: null,
    created_at: NOW,
    latest_sync_date: NOW,
    iam_roles: ['old_role'],
    config_json: '{"project":"p","organization":"stale"}',
    allowed_referers: [],
    revoked_at: null,
    ...overrides,
  };
}

describe(UserSyncService.name, () => {
  let sut: UserSyncService;
  let keycloak: jest.Mocked<Pick<KeycloakAdminClient, 'getUser'>>;
  let keys: jest.Mocked<
    Pick<ApiKeysRepository, 'listByOwner' | 'updateUserKeys' | 'update' | 'markUserDisabled' | 'revokeIfActive'>
  >;
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;

  beforeEach(() => {
    keycloak = { getUser: jest.fn() };
    keys = {
      listByOwner: jest.fn(async (_userId: string) => [key('k1'), key('k2', { user_active: false })]),
      updateUserKeys: jest.fn(),
      update: jest.fn(),
      markUserDisabled: jest.fn(),
      revokeIfActive: jest.fn(),
    };
    keys.revokeIfActive.mockImplementation(async (lookup) => key('keyId' in lookup ? lookup.keyId : lookup.hash));
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
      keys.listByOwner.mockResolvedValue([key('k1'), key('k2', { is_active: false })]);
      await expect(sut.syncUser('u1', NOW)).resolves.toEqual({ active: false, user: null });
      expect(keys.revokeIfActive).toHaveBeenCalledTimes(1);
      expect(keys.revokeIfActive).toHaveBeenCalledWith({ keyId: 'k1' }, 'u1', NOW, 'user_deleted');
      expect(keys.updateUserKeys).toHaveBeenCalledWith('u1', { user_active: false, latest_sync_date: NOW });
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'user_deleted', reason: 'user deleted from Keycloak' }),
      ]);
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ key_id: 'k1', action: 'user_deleted' })]);
    });

    it('should disable the keys of a disabled user and announce only the newly disabled ones', async () => {
      keycloak.getUser.mockResolvedValue(alice({ enabled: false }));
      await expect(sut.syncUser('u1', NOW)).resolves.toMatchObject({ active: false });
      expect(keys.updateUserKeys).toHaveBeenCalledWith('u1', { user_active: false, latest_sync_date: NOW });
      expect(keys.markUserDisabled).toHaveBeenCalledWith('u1', true);
      expect(keys.revokeIfActive).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'user_disabled', reason: 'user disabled in Keycloak' }),
      ]);
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ key_id: 'k1', action: 'user_disabled' })]);
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
      expect(keys.markUserDisabled).toHaveBeenCalledWith('u1', false);
      expect(audit.record).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ key_id: 'k2', action: 'user_enabled' })]);
      expect(events.publish).toHaveBeenCalledWith([expect.objectContaining({ key_id: 'k2', action: 'user_enabled' })]);
    });

    it('should announce roles_changed for the working keys whose roles Keycloak changed', async () => {
      keycloak.getUser.mockResolvedValue(alice({ realmRoles: ['new_role'] }));
      keys.listByOwner.mockResolvedValue([key('k1'), key('k3', { is_active: false })]);
      await sut.syncUser('u1', NOW);
      expect(keys.update).toHaveBeenCalledWith('k1', expect.objectContaining({ iam_roles: ['new_role'] }));
      expect(events.publish).toHaveBeenCalledTimes(1);
      expect(events.publish).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'roles_changed', actor: 'system:keycloak-sync' }),
      ]);
    });

    it('should announce nothing when nothing changed', async () => {
      keycloak.getUser.mockResolvedValue(alice());
      keys.listByOwner.mockResolvedValue([key('k1')]);
      await sut.syncUser('u1', NOW);
      expect(events.publish).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
    });

    it('should drop an authoritative attribute that Keycloak no longer has', async () => {
      keycloak.getUser.mockResolvedValue(alice({ attributes: {} }));
      keys.listByOwner.mockResolvedValue([key('k1')]);
      await sut.syncUser('u1', NOW);
      expect(keys.update).toHaveBeenCalledWith('k1', expect.objectContaining({ config_json: '{"project":"p"}' }));
    });
  });
});
