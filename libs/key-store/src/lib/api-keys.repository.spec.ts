import type { Model } from 'mongoose';
import type { ApiKey, ApiKeyUsageTotal } from './api-key.schema';
import { ApiKeysRepository } from './api-keys.repository';

const NOW = new Date('2026-03-01T10:00:00Z');
const EXPIRATION = new Date('2026-02-28T10:00:00Z');

interface QueryChain {
  sort: jest.Mock;
  limit: jest.Mock;
  lean: jest.Mock;
  exec: jest.Mock;
}

/** A query chain whose exec() resolves `result`; every chained call is recorded. */
function chain(result: unknown): QueryChain {
  const query: QueryChain = {
    sort: jest.fn(() => query),
    limit: jest.fn(() => query),
    lean: jest.fn(() => query),
    exec: jest.fn(async () => result),
  };
  return query;
}

describe(ApiKeysRepository.name, () => {
  let sut: ApiKeysRepository;
  let keys: {
    find: jest.Mock;
    findOne: jest.Mock;
    updateOne: jest.Mock;
    updateMany: jest.Mock;
    findOneAndUpdate: jest.Mock;
    distinct: jest.Mock;
  };

  beforeEach(() => {
    keys = {
      find: jest.fn(() => chain([])),
      findOne: jest.fn(() => chain(null)),
      updateOne: jest.fn(() => chain({ modifiedCount: 1 })),
      updateMany: jest.fn(() => chain({ modifiedCount: 1 })),
      findOneAndUpdate: jest.fn(() => chain(null)),
      distinct: jest.fn(() => chain([])),
    };
    sut = new ApiKeysRepository(keys as unknown as Model<ApiKey>, {} as Model<ApiKeyUsageTotal>);
  });

  describe('update', () => {
    it('should re-arm expiry processing when a new expiration date is set', async () => {
      await sut.update('k1', { expiration_date: NOW, is_active: true });
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith(
        { _id: 'k1' },
        { $set: { expiration_date: NOW, is_active: true, expired_at: null, expiry_announced: null } },
        { new: true },
      );
    });

    it('should leave the expiry marker alone when the expiration date does not change', async () => {
      await sut.update('k1', { is_active: false });
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith({ _id: 'k1' }, { $set: { is_active: false } }, { new: true });
    });
  });

  /** The stored event of the update made by the findOneAndUpdate call number `call`. */
  function pushedEvent(call = 0): Record<string, unknown> {
    const update = keys.findOneAndUpdate.mock.calls[call][1] as { $push: { pending_events: { payload: string } } };
    return JSON.parse(update.$push.pending_events.payload) as Record<string, unknown>;
  }

  describe('changeState', () => {
    const key = { _id: 'k1', user_id: 'u1', is_active: true, state_version: 4 };
    const revoke = () => ({ set: { is_active: false }, event: () => ({ action: 'revoked' as const, actor: 'u1' }) });

    it('should bump the state version and store the event with it, in one update conditional on the version read', async () => {
      keys.findOne.mockReturnValue(chain(key));
      keys.findOneAndUpdate.mockReturnValue(chain({ ...key, is_active: false, state_version: 5 }));

      const change = await sut.changeState({ _id: 'k1' }, revoke, NOW);

      const [filter, update, options] = keys.findOneAndUpdate.mock.calls[0];
      expect(filter).toEqual({ _id: 'k1', state_version: 4 });
      expect(update).toMatchObject({ $set: { is_active: false, state_version: 5 } });
      expect(options).toEqual({ new: true });
      expect(pushedEvent()).toMatchObject({ action: 'revoked', key_id: 'k1', user_id: 'u1', state_version: 5 });
      expect(change).toMatchObject({ before: key, after: { state_version: 5 }, event: { key_id: 'k1' } });
    });

    it('should number a key stored before versions existed from 1', async () => {
      keys.findOne.mockReturnValue(chain({ ...key, state_version: undefined }));
      keys.findOneAndUpdate.mockReturnValue(chain({ ...key, state_version: 1 }));
      await sut.changeState({ _id: 'k1' }, revoke, NOW);
      expect(keys.findOneAndUpdate.mock.calls[0][0]).toEqual({ _id: 'k1', state_version: null });
      expect(pushedEvent()).toMatchObject({ state_version: 1 });
    });

    it('should read again and take the next version when another change landed in between', async () => {
      keys.findOne.mockReturnValueOnce(chain(key)).mockReturnValueOnce(chain({ ...key, state_version: 5 }));
      keys.findOneAndUpdate.mockReturnValueOnce(chain(null)).mockReturnValueOnce(chain({ ...key, state_version: 6 }));
      await sut.changeState({ _id: 'k1' }, revoke, NOW);
      expect(keys.findOneAndUpdate.mock.calls[1][0]).toEqual({ _id: 'k1', state_version: 5 });
      expect(pushedEvent(1)).toMatchObject({ state_version: 6 });
    });

    it('should write nothing when the change declines the key as it is', async () => {
      keys.findOne.mockReturnValue(chain({ ...key, is_active: false }));
      await expect(sut.changeState({ _id: 'k1' }, () => null, NOW)).resolves.toBeNull();
      expect(keys.findOneAndUpdate).not.toHaveBeenCalled();
    });
  });

  describe('revokeIfActive', () => {
    const event = () => ({ action: 'revoked' as const, actor: 'u1' });

    it('should revoke only a still active key of this owner, named by hash, recording who', async () => {
      keys.findOne.mockReturnValue(chain({ _id: 'k1', user_id: 'alice-id', is_active: true }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', is_active: false }));
      await expect(sut.revokeIfActive({ hash: 'h1' }, 'alice-id', NOW, 'owner', event)).resolves.toMatchObject({
        before: { _id: 'k1', is_active: true },
      });
      expect(keys.findOne).toHaveBeenCalledWith({ hash: 'h1', user_id: 'alice-id', is_active: true });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: { is_active: false, revoked_at: NOW, revoked_by: 'owner' },
      });
    });

    it('should look any owner’s key up by id for admins, and answer null for a key already revoked', async () => {
      await expect(sut.revokeIfActive({ keyId: 'k1' }, null, NOW, 'admin', event)).resolves.toBeNull();
      expect(keys.findOne).toHaveBeenCalledWith({ _id: 'k1', is_active: true });
      expect(keys.findOneAndUpdate).not.toHaveBeenCalled();
    });
  });

  describe('escalateRevocationToAdmin', () => {
    it('should turn only a revoked key not yet revoked by an admin into an admin revocation', async () => {
      keys.findOne.mockReturnValue(chain({ _id: 'k1', user_id: 'u1', is_active: false, revoked_by: 'owner' }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1' }));
      await sut.escalateRevocationToAdmin({ keyId: 'k1' }, () => ({ action: 'revoked', actor: 'admin' }), NOW);
      expect(keys.findOne).toHaveBeenCalledWith({ _id: 'k1', is_active: false, revoked_by: { $ne: 'admin' } });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({ $set: { revoked_by: 'admin' } });
    });
  });

  describe('renew', () => {
    const event = () => ({ action: 'renewed' as const, actor: 'u1' });

    it('should reactivate and re-arm expiry processing', async () => {
      keys.findOne.mockReturnValue(chain({ _id: 'k1', user_id: 'u1', is_active: false, revoked_by: 'owner' }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1' }));
      await sut.renew('k1', NOW, event, NOW);
      expect(keys.findOne).toHaveBeenCalledWith({ _id: 'k1', revoked_by: { $ne: 'admin' } });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: {
          is_active: true,
          revoked_at: null,
          revoked_by: null,
          never_expire: false,
          expiration_date: NOW,
          expired_at: null,
          expiry_announced: null,
        },
      });
    });

    it('should never renew a key an administrator revoked', async () => {
      await expect(sut.renew('k1', NOW, event, NOW)).resolves.toBeNull();
      expect(keys.findOneAndUpdate).not.toHaveBeenCalled();
    });
  });

  describe('findByHash', () => {
    it('should find a key by its current value first, and by the value a rotation replaced only then', async () => {
      keys.findOne.mockReturnValueOnce(chain(null)).mockReturnValueOnce(chain({ _id: 'k1' }));
      await expect(sut.findByHash('h-old')).resolves.toEqual({ _id: 'k1' });
      expect(keys.findOne.mock.calls).toEqual([[{ hash: 'h-old' }], [{ previous_hash: 'h-old' }]]);
    });

    it('should ask once when the value is the current one', async () => {
      keys.findOne.mockReturnValueOnce(chain({ _id: 'k1' }));
      await expect(sut.findByHash('h-1')).resolves.toEqual({ _id: 'k1' });
      expect(keys.findOne).toHaveBeenCalledTimes(1);
    });
  });

  describe('rotate', () => {
    const event = () => ({ action: 'rotated' as const, actor: 'u1', previous_secret_expires_at: GRACE_END });
    const GRACE_END = new Date('2026-03-02T10:00:00Z');
    const usable = { _id: 'k1', user_id: 'u1', hash: 'h-1', hint: 'rsk_1', is_active: true, user_active: true };

    it('should keep the replaced hash and hint with the end of their grace period, and re-arm its processing', async () => {
      keys.findOne.mockReturnValue(chain({ ...usable, never_expire: true, expiration_date: null, state_version: 4 }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', state_version: 5 }));
      await expect(sut.rotate('k1', { hash: 'h-2', hint: 'rsk_2' }, GRACE_END, event, NOW)).resolves.toMatchObject({
        after: { _id: 'k1' },
      });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: {
          hash: 'h-2',
          hint: 'rsk_2',
          previous_hash: 'h-1',
          previous_hint: 'rsk_1',
          previous_hash_expires_at: GRACE_END,
          previous_hash_ended_at: null,
          previous_end_announced: null,
          rotated_at: NOW,
          state_version: 5,
        },
      });
      expect(pushedEvent()).toMatchObject({
        action: 'rotated',
        state_version: 5,
        previous_secret_expires_at: GRACE_END.toISOString(),
      });
    });

    it.each([
      ['revoked', { is_active: false }],
      ['of a disabled owner', { user_active: false }],
      ['expired', { never_expire: false, expiration_date: EXPIRATION }],
    ])('should not rotate a key that is %s', async (_state, overrides) => {
      keys.findOne.mockReturnValue(chain({ ...usable, never_expire: true, expiration_date: null, ...overrides }));
      await expect(sut.rotate('k1', { hash: 'h-2', hint: 'rsk_2' }, GRACE_END, event, NOW)).resolves.toBeNull();
      expect(keys.findOneAndUpdate).not.toHaveBeenCalled();
    });
  });

  describe('setScopes', () => {
    const event = () => ({ action: 'scopes_changed' as const, actor: 'u1' });
    const usable = { _id: 'k1', user_id: 'u1', is_active: true, user_active: true, never_expire: true };

    it('should store the scopes and the roles with the next state version and its event', async () => {
      keys.findOne.mockReturnValue(chain({ ...usable, expiration_date: null, state_version: 2 }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', state_version: 3 }));
      await expect(sut.setScopes('k1', ['rs_a_read'], ['rs_a_read'], event, NOW)).resolves.toMatchObject({
        after: { _id: 'k1' },
      });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: { scopes: ['rs_a_read'], iam_roles: ['rs_a_read'], state_version: 3 },
      });
      expect(pushedEvent()).toMatchObject({ action: 'scopes_changed', state_version: 3 });
    });

    it('should store null scopes for a key made unscoped again', async () => {
      keys.findOne.mockReturnValue(chain({ ...usable, expiration_date: null, state_version: 2 }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', state_version: 3 }));
      await sut.setScopes('k1', null, ['rs_a_read', 'rs_b_read'], event, NOW);
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: { scopes: null, iam_roles: ['rs_a_read', 'rs_b_read'] },
      });
    });

    it.each([
      ['revoked', { is_active: false }],
      ['of a disabled owner', { user_active: false }],
      ['expired', { never_expire: false, expiration_date: EXPIRATION }],
    ])('should not change a key that is %s', async (_state, overrides) => {
      keys.findOne.mockReturnValue(chain({ ...usable, expiration_date: null, ...overrides }));
      await expect(sut.setScopes('k1', null, [], event, NOW)).resolves.toBeNull();
      expect(keys.findOneAndUpdate).not.toHaveBeenCalled();
    });
  });

  describe('claimGraceEnd', () => {
    const event = () => ({ action: 'rotation_ended' as const, actor: 'system:worker' });

    it('should claim only the grace period that was read, not one a later rotation set', async () => {
      keys.findOne.mockReturnValue(chain({ _id: 'k1', user_id: 'u1', state_version: 5 }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', state_version: 6 }));
      await sut.claimGraceEnd('k1', EXPIRATION, NOW, event);
      expect(keys.findOne).toHaveBeenCalledWith({
        _id: 'k1',
        previous_hash_expires_at: EXPIRATION,
        previous_hash_ended_at: null,
      });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: { previous_hash_ended_at: NOW, previous_end_announced: false, state_version: 6 },
      });
      expect(pushedEvent()).toMatchObject({ action: 'rotation_ended', state_version: 6 });
    });
  });

  describe('findExpiredUnprocessed', () => {
    it('should select active, expiring keys past their date and not processed yet', async () => {
      await sut.findExpiredUnprocessed(NOW, 50);
      expect(keys.find).toHaveBeenCalledWith({
        is_active: true,
        never_expire: false,
        expiration_date: { $ne: null, $lte: NOW },
        expired_at: null,
      });
    });
  });

  describe('claimExpiry', () => {
    const event = () => ({ action: 'expired' as const, actor: 'system:worker' });

    it('should claim, with the expired event, only while the key still has the expiration date that was read', async () => {
      keys.findOne.mockReturnValue(chain({ _id: 'k1', user_id: 'u1', state_version: 2 }));
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', state_version: 3 }));
      await expect(sut.claimExpiry('k1', EXPIRATION, NOW, event)).resolves.toMatchObject({ after: { _id: 'k1' } });
      expect(keys.findOne).toHaveBeenCalledWith({
        _id: 'k1',
        is_active: true,
        never_expire: false,
        expiration_date: EXPIRATION,
        expired_at: null,
      });
      expect(keys.findOneAndUpdate.mock.calls[0][1]).toMatchObject({
        $set: { expired_at: NOW, expiry_announced: false, revoked_by: 'expiry', state_version: 3 },
      });
      expect(pushedEvent()).toMatchObject({ action: 'expired', state_version: 3 });
    });

    it('should answer null when another run claimed it first', async () => {
      await expect(sut.claimExpiry('k1', EXPIRATION, NOW, event)).resolves.toBeNull();
    });
  });

  describe('claimExpiringNotice', () => {
    it('should claim once per expiration date, storing the notice with the claim and without a version', async () => {
      const key = { _id: 'k1', user_id: 'u1' } as ApiKey;
      const notice = await sut.claimExpiringNotice(key, EXPIRATION, () => ({ action: 'expiring', actor: 'w' }), NOW);
      const [filter, update] = keys.updateOne.mock.calls[0];
      expect(filter).toEqual({ _id: 'k1', expiration_date: EXPIRATION, expiring_notified_for: { $ne: EXPIRATION } });
      expect(update).toEqual({ $set: { expiring_notified_for: EXPIRATION }, $push: { pending_events: notice } });
      expect(JSON.parse(notice?.payload ?? '{}')).not.toHaveProperty('state_version');
    });

    it('should answer null when the notice was claimed already', async () => {
      keys.updateOne.mockReturnValueOnce(chain({ modifiedCount: 0 }));
      await expect(
        sut.claimExpiringNotice({ _id: 'k1' } as ApiKey, EXPIRATION, () => ({ action: 'expiring', actor: 'w' }), NOW),
      ).resolves.toBeNull();
    });
  });

  describe('forgetPendingEvents', () => {
    it('should remove acknowledged events from their keys, whole', async () => {
      const first = { event_id: 'e1', key_id: 'k1', payload: '{}', created_at: NOW };
      const second = { event_id: 'e2', key_id: 'k1', payload: '{}', created_at: NOW };
      await sut.forgetPendingEvents([first, second]);
      expect(keys.updateOne).toHaveBeenCalledWith({ _id: 'k1' }, { $pullAll: { pending_events: [first, second] } });
    });
  });

  describe('ownersWithActiveKeys', () => {
    it('should list each owner of a non-revoked key once, sorted', async () => {
      keys.distinct.mockReturnValueOnce(chain(['u2', 'u1']));
      await expect(sut.ownersWithActiveKeys()).resolves.toEqual(['u1', 'u2']);
      expect(keys.distinct).toHaveBeenCalledWith('user_id', { is_active: true });
    });
  });
});
