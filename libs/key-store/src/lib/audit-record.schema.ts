import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { RevocationSource } from '@rs/key-domain';

export type AuditAction =
  | 'created'
  | 'renewed'
  | 'revoked'
  | 'expired'
  | 'user_disabled'
  | 'user_enabled'
  | 'roles_changed'
  | 'user_deleted'
  | 'rotated'
  | 'rotation_ended'
  | 'scopes_changed';

/** One lifecycle action on a key: who, what, when, why. Append-only. */
@Schema({ collection: 'api_key_audit', versionKey: false, _id: false })
export class AuditRecord {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  key_id!: string;

  @Prop({ required: true })
  user_id!: string;

  /** The user id of whoever acted, or `system:<component>`. */
  @Prop({ required: true })
  actor!: string;

  @Prop({ required: true })
  action!: AuditAction;

  @Prop({ type: String, default: null })
  reason!: string | null;

  /** On `revoked`, `expired` and `user_disabled` records: who or what stopped the key. */
  @Prop({ type: String, default: null })
  revoked_by!: RevocationSource | null;

  @Prop({ required: true })
  at!: Date;
}

export const AuditRecordSchema = SchemaFactory.createForClass(AuditRecord);
