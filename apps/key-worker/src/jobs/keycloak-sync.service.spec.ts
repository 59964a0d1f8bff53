import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { ApiKeysRepository } from '@rs/key-store';
import type { UserSyncService } from '@rs/keycloak-users';
import { MetricsService } from '@rs/service-kit';
import { KeycloakSyncService } from './keycloak-sync.service';

const NOW = new Date('2026-03-01T10:00:00Z');

describe(KeycloakSyncService.name, () => {
  let sut: KeycloakSyncService;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'ownersWithActiveKeys'>>;
  let users: jest.Mocked<Pick<UserSyncService, 'syncUser'>>;

  beforeEach(() => {
    keys = { ownersWithActiveKeys: jest.fn().mockResolvedValue(['u1', 'u2', 'u3']) };
    users = { syncUser: jest.fn().mockResolvedValue({ active: true, user: null }) };
    sut = new KeycloakSyncService(
      keys as unknown as ApiKeysRepository,
      users as unknown as UserSyncService,
      new MetricsService(),
    );
  });

  describe('run', () => {
    it('should sync every owner of an active key and count the users found disabled', async () => {
      users.syncUser
        .mockResolvedValueOnce({ active: true, user: null })
        .mockResolvedValueOnce({ active: false, user: null });
      await expect(sut.run(NOW)).resolves.toEqual({ users: 3, active: 2, inactive: 1, failed: 0 });
      expect(users.syncUser.mock.calls).toEqual([
        ['u1', NOW],
        ['u2', NOW],
        ['u3', NOW],
      ]);
    });

    it('should go on with the other users when one user fails', async () => {
      users.syncUser.mockRejectedValueOnce(new Error('bad attribute'));
      await expect(sut.run(NOW)).resolves.toEqual({ users: 3, active: 2, inactive: 0, failed: 1 });
    });

    it('should fail the run, to be retried with backoff, when Keycloak is unreachable', async () => {
      users.syncUser.mockRejectedValueOnce(
        new DomainError(DomainErrorCode.DEPENDENCY_UNAVAILABLE, 'Keycloak is unreachable'),
      );
      await expect(sut.run(NOW)).rejects.toThrow('Keycloak is unreachable');
      expect(users.syncUser).toHaveBeenCalledTimes(1);
    });
  });
});
