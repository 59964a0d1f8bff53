import type { ApiKeyRecord, ApiKeysRepository, LifecycleEventsPublisher } from '@rs/key-store';
import type { KeycloakAdminClient, KeycloakUser } from '@rs/keycloak-users';
import { MetricsService } from '@rs/service-kit';
import { loadKeyWorkerConfig } from '../config/key-worker.config';
import { MailerService, type MailTransport } from '../mail/mailer.service';
import type { ExpiringNoticeMailsRepository, PendingNoticeMail } from './expiring-notice-mails.repository';
import { ExpiringNoticeService } from './expiring-notice.service';

const NOW = new Date('2026-03-01T10:00:00Z');
const SOON = new Date('2026-03-02T10:00:00Z');
const SECRET = { KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret', EXPIRING_NOTICE_DAYS: '3' };
const config = loadKeyWorkerConfig(SECRET);
const mailConfig = loadKeyWorkerConfig({
  ...SECRET,
  SMTP_HOST: '127.0.0.1',
  SMTP_SECURITY: 'none',
  SMTP_FROM: 'keys@example.org',
  PORTAL_URL: 'https://rs.example.org',
});

const key = (id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord =>
  ({
    _id: id,
    name: `key ${id}`,
    hint: `rsk_${id}…`,
    user_id: 'u1',
    is_active: true,
    user_active: true,
    never_expire: false,
    expiration_date: SOON,
    expiring_notified_for: null,
    ...overrides,
  }) as ApiKeyRecord;

const alice = (overrides: Partial<KeycloakUser> = {}): KeycloakUser => ({
  id: 'u1',
  username: 'alice',
  enabled: true,
  email: 'alice@example.org',
  attributes: {},
  realmRoles: [],
  ...overrides,
});

/** The pending mails collection in memory. */
class FakeMails {
  readonly rows = new Map<string, PendingNoticeMail>();
  record = jest.fn(async (keyId: string, expiration: Date, now: Date) => {
    const id = `${keyId}:${expiration.toISOString()}`;
    if (!this.rows.has(id))
      this.rows.set(id, {
        _id: id,
        key_id: keyId,
        expiration_date: expiration,
        created_at: now,
        attempts: 0,
        last_error: null,
      });
  });
  findPending = jest.fn(async () => [...this.rows.values()]);
  remove = jest.fn(async (id: string) => void this.rows.delete(id));
  recordFailure = jest.fn(async (id: string, error: string) => {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, attempts: row.attempts + 1, last_error: error });
  });
}

describe(ExpiringNoticeService.name, () => {
  let stored: Map<string, ApiKeyRecord>;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'findExpiringBetween' | 'claimExpiringNotice' | 'findOwned'>>;
  let events: jest.Mocked<Pick<LifecycleEventsPublisher, 'publish'>>;
  let mails: FakeMails;
  let transport: jest.Mocked<MailTransport>;
  let keycloak: jest.Mocked<Pick<KeycloakAdminClient, 'getUser'>>;
  let metrics: MetricsService;

  const build = (withMail: boolean) =>
    new ExpiringNoticeService(
      withMail ? mailConfig : config,
      keys as unknown as ApiKeysRepository,
      events as unknown as LifecycleEventsPublisher,
      mails as unknown as ExpiringNoticeMailsRepository,
      new MailerService(withMail ? transport : null, withMail ? mailConfig : config),
      keycloak as unknown as KeycloakAdminClient,
      metrics,
    );
  const expiring = (...records: ApiKeyRecord[]) => {
    for (const record of records) stored.set(record._id, record);
    keys.findExpiringBetween.mockResolvedValueOnce(records);
  };
  const mailMetric = async (outcome: string) => {
    const counter = metrics.registry.getSingleMetric('key_worker_expiring_notice_mails_total');
    const values = counter ? (await counter.get()).values : [];
    return values.find((value) => value.labels['outcome'] === outcome)?.value ?? 0;
  };

  beforeEach(() => {
    stored = new Map();
    keys = {
      findExpiringBetween: jest.fn().mockResolvedValue([]),
      claimExpiringNotice: jest.fn(async (record, date, event, now) => {
        const current = stored.get(record._id);
        if (current) stored.set(record._id, { ...current, expiring_notified_for: date });
        const payload = JSON.stringify({ ...event(record), key_id: record._id, user_id: record.user_id });
        return { event_id: `e-${record._id}`, key_id: record._id, payload, created_at: now };
      }),
      findOwned: jest.fn(async (keyId: string, _owner: string | null) => stored.get(keyId) ?? null),
    };
    events = { publish: jest.fn().mockResolvedValue(undefined) };
    mails = new FakeMails();
    transport = { sendMail: jest.fn().mockResolvedValue({ messageId: 'm1' }), close: jest.fn() };
    keycloak = { getUser: jest.fn().mockResolvedValue(alice()) };
    metrics = new MetricsService();
  });

  describe('run', () => {
    it('should announce once each key expiring within the configured days', async () => {
      const sut = build(false);
      keys.findExpiringBetween.mockResolvedValueOnce([key('k1'), key('k2', { expiring_notified_for: SOON })]);
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 1, mailed: 0 });
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
      await expect(build(false).run(NOW)).resolves.toEqual({ notified: 1, mailed: 0 });
    });

    it('should skip a key another run claimed', async () => {
      keys.findExpiringBetween.mockResolvedValueOnce([key('k1')]);
      keys.claimExpiringNotice.mockResolvedValueOnce(null);
      await expect(build(false).run(NOW)).resolves.toEqual({ notified: 0, mailed: 0 });
      expect(events.publish).not.toHaveBeenCalled();
    });

    it('should keep the notice an event only when SMTP is not configured', async () => {
      expiring(key('k1'));
      await expect(build(false).run(NOW)).resolves.toEqual({ notified: 1, mailed: 0 });
      expect(mails.record).not.toHaveBeenCalled();
      expect(mails.findPending).not.toHaveBeenCalled();
      expect(keycloak.getUser).not.toHaveBeenCalled();
    });

    it('should e-mail the owner once with the key’s name, hint and end date when SMTP is configured', async () => {
      const sut = build(true);
      expiring(key('k1'));
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 1, mailed: 1 });
      // Recorded before the claim: a run stopped between the two leaves the mail for the next one.
      expect(mails.record.mock.invocationCallOrder[0]).toBeLessThan(
        keys.claimExpiringNotice.mock.invocationCallOrder[0],
      );
      expect(keycloak.getUser).toHaveBeenCalledWith('u1');
      expect(transport.sendMail).toHaveBeenCalledTimes(1);
      const [[sent]] = transport.sendMail.mock.calls;
      expect(sent).toMatchObject({ from: 'keys@example.org', to: 'alice@example.org' });
      expect(sent.subject).toContain('"key k1"');
      expect(sent.text).toContain('(rsk_k1…) expires on 2026-03-02 10:00 UTC');
      expect(sent.text).toContain('https://rs.example.org');
      expect(mails.rows.size).toBe(0);
      expect(await mailMetric('sent')).toBe(1);

      keys.findExpiringBetween.mockResolvedValueOnce([...stored.values()]);
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 0, mailed: 0 });
      expect(transport.sendMail).toHaveBeenCalledTimes(1);
    });

    it('should publish the event and retry the mail on a later run when the relay is away', async () => {
      const sut = build(true);
      expiring(key('k1'), key('k2'));
      transport.sendMail.mockRejectedValueOnce(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' }),
      );
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 2, mailed: 0 });
      expect(events.publish).toHaveBeenCalledTimes(2);
      // The relay is away: the run stops trying after the first failure.
      expect(transport.sendMail).toHaveBeenCalledTimes(1);
      expect([...mails.rows.values()].map((mail) => [mail.key_id, mail.attempts])).toEqual([
        ['k1', 1],
        ['k2', 0],
      ]);
      expect(await mailMetric('failed')).toBe(1);

      await expect(sut.run(new Date(NOW.getTime() + 3_600_000))).resolves.toEqual({ notified: 0, mailed: 2 });
      expect(transport.sendMail).toHaveBeenCalledTimes(3);
      expect(mails.rows.size).toBe(0);
    });

    it('should go on with the next mail after one the relay refuses for good, and not retry it', async () => {
      const sut = build(true);
      expiring(key('k1'), key('k2'));
      transport.sendMail.mockRejectedValueOnce(
        Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550 }),
      );
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 2, mailed: 1 });
      expect(mails.rows.size).toBe(0);
      expect(await mailMetric('failed')).toBe(1);
    });

    it('should drop the mail of a key renewed, revoked or expired before it could be sent', async () => {
      const sut = build(true);
      await mails.record('renewed', SOON, NOW);
      await mails.record('revoked', SOON, NOW);
      await mails.record('gone', SOON, NOW);
      await mails.record('past', new Date(NOW.getTime() - 1), NOW);
      stored.set('renewed', key('renewed', { expiration_date: new Date('2026-06-01T00:00:00Z') }));
      stored.set('revoked', key('revoked', { is_active: false, expiring_notified_for: SOON }));
      await expect(sut.run(NOW)).resolves.toEqual({ notified: 0, mailed: 0 });
      expect(transport.sendMail).not.toHaveBeenCalled();
      expect(mails.rows.size).toBe(0);
      expect(await mailMetric('dropped')).toBe(4);
    });

    it('should drop the mail of an owner without an e-mail address', async () => {
      keycloak.getUser.mockResolvedValueOnce(alice({ email: undefined }));
      expiring(key('k1'));
      await expect(build(true).run(NOW)).resolves.toEqual({ notified: 1, mailed: 0 });
      expect(transport.sendMail).not.toHaveBeenCalled();
      expect(mails.rows.size).toBe(0);
    });

    it('should keep the mails for the next run when Keycloak does not answer', async () => {
      keycloak.getUser.mockRejectedValue(new Error('Keycloak unavailable'));
      expiring(key('k1'), key('k2'));
      await expect(build(true).run(NOW)).resolves.toEqual({ notified: 2, mailed: 0 });
      expect(keycloak.getUser).toHaveBeenCalledTimes(1);
      expect(mails.rows.size).toBe(2);
    });

    it('should wait for the claim of a mail recorded by a run that stopped before claiming', async () => {
      await mails.record('k1', SOON, NOW);
      stored.set('k1', key('k1'));
      await expect(build(true).run(NOW)).resolves.toEqual({ notified: 0, mailed: 0 });
      expect(transport.sendMail).not.toHaveBeenCalled();
      expect(mails.rows.size).toBe(1);
    });
  });
});
