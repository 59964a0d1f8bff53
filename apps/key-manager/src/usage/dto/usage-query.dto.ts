import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsDateTimeParameter, KEY_ID_PATTERN } from '../../api-keys/dto/query-formats';
import type { UsageGranularity } from '../usage.repository';

export class UsageQuery {
  @ApiProperty({ description: 'The key id shown by "List My Api Keys".', format: 'uuid', pattern: KEY_ID_PATTERN })
  @IsUUID('4', { message: "Query parameter 'id' must be a key id (UUID)" })
  id!: string;

  @ApiPropertyOptional({
    description:
      'Start of the range, RFC 3339 (rounded down to the hour or day), before `to`. Default: 24 hours (hour) or ' +
      '30 days (day) before `to`. The range spans at most 31 days (hour) or 366 days (day).',
    format: 'date-time',
  })
  @IsOptional()
  @IsDateTimeParameter('from')
  from?: string;

  @ApiPropertyOptional({ description: 'End of the range (excluded), RFC 3339. Default: now.', format: 'date-time' })
  @IsOptional()
  @IsDateTimeParameter('to')
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
