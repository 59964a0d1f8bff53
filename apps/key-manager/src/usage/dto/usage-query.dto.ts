import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import type { UsageGranularity } from '../usage.repository';

export class UsageQuery {
  @ApiProperty({ description: 'The key id shown by "List My Api Keys".' })
  @IsUUID('4', { message: "Query parameter 'id' must be a key id (UUID)" })
  id!: string;

  @ApiPropertyOptional({
    description:
      'Start of the range, ISO 8601 (rounded down to the hour or day). Default: 24 hours (hour) or 30 days (day) before `to`.',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: "Query parameter 'from' must be an ISO 8601 date, e.g. 2030-01-31T00:00:00Z" },
  )
  from?: string;

  @ApiPropertyOptional({ description: 'End of the range (excluded), ISO 8601. Default: now.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "Query parameter 'to' must be an ISO 8601 date, e.g. 2030-01-31T00:00:00Z" })
  to?: string;

  @ApiPropertyOptional({
    enum: ['hour', 'day'],
    default: 'day',
    description: 'Bucket size. Hour buckets are kept for a limited time (30 days by default); day buckets stay.',
  })
  @IsOptional()
  @IsIn(['hour', 'day'], { message: "Query parameter 'granularity' must be 'hour' or 'day'" })
  granularity?: UsageGranularity;
}
