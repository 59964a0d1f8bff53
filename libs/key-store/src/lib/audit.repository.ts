import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { RevocationSource } from '@rs/key-domain';
import { randomUUID } from 'node:crypto';
import { type AuditAction, AuditRecord } from './audit-record.schema';

export interface AuditEntry {
  key_id: string;
  user_id: string;
  actor: string;
  action: AuditAction;
  reason?: string | null;
  /** Derived from the action when absent (see revocationSourceOf). */
  revoked_by?: RevocationSource | null;
  at: Date;
  /**
   * The record's id when the same entry may be written again (a job that re-announces what a stopped run
   * claimed): a second write of it is then ignored. Random otherwise.
   */
  id?: string;
}

/** Whether a failed insert failed only on ids that exist already. */
function onlyDuplicates(error: unknown): boolean {
  type WriteError = { code?: number; err?: { code?: number } };
  const { code, writeErrors } = error as { code?: number; writeErrors?: WriteError[] };
  // The driver's WriteError has `code`; mongoose's insertMany reports `{ err: { code }, index }`.
  return Array.isArray(writeErrors) && writeErrors.length
    ? writeErrors.every((writeError) => (writeError.code ?? writeError.err?.code) === DUPLICATE_KEY)
    : code === DUPLICATE_KEY;
}

const DUPLICATE_KEY = 11000;

/**
 * Who stopped the key, for the actions that stop one: writers that predate the field (the key worker's
 * expiry) get it without passing it. A revocation without one is the owner's when they acted themselves.
 */
export function revocationSourceOf(entry: AuditEntry): RevocationSource | null {
  if (entry.revoked_by !== undefined) return entry.revoked_by;
  if (entry.action === 'expired') return 'expiry';
  if (entry.action === 'user_disabled') return 'user_disabled';
  if (entry.action === 'user_deleted') return 'user_deleted';
  if (entry.action === 'revoked') return entry.actor === entry.user_id ? 'owner' : 'admin';
  return null;
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
    const records = entries.map(({ id, ...entry }) => ({
      _id: id ?? randomUUID(),
      reason: null,
      ...entry,
      revoked_by: revocationSourceOf(entry),
    }));
    try {
      await this.records.insertMany(records, { ordered: false });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
    }
  }

  async forKey(keyId: string, limit = 100): Promise<AuditRecord[]> {
    return this.records.find({ key_id: keyId }).sort({ at: -1 }).limit(limit).lean().exec();
  }
}
