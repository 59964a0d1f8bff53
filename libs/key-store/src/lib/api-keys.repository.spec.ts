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
    updateOne: jest.Mock;
    updateMany: jest.Mock;
    findOneAndUpdate: jest.Mock;
    distinct: jest.Mock;
  };

  beforeEach(() => {
    keys = {
      find: jest.fn(() => chain([])),
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

  describe('revokeIfActive', () => {
    it('should revoke only a still active key of this owner, named by hash, and return it as it was', async () => {
      keys.findOneAndUpdate.mockReturnValue(chain({ _id: 'k1', is_active: true }));
      await expect(sut.revokeIfActive({ hash: 'h1' }, 'alice-id', NOW)).resolves.toMatchObject({
        _id: 'k1',
        is_active: true,
      });
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith(
        { hash: 'h1', user_id: 'alice-id', is_active: true },
        { $set: { is_active: false, revoked_at: NOW, revoked_by: 'owner' } },
        { new: false },
      );
    });

    it('should look any owner’s key up by id for admins and record the admin as the revoker', async () => {
      await expect(sut.revokeIfActive({ keyId: 'k1' }, null, NOW, 'admin')).resolves.toBeNull();
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith(
        { _id: 'k1', is_active: true },
        { $set: { is_active: false, revoked_at: NOW, revoked_by: 'admin' } },
        { new: false },
      );
    });
  });

  describe('escalateRevocationToAdmin', () => {
    it('should turn only a revoked key not yet revoked by an admin into an admin revocation', async () => {
      await sut.escalateRevocationToAdmin({ keyId: 'k1' });
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith(
        { _id: 'k1', is_active: false, revoked_by: { $ne: 'admin' } },
        { $set: { revoked_by: 'admin' } },
        { new: false },
      );
    });
  });

  describe('renew', () => {
    it('should reactivate and re-arm expiry processing, never for an admin-revoked key', async () => {
      await sut.renew('k1', NOW);
      expect(keys.findOneAndUpdate).toHaveBeenCalledWith(
        { _id: 'k1', revoked_by: { $ne: 'admin' } },
        {
          $set: {
            is_active: true,
            revoked_at: null,
            revoked_by: null,
            never_expire: false,
            expiration_date: NOW,
            expired_at: null,
            expiry_announced: null,
          },
        },
        { new: true },
      );
    });
  });

  describe('markUserDisabled', () => {
    it('should mark only the keys that worked, and clear only its own mark when the user is back', async () => {
      await sut.markUserDisabled('u1', true);
      expect(keys.updateMany).toHaveBeenLastCalledWith(
        { user_id: 'u1', is_active: true, revoked_by: null },
        { $set: { revoked_by: 'user_disabled' } },
      );
      await sut.markUserDisabled('u1', false);
      expect(keys.updateMany).toHaveBeenLastCalledWith(
        { user_id: 'u1', revoked_by: 'user_disabled' },
        { $set: { revoked_by: null } },
      );
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
    it('should claim only while the key still has the expiration date that was read', async () => {
      await expect(sut.claimExpiry('k1', EXPIRATION, NOW)).resolves.toBe(true);
      expect(keys.updateOne).toHaveBeenCalledWith(
        { _id: 'k1', is_active: true, never_expire: false, expiration_date: EXPIRATION, expired_at: null },
        { $set: { expired_at: NOW, expiry_announced: false, revoked_by: 'expiry' } },
      );
    });

    it('should report false when another run claimed it first', async () => {
      keys.updateOne.mockReturnValueOnce(chain({ modifiedCount: 0 }));
      await expect(sut.claimExpiry('k1', EXPIRATION, NOW)).resolves.toBe(false);
    });
  });

  describe('claimExpiringNotice', () => {
    it('should claim once per expiration date', async () => {
      await expect(sut.claimExpiringNotice('k1', EXPIRATION)).resolves.toBe(true);
      expect(keys.updateOne).toHaveBeenCalledWith(
        { _id: 'k1', expiration_date: EXPIRATION, expiring_notified_for: { $ne: EXPIRATION } },
        { $set: { expiring_notified_for: EXPIRATION } },
      );
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
