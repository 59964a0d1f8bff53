import type { ApiKeyRecord } from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import { RotationGraceService } from './rotation-grace.service';
import { createDatedEndJob, RECOVERY_AFTER_MS, useDatedEndMocks } from './testing/dated-end-job.test-helper';

const NOW = new Date('2026-03-01T10:00:00Z');
const GRACE_END = new Date('2026-03-01T09:00:00Z');

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({
    _id: id,
    hash: id,
    user_id: 'u1',
    previous_hash: `${id}-old`,
    previous_hash_expires_at: GRACE_END,
    previous_hash_ended_at: null,
    ...overrides,
  });
}

describe(RotationGraceService.name, () => {
  const mocks = useDatedEndMocks(key);
  const { keys, audit, events, published } = mocks;
  let sut: RotationGraceService;

  beforeEach(() => {
    sut = createDatedEndJob(RotationGraceService, mocks);
  });

  describe('run', () => {
    it('should claim, audit and announce each grace period that is over', async () => {
      keys.findEndedGracesUnprocessed.mockResolvedValueOnce([key('k1')]);
      await expect(sut.run(NOW)).resolves.toEqual({ ended: 1, recovered: 0 });
      expect(keys.claimGraceEnd).toHaveBeenCalledWith('k1', GRACE_END, NOW, expect.any(Function));
      expect(audit.record).toHaveBeenCalledWith([
        expect.objectContaining({ key_id: 'k1', action: 'rotation_ended', actor: 'system:key-worker', at: NOW }),
      ]);
      expect(published()).toEqual([
        expect.objectContaining({
          action: 'rotation_ended',
          key_id: 'k1',
          previous_secret_expires_at: GRACE_END.toISOString(),
        }),
      ]);
      expect(keys.markGraceEndAnnounced).toHaveBeenCalledWith('k1', NOW);
    });

    it('should leave an end to whoever claimed it first when two runs overlap', async () => {
      keys.findEndedGracesUnprocessed.mockResolvedValueOnce([key('k1')]);
      keys.claimGraceEnd.mockResolvedValueOnce(null);
      await expect(sut.run(NOW)).resolves.toEqual({ ended: 0, recovered: 0 });
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should finish the audit of ends a stopped run had claimed', async () => {
      const claimedAt = new Date(NOW.getTime() - 5 * 60_000);
      keys.findUnannouncedGraceEnds.mockResolvedValueOnce([
        key('k9', { previous_hash_ended_at: claimedAt, previous_end_announced: false }),
      ]);
      await expect(sut.run(NOW)).resolves.toEqual({ ended: 0, recovered: 1 });
      expect(keys.findUnannouncedGraceEnds).toHaveBeenCalledWith(
        new Date(NOW.getTime() - RECOVERY_AFTER_MS),
        expect.any(Number),
      );
      expect(audit.record).toHaveBeenCalledWith([expect.objectContaining({ action: 'rotation_ended', key_id: 'k9' })]);
      expect(published()).toEqual([]);
      expect(keys.markGraceEndAnnounced).toHaveBeenCalledWith('k9', claimedAt);
    });
  });
});
