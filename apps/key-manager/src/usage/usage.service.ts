import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@rs/key-domain';
import { ApiKeysRepository, CLOCK, type Clock, type UsageCounters } from '@rs/key-store';
import type { UsageBucketDto, UsageCountersDto, UsageReportDto, UsageRouteDto } from './dto/usage-report.dto';
import { type UsageBucketRow, type UsageGranularity, UsageRepository } from './usage.repository';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_SPAN_MS: Record<UsageGranularity, number> = { hour: DAY_MS, day: 30 * DAY_MS };
const MAX_SPAN_MS: Record<UsageGranularity, number> = { hour: 31 * DAY_MS, day: 366 * DAY_MS };
const BUCKET_MS: Record<UsageGranularity, number> = { hour: HOUR_MS, day: DAY_MS };

export interface UsageCaller {
  user_id: string;
  is_admin: boolean;
}

export interface UsageRequest {
  id: string;
  from?: string;
  to?: string;
  granularity?: UsageGranularity;
}

/** A key's usage over a time range, from the worker's aggregates. Owners see their keys; admins any key. */
@Injectable()
export class UsageService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly usage: UsageRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(caller: UsageCaller, request: UsageRequest): Promise<UsageReportDto> {
    const granularity = request.granularity ?? 'day';
    const to = request.to ? new Date(request.to) : this.clock();
    const requestedFrom = request.from ? new Date(request.from) : new Date(to.getTime() - DEFAULT_SPAN_MS[granularity]);
    if (requestedFrom.getTime() >= to.getTime())
      throw DomainError.invalidParameter('from', "Query parameter 'from' must be before 'to'");
    if (to.getTime() - requestedFrom.getTime() > MAX_SPAN_MS[granularity]) {
      throw DomainError.invalidParameter(
        'from',
        `The range may span at most ${MAX_SPAN_MS[granularity] / DAY_MS} days with granularity '${granularity}'`,
      );
    }
    const from = new Date(Math.floor(requestedFrom.getTime() / BUCKET_MS[granularity]) * BUCKET_MS[granularity]);
    // Someone else's key is "not found", as everywhere in the key manager.
    const key = await this.keys.findOwned(request.id, caller.is_admin ? null : caller.user_id);
    if (!key) throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'No such API key among yours');
    const rows = await this.usage.buckets(key._id, granularity, from, to);
    return {
      key_id: key._id,
      name: key.name,
      user_id: key.user_id,
      granularity,
      from: from.toISOString(),
      to: to.toISOString(),
      total: toDto(sum(rows)),
      buckets: groupBy(rows, (row) => row.start.toISOString())
        .map(([start, group]): UsageBucketDto => ({ start, ...toDto(sum(group)) }))
        .sort((a, b) => a.start.localeCompare(b.start)),
      routes: groupBy(rows, (row) => JSON.stringify([row.service, row.method, row.route]))
        .map(
          ([, group]): UsageRouteDto => ({
            service: group[0].service,
            method: group[0].method,
            route: group[0].route,
            ...toDto(sum(group)),
          }),
        )
        .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route)),
    };
  }
}

function sum(rows: readonly UsageCounters[]): UsageCounters {
  const total: UsageCounters = {
    count: 0,
    count_2xx: 0,
    count_3xx: 0,
    count_4xx: 0,
    count_5xx: 0,
    latency_sum_ms: 0,
    latency_max_ms: 0,
  };
  for (const row of rows) {
    total.count += row.count;
    total.count_2xx += row.count_2xx;
    total.count_3xx += row.count_3xx;
    total.count_4xx += row.count_4xx;
    total.count_5xx += row.count_5xx;
    total.latency_sum_ms += row.latency_sum_ms;
    total.latency_max_ms = Math.max(total.latency_max_ms, row.latency_max_ms);
  }
  return total;
}

function toDto({ latency_sum_ms: latencySum, ...counters }: UsageCounters): UsageCountersDto {
  return { ...counters, latency_avg_ms: counters.count ? Math.round((latencySum / counters.count) * 1000) / 1000 : 0 };
}

function groupBy(
  rows: readonly UsageBucketRow[],
  keyOf: (row: UsageBucketRow) => string,
): Array<[string, UsageBucketRow[]]> {
  const groups = new Map<string, UsageBucketRow[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return [...groups.entries()];
}
