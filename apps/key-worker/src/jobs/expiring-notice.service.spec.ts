import type { ApiKeyRecord, ApiKeysRepository, LifecycleEventsPublisher } from '@rs/key-store';
import { MetricsService } from '@rs/service-kit';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import { ExpiringNoticeService } from './expiring-notice.service';

const NOW = new Date('2026-03-01T10:00:00Z');
const SOON = new Date('2026-03-02T10:00:00Z');
const config = loadKeyWorkerConfig({ KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret', EXPIRING_NOTICE_DAYS: '3' });

const key = (id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord =>
  ({
    _id: id,
    user_id: 'u1',
    is_active: true,
    never_expire: false,
    expiration_date: SOON,
    expiring_notified_for: null,
    ...overrides,
  }) as ApiKeyRecord;

describe(ExpiringNoticeService.name, () => {
  let sut: ExpiringNoticeService;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'findExpiringBetween' | 'claimExpiringNotice'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;

  beforeEach(() => {
    keys = {
      findExpiringBetween: jest.fn().mockResolvedValue([]),
      claimExpiringNotice: jest.fn(async (record, _date, event, now) => {
        const payload = JSON.stringify({ ...event(record), key_id: record._id, user_id: record.user_id });
        return { event_id: `e-${record._id}`, key_id: record._id, payload, created_at: now };
      }),
    };
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    sut = new ExpiringNoticeService(
      config,
      keys as unknown as ApiKeysRepository,
      events as unknown as LifecycleEventsPublisher,
      new MetricsService(),
    );
  });

  describe('run', () => {
    it('should announce once each key expiring within the configured days', async () => {
      keys.findExpiringBetween.mockResolvedValueOnce([key('k1'), key('k2', { expiring_notified_for: SOON })]);
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 1 });
      expect(keys.findExpiringBetween).toHaveBeenCalledWith(NOW, new Date('2026-03-04T10:00:00Z'), expect.any(Number));
      expect(keys.claimExpiringNotice).toHaveBeenCalledWith(key('k1'), SOON, expect.any(Function), NOW);
      const [[sent]] = events.publish.mock.calls;
      expect(sent.map((event) => JSON.parse(event.payload))).toEqual([
        {
          action: 'expiring',
          key_id: 'k1',
          user_id: 'u1',
          actor: 'system:key-worker',
          reason: `expires on ${SOON.toISOString()}`,
          expiration_date: SOON.toISOString(),
        },
      ]);
    });

    it('should announce a renewed key again for its new expiration date', async () => {
      keys.findExpiringBetween.mockResolvedValueOnce([
        key('k1', { expiring_notified_for: new Date('2026-02-01T00:00:00Z') }),
      ]);
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 1 });
    });

    it('should skip a key another run claimed', async () => {
      keys.findExpiringBetween.mockResolvedValueOnce([key('k1')]);
      keys.claimExpiringNotice.mockResolvedValueOnce(null);
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 0 });
      expect(events.publish).not.toHaveBeenCalled();
    });
  });
});
