import type {
  ApiKeyRecord,
  ApiKeysRepository,
  AuditRepository,
  KeyEventOf,
  LifecycleEventsPublisher,
} from '@rs/key-store';
import { apiKeyRecord } from '@rs/key-store/testing';
import { MetricsService } from '@rs/service-kit';
import { KeyExpiryService } from './key-expiry.service';

const RECOVERY_AFTER_MS = 60_000;

const NOW = new Date('2026-03-01T10:00:00Z');
const PAST = new Date('2026-03-01T09:00:00Z');

function key(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const past = { expiration_date: PAST, created_at: PAST, latest_sync_date: PAST };
  return apiKeyRecord({ _id: id, hash: id, name: id, user_id: 'u1', ...past, expired_at: null, ...overrides });
}

describe(KeyExpiryService.name, () => {
  let sut: KeyExpiryService;
  let keys: jest.Mocked<
    Pick<
      ApiKeysRepository,
      'findUnannouncedExpiries' | 'findExpiredUnprocessed' | 'claimExpiry' | 'markExpiryAnnounced'
    >
  >;
  let audit: jest.Mocked<Pick<AuditRepository, 'record'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;

  /** The published events, as announced. */
  const published = () =>
    events.publish.mock.calls.flatMap(([sent]) => sent.map((event) => JSON.parse(event.payload) as object));

  beforeEach(() => {
    keys = {
      findUnannouncedExpiries: jest.fn().mockResolvedValue([]),
      findExpiredUnprocessed: jest.fn().mockResolvedValue([]),
      claimExpiry: jest.fn(async (keyId: string, _date: Date, _now: Date, event: KeyEventOf) => {
        const announced = { ...event(key(keyId)), key_id: keyId, user_id: 'u1' };
        const pending = { event_id: `e-${keyId}`, key_id: keyId, payload: JSON.stringify(announced), created_at: NOW };
        return { before: key(keyId), after: key(keyId), announced, event: pending };
      }),
      markExpiryAnnounced: jest.fn().mockResolvedValue(undefined),
    };
    audit = { record: jest.fn().mockResolvedValue(undefined) };
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    sut = new KeyExpiryService(
      keys as unknown as ApiKeysRepository,
      audit as unknown as AuditRepository,
      events as unknown as LifecycleEventsPublisher,
      new MetricsService(),
      { KEY_EXPIRY_RECOVERY_AFTER_MS: RECOVERY_AFTER_MS },
    );
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
