import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { RevocationSource } from '@rs/key-domain';

/**
 * A stored API key. The value itself is never stored: only its HMAC (`hash`) and a non-secret `hint`.
 * `config` is kept as JSON text because the local Mongo-wire DB refuses some shapes (nested arrays,
 * dotted keys) that a user's config may legally contain.
 */
@Schema({ collection: 'api_keys', versionKey: false, _id: false })
export class ApiKey {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  hash!: string;

  @Prop({ required: true })
  hint!: string;

  @Prop({ required: true })
  name!: string;

  @Prop({ required: true })
  user_id!: string;

  @Prop({ required: true })
  user_login!: string;

  @Prop({ required: true })
  user_active!: boolean;

  @Prop({ required: true })
  is_active!: boolean;

  @Prop({ required: true })
  never_expire!: boolean;

  @Prop({ type: Date, default: null })
  expiration_date!: Date | null;

  @Prop({ required: true })
  created_at!: Date;

  @Prop({ required: true })
  latest_sync_date!: Date;

  /** The roles the key carries now: its owner's at the last sync, limited to `scopes` when it has some. */
  @Prop({ type: [String], default: [] })
  iam_roles!: string[];

  /** The roles the key was limited to at creation; null (or absent): every role of its owner. */
  @Prop({ type: [String], default: undefined })
  scopes?: string[] | null;

  @Prop({ required: true, default: '{}' })
  config_json!: string;

  @Prop({ type: [String], default: [] })
  allowed_referers!: string[];

  /** Requests per UTC minute the guards allow this key; null (or absent): no per-minute limit. */
  @Prop({ type: Number, default: null })
  rate_limit_per_minute?: number | null;

  @Prop({ type: Date, default: null })
  revoked_at!: Date | null;

  /**
   * Why the key last stopped working (owner or admin revocation, expiry, owner disabled); null while it works.
   * An admin's revocation is never overwritten by a later reason, and makes the key unrenewable.
   */
  @Prop({ type: String, default: null })
  revoked_by?: RevocationSource | null;

  /**
   * Set by the key worker when it processed the expiry of the current expiration_date (audit + `expired`
   * event); cleared whenever a new expiration_date is set. The check refuses expired keys by date anyway.
   */
  @Prop({ type: Date, default: null })
  expired_at?: Date | null;

  /** false between the worker's claim of an expiry and the audit record + event being stored. */
  @Prop({ type: Boolean, default: null })
  expiry_announced?: boolean | null;

  /** The expiration_date for which the `expiring` notice went out (one notice per key per date). */
  @Prop({ type: Date, default: null })
  expiring_notified_for?: Date | null;

  /** When the key's value was last replaced by a rotation; null (or absent) when never. */
  @Prop({ type: Date, default: null })
  rotated_at?: Date | null;

  /**
   * The HMAC of the value the last rotation replaced (never the value), its hint, and the end of its grace period:
   * the check accepts that value until then. Overwritten by the next rotation.
   */
  @Prop({ type: String, default: null })
  previous_hash?: string | null;

  @Prop({ type: String, default: null })
  previous_hint?: string | null;

  @Prop({ type: Date, default: null })
  previous_hash_expires_at?: Date | null;

  /** Set by the key worker once it announced the end of the grace period (audit + `rotation_ended` event). */
  @Prop({ type: Date, default: null })
  previous_hash_ended_at?: Date | null;

  /** false between the worker's claim of a grace end and its audit record being stored. */
  @Prop({ type: Boolean, default: null })
  previous_end_announced?: boolean | null;

  /**
   * Bumped by every state change of the key, in the same write, and carried by the change's lifecycle event, so
   * consumers can tell an event older than what they hold. Absent on keys stored before it existed (read as 0).
   */
  @Prop({ type: Number })
  state_version?: number;

  /**
   * The key's outbox: lifecycle events written in the same update as the change they announce (so a crash
   * cannot separate them), removed once Kafka acknowledged them; the publisher's relay sends what is left.
   */
  @Prop({ type: [Object], default: undefined })
  pending_events?: PendingLifecycleEvent[];
}

/** A lifecycle event stored on its key until Kafka acknowledges it. Field order matters: removal matches whole. */
export interface PendingLifecycleEvent {
  event_id: string;
  key_id: string;
  /** The event as published (JSON of KeyLifecycleEventV1). */
  payload: string;
  created_at: Date;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);

/** Usage totals written by the key worker from the usage stream (contract: see docs/architecture.md). */
@Schema({ collection: 'api_key_usage_totals', versionKey: false, _id: false })
export class ApiKeyUsageTotal {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ default: 0 })
  total_queries!: number;

  @Prop({ type: Date, default: null })
  latest_query_date!: Date | null;
}

export const ApiKeyUsageTotalSchema = SchemaFactory.createForClass(ApiKeyUsageTotal);
