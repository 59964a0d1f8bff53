import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** Collections of the usage aggregates (contract: written by the key worker, read by the key manager and reporting consumers). */
export const USAGE_HOURLY_COLLECTION = 'api_key_usage_hourly';
export const USAGE_DAILY_COLLECTION = 'api_key_usage_daily';
export const USAGE_TOTALS_COLLECTION = 'api_key_usage_totals';

/**
 * Counters of one usage bucket: key × service × method × route template × hour (or day).
 * Status classes: 1xx responses only count in `count`.
 */
export interface UsageCounters {
  count: number;
  count_2xx: number;
  count_3xx: number;
  count_4xx: number;
  count_5xx: number;
  latency_sum_ms: number;
  latency_max_ms: number;
}

/**
 * Fields shared by hour and day buckets. `applied` holds, per partition of the usage topic (`p<n>`), the
 * offset of the last event counted in this document: the worker's exactly-once watermark
 * (see docs/usage-pipeline.md). Readers ignore it.
 */
class UsageBucketBase implements UsageCounters {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  key_id!: string;

  @Prop({ required: true })
  user_id!: string;

  @Prop({ required: true })
  service!: string;

  @Prop({ required: true })
  method!: string;

  /** The route template (`/cadip/:station/session`), never a raw URL. */
  @Prop({ required: true })
  route!: string;

  @Prop({ default: 0 }) count!: number;
  @Prop({ default: 0 }) count_2xx!: number;
  @Prop({ default: 0 }) count_3xx!: number;
  @Prop({ default: 0 }) count_4xx!: number;
  @Prop({ default: 0 }) count_5xx!: number;
  @Prop({ default: 0 }) latency_sum_ms!: number;
  @Prop({ default: 0 }) latency_max_ms!: number;

  /** Latest `occurred_at` counted in this bucket. */
  @Prop({ type: Date, default: null })
  latest_query_date!: Date | null;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  applied!: Record<string, number>;

  @Prop({ type: Date, required: true })
  updated_at!: Date;
}

@Schema({ collection: USAGE_HOURLY_COLLECTION, versionKey: false, _id: false })
export class ApiKeyUsageHour extends UsageBucketBase {
  /** Start of the UTC hour. */
  @Prop({ type: Date, required: true })
  hour!: Date;
}

@Schema({ collection: USAGE_DAILY_COLLECTION, versionKey: false, _id: false })
export class ApiKeyUsageDay extends UsageBucketBase {
  /** Start of the UTC day. */
  @Prop({ type: Date, required: true })
  day!: Date;
}

export const ApiKeyUsageHourSchema = SchemaFactory.createForClass(ApiKeyUsageHour);
export const ApiKeyUsageDaySchema = SchemaFactory.createForClass(ApiKeyUsageDay);
