import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

export const EXPIRING_NOTICE_MAILS_COLLECTION = 'expiring_notice_mails';

/** An expiry notice e-mail not sent yet: one per key and expiration date (the id), deleted once sent or dropped. */
export interface PendingNoticeMail {
  _id: string;
  key_id: string;
  expiration_date: Date;
  created_at: Date;
  attempts: number;
  last_error: string | null;
}

/** The only class touching the pending expiry notice e-mails (a handful at a time: no index needed). */
@Injectable()
export class ExpiringNoticeMailsRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Records the mail of this key and date; recording it again changes nothing. */
  async record(keyId: string, expirationDate: Date, now: Date): Promise<void> {
    await this.collection().updateOne(
      { _id: mailId(keyId, expirationDate) },
      {
        $setOnInsert: {
          key_id: keyId,
          expiration_date: expirationDate,
          created_at: now,
          attempts: 0,
          last_error: null,
        },
      },
      { upsert: true },
    );
  }

  /** The oldest pending mails first. */
  async findPending(limit: number): Promise<PendingNoticeMail[]> {
    return this.collection().find({}).sort({ created_at: 1 }).limit(limit).toArray();
  }

  /** Sent, or no longer worth sending. */
  async remove(id: string): Promise<void> {
    await this.collection().deleteOne({ _id: id });
  }

  async recordFailure(id: string, error: string): Promise<void> {
    await this.collection().updateOne({ _id: id }, { $inc: { attempts: 1 }, $set: { last_error: error } });
  }

  private collection(): Collection<PendingNoticeMail> {
    return this.connection.collection(EXPIRING_NOTICE_MAILS_COLLECTION) as unknown as Collection<PendingNoticeMail>;
  }
}

export function mailId(keyId: string, expirationDate: Date): string {
  return `${keyId}:${expirationDate.toISOString()}`;
}
