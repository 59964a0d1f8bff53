import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsoDateParameter, LimitParameter } from '@rs/stac';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT, PLATFORMS, PLATFORM_LIST_PATTERN } from '../cadip.constants';

/** `GET /cadip/{station}/session`: at least one of id, platform, or both dates. */
export class SessionQueryDto {
  @ApiPropertyOptional({
    description: 'Session ids, comma-separated',
    example: 'S1A_20240101T010700051001',
    maxLength: 4000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  id?: string;

  @ApiPropertyOptional({
    description: `Platforms, comma-separated: ${Object.keys(PLATFORMS).join(', ')} (any case)`,
    example: 'S1A,S2B',
    maxLength: 200,
    pattern: PLATFORM_LIST_PATTERN,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(new RegExp(PLATFORM_LIST_PATTERN), {
    message: `platform must be a comma-separated list of ${Object.keys(PLATFORMS).join(', ')}`,
  })
  platform?: string;

  @IsoDateParameter(
    'start_date',
    'Sessions that start at or after this time (ISO 8601); with `stop_date`, not after it',
    '2024-01-01T00:00:00Z',
  )
  start_date?: string;

  @IsoDateParameter('stop_date', 'Sessions that start at or before this time (ISO 8601)', '2024-01-03T00:00:00Z')
  stop_date?: string;

  @LimitParameter('sessions', DEFAULT_LIMIT, MAX_LIMIT)
  limit?: number;
}
