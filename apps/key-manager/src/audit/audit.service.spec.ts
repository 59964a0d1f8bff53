import { DomainErrorCode } from '@rs/key-domain';
import { domainErrorOf } from '@rs/key-domain/testing';
import type { ApiKeysRepository, AuditRecord, AuditRepository } from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import { AUDIT_TRAIL_LIMIT, AuditService } from './audit.service';

const KEY_ID = '6f1c1c4e-9a59-4d0b-9e37-1d8f6b1b2c3d';

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    _id: 'a1',
    key_id: KEY_ID,
    user_id: 'alice-id',
    actor: 'alice-id',
    action: 'created',
    reason: null,
    revoked_by: null,
    at: new Date('2026-03-01T10:00:00Z'),
    ...overrides,
  };
}

describe(AuditService.name, () => {
  let sut: AuditService;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'findOwned'>>;
  let audit: jest.Mocked<Pick<AuditRepository, 'forKey'>>;

  beforeEach(() => {
    keys = { findOwned: jest.fn() };
    audit = { forKey: jest.fn() };
    sut = new AuditService(keys as unknown as ApiKeysRepository, audit as unknown as AuditRepository);
  });

  describe('trail', () => {
    it("should return the key's records newest first as the repository gives them, with ISO times", async () => {
      keys.findOwned.mockResolvedValue(
        apiKeyRecord({ _id: KEY_ID, name: 'nb', user_id: 'alice-id', user_login: 'alice' }),
      );
      audit.forKey.mockResolvedValue([
        auditRecord({
          action: 'revoked',
          actor: 'admin-id',
          reason: 'leaked',
          revoked_by: 'admin',
          at: new Date('2026-03-02T08:00:00Z'),
        }),
        auditRecord(),
      ]);

      await expect(sut.trail(KEY_ID, 'alice-id')).resolves.toEqual({
        key_id: KEY_ID,
        name: 'nb',
        user_id: 'alice-id',
        user_login: 'alice',
        records: [
          {
            action: 'revoked',
            actor: 'admin-id',
            reason: 'leaked',
            revoked_by: 'admin',
            time: '2026-03-02T08:00:00.000Z',
          },
          { action: 'created', actor: 'alice-id', reason: null, revoked_by: null, time: '2026-03-01T10:00:00.000Z' },
        ],
      });
      expect(keys.findOwned).toHaveBeenCalledWith(KEY_ID, 'alice-id');
      expect(audit.forKey).toHaveBeenCalledWith(KEY_ID, AUDIT_TRAIL_LIMIT);
    });

    it('should give null for reason and revoked_by when a record lacks them', async () => {
      keys.findOwned.mockResolvedValue(apiKeyRecord({ _id: KEY_ID }));
      const { reason: _reason, revoked_by: _revokedBy, ...bare } = auditRecord({ action: 'expired' });
      audit.forKey.mockResolvedValue([bare as AuditRecord]);

      const trail = await sut.trail(KEY_ID, null);

      expect(trail.records).toEqual([expect.objectContaining({ action: 'expired', reason: null, revoked_by: null })]);
    });

    it('should look the key up without an owner filter when an administrator asks', async () => {
      keys.findOwned.mockResolvedValue(apiKeyRecord({ _id: KEY_ID }));
      audit.forKey.mockResolvedValue([]);

      await sut.trail(KEY_ID, null);

      expect(keys.findOwned).toHaveBeenCalledWith(KEY_ID, null);
    });

    it("should answer KEY_NOT_FOUND without reading the audit when the key is not the caller's", async () => {
      keys.findOwned.mockResolvedValue(null);

      const error = await domainErrorOf(sut.trail(KEY_ID, 'bob-id'));

      expect(error.code).toBe(DomainErrorCode.KEY_NOT_FOUND);
      expect(audit.forKey).not.toHaveBeenCalled();
    });
  });
});
