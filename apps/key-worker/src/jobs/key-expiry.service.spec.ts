import type { ApiKeyRecord } from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import { KeyExpiryService } from './key-expiry.service';
import { createDatedEndJob, RECOVERY_AFTER_MS, useDatedEndMocks } from './testing/dated-end-job.test-helper';

const NOW = new Date('2026-03-01T10:00:00Z');
const PAST = new Date('2026-03-01T09:00:00Z');

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const past = { expiration_date: PAST, created_at: PAST, latest_sync_date: PAST };
  return apiKeyRecord({ _id: id, hash: id, name: id, user_id: 'u1', ...past, expired_at: null, ...overrides });
}

describe(KeyExpiryService.name, () => {
  const mocks = useDatedEndMocks(key);
  const { keys, audit, events, published } = mocks;
  let sut: KeyExpiryService;

  beforeEach(() => {
    sut = createDatedEndJob(KeyExpiryService, mocks);
  });

  describe('run', () => {
    it('should mark, audit and announce each key whose expiration date has passed', async () => {
      keys.findExpiredUnprocessed.mockResolvedValueOnce([key('k1'), key('k2')]);
      await expect(sut.run(NOW)).resolves.toEqual({ expired: 2, recovered: 0 });
      expect(keys.claimExpiry).toHaveBeenCalledWith('k1', PAST, NOW, expect.any(Function));
      expect(audit.record).toHaveBeenCalledWith([
        {
          id: `expired:k1:${NOW.toISOString()}`,
          key_id: 'k1',
          user_id: 'u1',
          actor: 'system:key-worker',
          action: 'expired',
          reason: `expired on ${PAST.toISOString()}`,
          at: NOW,
        },
        {
          id: `expired:k2:${NOW.toISOString()}`,
          key_id: 'k2',
          user_id: 'u1',
          actor: 'system:key-worker',
          action: 'expired',
          reason: `expired on ${PAST.toISOString()}`,
          at: NOW,
        },
      ]);
      expect(published()).toEqual([
        expect.objectContaining({
          action: 'expired',
          key_id: 'k1',
          actor: 'system:key-worker',
          expiration_date: PAST.toISOString(),
        }),
        expect.objectContaining({ action: 'expired', key_id: 'k2' }),
      ]);
      expect(keys.markExpiryAnnounced).toHaveBeenCalledWith('k1', NOW);
      expect(keys.markExpiryAnnounced).toHaveBeenCalledWith('k2', NOW);
    });

    it('should leave a key to whoever claimed it first when two runs overlap', async () => {
      keys.findExpiredUnprocessed.mockResolvedValueOnce([key('k1'), key('k2')]);
      keys.claimExpiry.mockResolvedValueOnce(null);
      await expect(sut.run(NOW)).resolves.toEqual({ expired: 1, recovered: 0 });
      expect(published()).toEqual([expect.objectContaining({ key_id: 'k2' })]);
    });

    it('should do nothing when every expired key was processed already', async () => {
      await expect(sut.run(NOW)).resolves.toEqual({ expired: 0, recovered: 0 });
      expect(audit.record).not.toHaveBeenCalled();
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should finish announcing expiries a stopped run had claimed', async () => {
      const claimedAt = new Date(NOW.getTime() - 5 * 60_000);
      keys.findUnannouncedExpiries.mockResolvedValueOnce([
        key('k9', { expired_at: claimedAt, expiry_announced: false }),
      ]);
      await expect(sut.run(NOW)).resolves.toEqual({ expired: 0, recovered: 1 });
      expect(keys.findUnannouncedExpiries).toHaveBeenCalledWith(
        new Date(NOW.getTime() - RECOVERY_AFTER_MS),
        expect.any(Number),
      );
      // Its event was stored with the claim and is the relay's: only the audit record is written again.
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ action: 'expired', key_id: 'k9' })]);
      expect(published()).toEqual([]);
      expect(keys.markExpiryAnnounced).toHaveBeenCalledWith('k9', claimedAt);
    });

    it('should fail without marking the announcement done when the audit record cannot be stored', async () => {
      keys.findExpiredUnprocessed.mockResolvedValueOnce([key('k1')]);
      audit.record.mockRejectedValueOnce(new Error('database down'));
      await expect(sut.run(NOW)).rejects.toThrow('database down');
      expect(keys.markExpiryAnnounced).not.toHaveBeenCalled();
    });
  });
});
