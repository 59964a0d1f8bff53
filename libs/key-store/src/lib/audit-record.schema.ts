import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { KEY_LIFECYCLE_ACTIONS, type KeyLifecycleAction } from '@rs/event-contracts';
import type { RevocationSource } from '@rs/key-domain';

/** Lifecycle actions that are no change of the key: a notice before expiry, the purge of a long-dead key. */
const UNAUDITED_ACTIONS = ['expiring', 'deleted'] as const;

/** What the audit trail records: every other lifecycle action. */
export type AuditAction = Exclude<KeyLifecycleAction, (typeof UNAUDITED_ACTIONS)[number]>;

export const AUDIT_ACTIONS: readonly AuditAction[] = KEY_LIFECYCLE_ACTIONS.filter(
  (action): action is AuditAction => !(UNAUDITED_ACTIONS as readonly string[]).includes(action),
);

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

  @Prop({ type: String, required: true })
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
