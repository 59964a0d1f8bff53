import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { type AuditAction, AuditRecord } from './audit-record.schema';

export interface AuditEntry {
  key_id: string;
  user_id: string;
  actor: string;
  action: AuditAction;
  reason?: string | null;
  at: Date;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectModel(AuditRecord.name) private readonly records: Model<AuditRecord>) {}

  async ensureIndexes(): Promise<void> {
    await this.records.collection.createIndex({ key_id: 1, at: -1 });
    await this.records.collection.createIndex({ user_id: 1, at: -1 });
  }

  async record(entries: AuditEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.records.insertMany(entries.map((entry) => ({ _id: randomUUID(), reason: null, ...entry })));
  }

  async forKey(keyId: string, limit = 100): Promise<AuditRecord[]> {
    return this.records.find({ key_id: keyId }).sort({ at: -1 }).limit(limit).lean().exec();
  }
}
