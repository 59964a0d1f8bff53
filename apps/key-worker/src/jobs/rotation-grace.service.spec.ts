import type {
  ApiKeyRecord,
  ApiKeysRepository,
  AuditRepository,
  KeyEventOf,
  LifecycleEventsPublisher,
} from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import { MetricsService } from '@rs/service-kit';
import { RotationGraceService } from './rotation-grace.service';

const RECOVERY_AFTER_MS = 60_000;
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
  let sut: RotationGraceService;
  let keys: jest.Mocked<
    Pick<
      ApiKeysRepository,
      'findUnannouncedGraceEnds' | 'findEndedGracesUnprocessed' | 'claimGraceEnd' | 'markGraceEndAnnounced'
    >
  >;
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;

  const published = () =>
    events.publish.mock.calls.flatMap(([sent]) => sent.map((event) => JSON.parse(event.payload) as object));

  beforeEach(() => {
    keys = {
      findUnannouncedGraceEnds: jest.fn().mockResolvedValue([]),
      findEndedGracesUnprocessed: jest.fn().mockResolvedValue([]),
      claimGraceEnd: jest.fn(async (keyId: string, _end: Date, _now: Date, event: KeyEventOf) => {
        const announced = { ...event(key(keyId)), key_id: keyId, user_id: 'u1' };
        const pending = { event_id: `e-${keyId}`, key_id: keyId, payload: JSON.stringify(announced), created_at: NOW };
        return { before: key(keyId), after: key(keyId), announced, event: pending };
      }),
      markGraceEndAnnounced: jest.fn().mockResolvedValue(undefined),
    };
    audit = { record: jest.fn().mockResolvedValue(undefined) };
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    sut = new RotationGraceService(
      keys as unknown as ApiKeysRepository,
      audit as unknown as AuditRepository,
      events as unknown as LifecycleEventsPublisher,
      new MetricsService(),
      { KEY_EXPIRY_RECOVERY_AFTER_MS: RECOVERY_AFTER_MS },
    );
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
