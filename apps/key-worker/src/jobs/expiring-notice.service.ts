import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ApiKeyRecord, ApiKeysRepository, LifecycleEventsPublisher } from '@rs/key-store';
import { KeycloakAdminClient } from '@rs/keycloak-users';
import { errorMessage, MetricsService } from '@rs/service-kit';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { MailerService } from '../mail/mailer.service';
import { expiringKeyMail } from './expiring-notice-mail.util';
import { ExpiringNoticeMailsRepository, type PendingNoticeMail } from './expiring-notice-mails.repository';
import { WORKER_ACTOR } from './jobs.constants';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS_PER_RUN = 5000;
const MAX_MAILS_PER_RUN = 5000;

type MailOutcome = 'sent' | 'failed' | 'dropped';

/**
 * Announces keys expiring within EXPIRING_NOTICE_DAYS with an `expiring` lifecycle event, once per key
 * and expiration date (a renewed key is announced again for its new date), and, with SMTP configured, e-mails
 * the owner. A mail is recorded before its notice is claimed, sent after, and retried on each later run until
 * the relay accepts it, the key changes or its date passes (docs/security.md, Expiry notices by e-mail).
 */
@Injectable()
export class ExpiringNoticeService {
  private readonly logger = new Logger(ExpiringNoticeService.name);
  private readonly notices;
  private readonly mailOutcomes;

  constructor(
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
    private readonly keys: ApiKeysRepository,
    private readonly events: LifecycleEventsPublisher,
    private readonly mails: ExpiringNoticeMailsRepository,
    private readonly mailer: MailerService,
    private readonly keycloak: KeycloakAdminClient,
    metrics: MetricsService,
  ) {
    this.notices = metrics.counter('key_worker_expiring_notices_total', 'expiring events published');
    this.mailOutcomes = metrics.counter(
      'key_worker_expiring_notice_mails_total',
      'expiry notice e-mails: sent (the relay accepted it), failed (an attempt; retried unless permanent), dropped',
      ['outcome'],
    );
  }

  async run(now: Date): Promise<{ notified: number; mailed: number }> {
    const until = new Date(now.getTime() + this.config.EXPIRING_NOTICE_DAYS * DAY_MS);
    const soon = await this.keys.findExpiringBetween(now, until, MAX_KEYS_PER_RUN);
    if (soon.length === MAX_KEYS_PER_RUN)
      this.logger.warn(`More than ${MAX_KEYS_PER_RUN} keys expire soon; the rest are announced next run`);
    let notified = 0;
    for (const key of soon) {
      const expiration = key.expiration_date ? new Date(key.expiration_date) : null;
      const previous = key.expiring_notified_for ? new Date(key.expiring_notified_for) : null;
      if (!expiration || previous?.getTime() === expiration.getTime()) continue;
      // Recorded before the claim, so a run stopped between the two loses no mail (the next run claims it).
      if (this.mailer.enabled) await this.mails.record(key._id, expiration, now);
      const notice = await this.keys.claimExpiringNotice(
        key,
        expiration,
        () => ({
          action: 'expiring',
          actor: WORKER_ACTOR,
          reason: `expires on ${expiration.toISOString()}`,
          expiration_date: expiration,
        }),
        now,
      );
      if (!notice) continue;
      // Stored with the claim: if Kafka is slow, the relay sends it.
      await this.events.publish([notice]);
      notified++;
    }
    this.notices.inc(notified);
    const mailed = this.mailer.enabled ? await this.sendPendingMails(now) : 0;
    return { notified, mailed };
  }

  /** Sends the recorded mails whose notice went out; stops at the first sign that the relay or Keycloak is away. */
  private async sendPendingMails(now: Date): Promise<number> {
    let sent = 0;
    for (const mail of await this.mails.findPending(MAX_MAILS_PER_RUN)) {
      const key = await this.keys.findOwned(mail.key_id, null);
      const stale = key ? this.staleness(mail, key, now) : 'the key is gone';
      if (stale || !key) {
        await this.drop(mail, stale ?? 'the key is gone');
        continue;
      }
      // Not claimed yet (the run that recorded it stopped before): the next run claims and sends it.
      if (!sameTime(key.expiring_notified_for, mail.expiration_date)) continue;
      let to: { email?: string; username: string } | null;
      try {
        to = await this.keycloak.getUser(key.user_id);
      } catch (error) {
        this.logger.warn(`Expiry notice mails wait for Keycloak (next run): ${errorMessage(error)}`);
        break;
      }
      if (!to?.email) {
        await this.drop(mail, to ? 'the owner has no e-mail address in Keycloak' : 'the owner is gone from Keycloak');
        continue;
      }
      const outcome = await this.send(mail, key, { email: to.email, username: to.username });
      if (outcome === 'sent') sent++;
      if (outcome === 'relay-down') break;
    }
    return sent;
  }

  private async send(
    mail: PendingNoticeMail,
    key: ApiKeyRecord,
    owner: { email: string; username: string },
  ): Promise<MailOutcome | 'relay-down'> {
    const message = expiringKeyMail({
      to: owner.email,
      username: owner.username,
      keyName: key.name,
      keyHint: key.hint,
      expirationDate: mail.expiration_date,
      portalUrl: this.config.PORTAL_URL,
    });
    try {
      await this.mailer.send(message);
    } catch (error) {
      this.mailOutcomes.inc({ outcome: 'failed' });
      const failure = MailerService.failureOf(error);
      if (failure === 'permanent') {
        await this.mails.remove(mail._id);
        this.logger.warn(
          `Expiry notice mail of key ${key._id} refused by the relay, not retried: ${errorMessage(error)}`,
        );
        return 'failed';
      }
      await this.mails.recordFailure(mail._id, errorMessage(error));
      this.logger.warn(`Expiry notice mail of key ${key._id} not sent (retried next run): ${errorMessage(error)}`);
      return failure === 'relay' ? 'relay-down' : 'failed';
    }
    // A stop right here (accepted, not yet removed) is the one case that sends this mail twice.
    await this.mails.remove(mail._id);
    this.mailOutcomes.inc({ outcome: 'sent' });
    return 'sent';
  }

  /** Why a recorded mail is no longer worth sending, or null. */
  private staleness(mail: PendingNoticeMail, key: ApiKeyRecord, now: Date): string | null {
    if (mail.expiration_date.getTime() <= now.getTime()) return 'the key expired before it could be sent';
    if (!key.is_active || !key.user_active) return 'the key no longer works';
    if (key.never_expire || !sameTime(key.expiration_date, mail.expiration_date)) return 'the key was renewed';
    return null;
  }

  private async drop(mail: PendingNoticeMail, reason: string): Promise<void> {
    await this.mails.remove(mail._id);
    this.mailOutcomes.inc({ outcome: 'dropped' });
    this.logger.log(`Expiry notice mail ${mail._id} dropped: ${reason}`);
  }
}

function sameTime(date: Date | string | null | undefined, other: Date): boolean {
  return date !== null && date !== undefined && new Date(date).getTime() === other.getTime();
}
