import { Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import type { Model } from 'mongoose';
import type { AdminEventsCursor } from './admin-events-cursor.schema';
import { AdminEventsFollower, affectedUser } from './admin-events.follower';
import type { KeycloakAdminClient, KeycloakAdminEvent } from './keycloak-admin.client';
import type { SyncedUser, UserSyncService } from './user-sync.service';

const NOW = new Date('2026-03-01T10:00:00Z');

function event(id: string, time: number, resourcePath: string, overrides: Partial<KeycloakAdminEvent> = {}) {
  return { id, time, operationType: 'UPDATE', resourceType: 'USER', resourcePath, ...overrides } as KeycloakAdminEvent;
}

/** The cursor collection in memory: findById().lean().exec() and updateOne().exec(). */
function cursorStore(initial: AdminEventsCursor | null) {
  const store = { cursor: initial };
  const model = {
    findById: () => ({ lean: () => ({ exec: async () => store.cursor }) }),
    updateOne: (_filter: unknown, update: { $set: { time: number; ids: string[] } }) => ({
      exec: async () => {
        store.cursor = { _id: 'admin-events', ...update.$set };
      },
    }),
  } as unknown as Model<AdminEventsCursor>;
  return { store, model };
}

describe(AdminEventsFollower.name, () => {
  let keycloak: jest.Mocked<Pick<KeycloakAdminClient, 'adminEvents'>>;
  let users: jest.Mocked<Pick<UserSyncService, 'syncUser'>>;
  let events: KeycloakAdminEvent[];

  function follower(cursor: AdminEventsCursor | null) {
    const { store, model } = cursorStore(cursor);
    const sut = new AdminEventsFollower(
      keycloak as unknown as KeycloakAdminClient,
      users as unknown as UserSyncService,
      model,
    );
    return { sut, store };
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    events = [];
    keycloak = {
      adminEvents: jest.fn(async (from: number, first: number, max: number) =>
        events.filter((candidate) => candidate.time >= from).slice(first, first + max),
      ),
    };
    users = {
      syncUser: jest.fn(async (_userId: string, _now: Date): Promise<SyncedUser> => ({ active: true, user: null })),
    };
  });

  it('should only place the cursor at the first poll', async () => {
    events = [event('e1', 1, 'users/u1')];
    const { sut, store } = follower(null);
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 0, users: 0 });
    expect(store.cursor).toMatchObject({ time: NOW.getTime(), ids: [] });
    expect(users.syncUser).not.toHaveBeenCalled();
  });

  it('should sync each touched user once, then move the cursor past the events read', async () => {
    events = [
      event('e1', 10, 'users/u1'),
      event('e2', 11, 'users/u2/role-mappings/realm', { resourceType: 'REALM_ROLE_MAPPING', operationType: 'DELETE' }),
      event('e3', 12, 'users/u1', { operationType: 'DELETE' }),
      event('e4', 12, 'clients/c1', { resourceType: 'CLIENT' }),
    ];
    const { sut, store } = follower({ _id: 'admin-events', time: 5, ids: [] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 4, users: 2 });
    expect(users.syncUser.mock.calls).toEqual([
      ['u1', NOW],
      ['u2', NOW],
    ]);
    expect(store.cursor).toMatchObject({ time: 12, ids: ['e3', 'e4'] });
  });

  it('should not read an event twice when others share its time', async () => {
    events = [event('e1', 10, 'users/u1'), event('e2', 10, 'users/u2')];
    const { sut, store } = follower({ _id: 'admin-events', time: 10, ids: ['e1'] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 1, users: 1 });
    expect(users.syncUser).toHaveBeenCalledWith('u2', NOW);
    expect(store.cursor).toMatchObject({ time: 10, ids: ['e1', 'e2'] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 0, users: 0 });
  });

  it('should read every page of a backlog', async () => {
    events = Array.from({ length: 250 }, (_, index) => event(`e${index}`, 100 + index, `users/u${index}`));
    const { sut, store } = follower({ _id: 'admin-events', time: 0, ids: [] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 250, users: 250 });
    expect(keycloak.adminEvents).toHaveBeenCalledTimes(3);
    expect(store.cursor?.time).toBe(349);
  });

  it('should keep the cursor when Keycloak is unavailable, so the next poll reads the events again', async () => {
    events = [event('e1', 10, 'users/u1')];
    users.syncUser.mockRejectedValueOnce(new DomainError(DomainErrorCode.DEPENDENCY_UNAVAILABLE, 'Keycloak down'));
    const { sut, store } = follower({ _id: 'admin-events', time: 5, ids: [] });
    await expect(sut.poll(NOW)).rejects.toThrow('Keycloak down');
    expect(store.cursor).toMatchObject({ time: 5, ids: [] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 1, users: 1 });
  });

  it('should go on past a user whose sync fails for another reason', async () => {
    events = [event('e1', 10, 'users/u1'), event('e2', 11, 'users/u2')];
    users.syncUser.mockRejectedValueOnce(new Error('bad attribute'));
    const { sut, store } = follower({ _id: 'admin-events', time: 5, ids: [] });
    await expect(sut.poll(NOW)).resolves.toEqual({ events: 2, users: 2 });
    expect(store.cursor?.time).toBe(11);
  });

  describe(affectedUser.name, () => {
    it.each([
      ['USER', 'UPDATE', 'users/u1', 'u1'],
      ['USER', 'DELETE', 'users/u1', 'u1'],
      ['USER', 'CREATE', 'users/u1', null],
      ['REALM_ROLE_MAPPING', 'CREATE', 'users/u1/role-mappings/realm', 'u1'],
      ['CLIENT_ROLE_MAPPING', 'DELETE', 'users/u1/role-mappings/clients/c1', 'u1'],
      ['GROUP_MEMBERSHIP', 'CREATE', 'users/u1/groups/g1', 'u1'],
      ['REALM_ROLE_MAPPING', 'CREATE', 'groups/g1/role-mappings/realm', null],
      ['CLIENT', 'UPDATE', 'clients/c1', null],
    ] as const)('%s %s %s -> %s', (resourceType, operationType, resourcePath, expected) => {
      expect(affectedUser(event('e', 1, resourcePath, { resourceType, operationType }))).toBe(expected);
    });
  });
});
