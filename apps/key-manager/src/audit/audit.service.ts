import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { ApiKeysRepository, AuditRepository } from '@rs/key-store';
import type { AuditTrailDto } from './dto/audit-trail.dto';

/** How many of a key's most recent audit records a trail shows. */
export const AUDIT_TRAIL_LIMIT = 100;

/** A key's audit trail: who created, renewed, rotated, revoked or expired it, and why. */
@Injectable()
export class AuditService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** The trail of one key; `ownerId` null (an administrator) reaches any key, otherwise someone else's is "not found". */
  async trail(keyId: string, ownerId: string | null): Promise<AuditTrailDto> {
    const key = await this.keys.findOwned(keyId, ownerId);
    if (!key) throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found');
    const records = await this.audit.forKey(key._id, AUDIT_TRAIL_LIMIT);
    return {
      key_id: key._id,
      name: key.name,
      user_id: key.user_id,
      user_login: key.user_login,
      records: records.map((record) => ({
        action: record.action,
        actor: record.actor,
        reason: record.reason ?? null,
        revoked_by: record.revoked_by ?? null,
        time: new Date(record.at).toISOString(),
      })),
    };
  }
}
