import type { Model } from 'mongoose';
import type { AuditRecord } from './audit-record.schema';
import { type AuditEntry, AuditRepository, revocationSourceOf } from './audit.repository';

const NOW = new Date('2026-03-01T10:00:00Z');

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return { key_id: 'k1', user_id: 'alice-id', actor: 'alice-id', action: 'revoked', at: NOW, ...overrides };
}

describe(AuditRepository.name, () => {
  describe('revocationSourceOf', () => {
    it.each([
      [entry({ action: 'expired', actor: 'system:key-worker' }), 'expiry'],
      [entry({ action: 'user_disabled', actor: 'system:keycloak-sync' }), 'user_disabled'],
      [entry({ action: 'revoked' }), 'owner'],
      [entry({ action: 'revoked', actor: 'admin-id' }), 'admin'],
      [entry({ action: 'revoked', actor: 'alice-id', revoked_by: 'admin' }), 'admin'],
      [entry({ action: 'created' }), null],
      [entry({ action: 'renewed' }), null],
    ])('should record who stopped the key for %p', (given, expected) => {
      expect(revocationSourceOf(given)).toBe(expected);
    });
  });

  describe('record', () => {
    it('should store revoked_by on every record, derived when the writer did not give it', async () => {
      const records = { insertMany: jest.fn() };
      const sut = new AuditRepository(records as unknown as Model<AuditRecord>);
      await sut.record([entry({ action: 'expired', actor: 'system:key-worker' })]);
      expect(records.insertMany).toHaveBeenCalledWith(
        [expect.objectContaining({ action: 'expired', revoked_by: 'expiry', reason: null, _id: expect.any(String) })],
        { ordered: false },
      );
    });

    it('should write an entry with an id under that id, and ignore writing it again', async () => {
      const duplicate = Object.assign(new Error('E11000 duplicate key'), {
        code: 11000,
        writeErrors: [{ code: 11000 }],
      });
      const records = { insertMany: jest.fn().mockResolvedValueOnce([]).mockRejectedValueOnce(duplicate) };
      const sut = new AuditRepository(records as unknown as Model<AuditRecord>);
      const once = entry({ action: 'expired', id: 'expired:k1:2026-03-01T10:00:00.000Z' });
      await sut.record([once]);
      await expect(sut.record([once])).resolves.toBeUndefined();
      expect(records.insertMany.mock.calls[0][0]).toEqual([
        expect.objectContaining({ _id: 'expired:k1:2026-03-01T10:00:00.000Z', action: 'expired' }),
      ]);
      expect(records.insertMany.mock.calls[0][0][0]).not.toHaveProperty('id');
    });

    it('should fail on any other write error', async () => {
      const records = { insertMany: jest.fn().mockRejectedValue(Object.assign(new Error('down'), { code: 6 })) };
      const sut = new AuditRepository(records as unknown as Model<AuditRecord>);
      await expect(sut.record([entry({ action: 'renewed' })])).rejects.toThrow('down');
    });
  });
});
