import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { USAGE_DAILY_COLLECTION, USAGE_HOURLY_COLLECTION, type UsageCounters } from '@rs/key-store';
import type { Connection } from 'mongoose';

export type UsageGranularity = 'hour' | 'day';

/** One stored bucket as the report needs it (contract: written by the key worker, see @rs/key-store). */
export interface UsageBucketRow extends UsageCounters {
  service: string;
  method: string;
  route: string;
  start: Date;
}

const SOURCES: Record<UsageGranularity, { collection: string; field: 'hour' | 'day' }> = {
  hour: { collection: USAGE_HOURLY_COLLECTION, field: 'hour' },
  day: { collection: USAGE_DAILY_COLLECTION, field: 'day' },
};

/** Reads the usage aggregates with plain finds; sums are made in code (the local Mongo-wire DB has no $max accumulator). */
@Injectable()
export class UsageRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  /** Buckets of one key starting in [from, to). */
  async buckets(keyId: string, granularity: UsageGranularity, from: Date, to: Date): Promise<UsageBucketRow[]> {
    const { collection, field } = SOURCES[granularity];
    const rows = await this.connection
      .collection(collection)
      .find({ key_id: keyId, [field]: { $gte: from, $lt: to } }, { projection: { applied: 0 } })
      .toArray();
    return rows.map((row) => ({
      service: String(row['service']),
      method: String(row['method']),
      route: String(row['route']),
      start: row[field] as Date,
      count: Number(row['count'] ?? 0),
      count_2xx: Number(row['count_2xx'] ?? 0),
      count_3xx: Number(row['count_3xx'] ?? 0),
      count_4xx: Number(row['count_4xx'] ?? 0),
      count_5xx: Number(row['count_5xx'] ?? 0),
      latency_sum_ms: Number(row['latency_sum_ms'] ?? 0),
      latency_max_ms: Number(row['latency_max_ms'] ?? 0),
    }));
  }
}
