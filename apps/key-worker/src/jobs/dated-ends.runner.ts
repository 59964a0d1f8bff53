import {
  type ApiKeyRecord,
  type ApiKeysRepository,
  auditAndPublish,
  type AuditRepository,
  type LifecycleEventsPublisher,
  type PendingLifecycleEvent,
  type StoredKeyChange,
} from '@rs/key-store';
import { WORKER_ACTOR } from './jobs.constants';

const PAGE_SIZE = 200;
const MAX_PAGES_PER_RUN = 50;

/** One kind of dated end the worker makes final (a key's expiry, a rotated-out value's grace period). */
export interface DatedEnd {
  action: 'expired' | 'rotation_ended';
  /** Keys past their end and not claimed yet, oldest end first. */
  findDue(now: Date, limit: number): Promise<ApiKeyRecord[]>;
  /** Compare-and-set claim that stores the lifecycle event with it; null when another run was first. */
  claim(key: ApiKeyRecord, now: Date, reason: string): Promise<StoredKeyChange | null> | null;
  /** Keys claimed before `claimedBefore` whose audit records were never written (a run stopped half-way). */
  findUnannounced(claimedBefore: Date, limit: number): Promise<ApiKeyRecord[]>;
  claimedAt(key: ApiKeyRecord): Date | null | undefined;
  markAnnounced(keyId: string, claimedAt: Date): Promise<void>;
  reasonOf(key: ApiKeyRecord): string;
}

export interface DatedEndsResult {
  ended: number;
  /** Announcements finished for ends claimed by an earlier run that stopped half-way. */
  recovered: number;
}

/**
 * Makes dated ends final: claims each due key (with its lifecycle event, in the same write), records the end in the
 * audit trail and publishes the event at once, so every guard drops what it cached. Claims are compare-and-set, so
 * overlapping or repeated runs process each end once; ends claimed more than `recoveryAfterMs` ago without their
 * audit records (a run that stopped half-way) are announced again.
 */
export class DatedEndsRunner {
  constructor(
    private readonly audit: AuditRepository,
    private readonly events: LifecycleEventsPublisher,
    private readonly recoveryAfterMs: number,
  ) {}

  async run(end: DatedEnd, now: Date): Promise<DatedEndsResult> {
    const unfinished = await end.findUnannounced(new Date(now.getTime() - this.recoveryAfterMs), PAGE_SIZE);
    // Their events were stored with the claim (the relay sends them): only the audit records are missing.
    for (const key of unfinished) await this.announce(end, [key], [], end.claimedAt(key) ?? now);
    let ended = 0;
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const due = await end.findDue(now, PAGE_SIZE);
      const claimed: ApiKeyRecord[] = [];
      const events: PendingLifecycleEvent[] = [];
      for (const key of due) {
        const change = await end.claim(key, now, end.reasonOf(key));
        if (!change) continue;
        claimed.push(key);
        events.push(change.event);
      }
      await this.announce(end, claimed, events, now);
      ended += claimed.length;
      if (due.length < PAGE_SIZE) break;
    }
    return { ended, recovered: unfinished.length };
  }

  private async announce(
    end: DatedEnd,
    keys: readonly ApiKeyRecord[],
    events: readonly PendingLifecycleEvent[],
    claimedAt: Date,
  ): Promise<void> {
    if (!keys.length) return;
    await auditAndPublish(
      this.audit,
      this.events,
      keys.map((key) => ({
        // One record per claim, however often a stopped run's claim is announced again.
        id: `${end.action}:${key._id}:${claimedAt.toISOString()}`,
        key_id: key._id,
        user_id: key.user_id,
        actor: WORKER_ACTOR,
        action: end.action,
        reason: end.reasonOf(key),
        at: claimedAt,
      })),
      events,
    );
    for (const key of keys) await end.markAnnounced(key._id, claimedAt);
  }
}

/** A key past its expiration date. */
export function keyExpiry(keys: ApiKeysRepository): DatedEnd {
  return {
    action: 'expired',
    findDue: (now, limit) => keys.findExpiredUnprocessed(now, limit),
    claim: (key, now, reason) =>
      key.expiration_date
        ? keys.claimExpiry(key._id, key.expiration_date, now, () => ({
            action: 'expired',
            actor: WORKER_ACTOR,
            reason,
            expiration_date: key.expiration_date,
          }))
        : null,
    findUnannounced: (claimedBefore, limit) => keys.findUnannouncedExpiries(claimedBefore, limit),
    claimedAt: (key) => key.expired_at,
    markAnnounced: (keyId, claimedAt) => keys.markExpiryAnnounced(keyId, claimedAt),
    reasonOf: (key) =>
      `expired on ${key.expiration_date ? new Date(key.expiration_date).toISOString() : 'its expiration date'}`,
  };
}

/** A value replaced by a rotation, past its grace period (the check refuses it by date already: this makes it final). */
export function rotationGraceEnd(keys: ApiKeysRepository): DatedEnd {
  return {
    action: 'rotation_ended',
    findDue: (now, limit) => keys.findEndedGracesUnprocessed(now, limit),
    claim: (key, now, reason) => {
      const graceEnd = key.previous_hash_expires_at;
      return graceEnd
        ? keys.claimGraceEnd(key._id, graceEnd, now, () => ({
            action: 'rotation_ended',
            actor: WORKER_ACTOR,
            reason,
            previous_secret_expires_at: new Date(graceEnd),
          }))
        : null;
    },
    findUnannounced: (claimedBefore, limit) => keys.findUnannouncedGraceEnds(claimedBefore, limit),
    claimedAt: (key) => key.previous_hash_ended_at,
    markAnnounced: (keyId, claimedAt) => keys.markGraceEndAnnounced(keyId, claimedAt),
    reasonOf: (key) => {
      const end = key.previous_hash_expires_at ? new Date(key.previous_hash_expires_at).toISOString() : 'its end';
      return `value replaced by a rotation stopped working on ${end}`;
    },
  };
}
