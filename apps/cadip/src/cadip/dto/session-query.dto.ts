import { ApiPropertyOptional } from '@nestjs/swagger';
import { LimitParameter } from '@rs/stac';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../cadip.constants';

/** `GET /cadip/{station}/session`: at least one of id, platform, or both dates. */
export class SessionQueryDto {
  @ApiPropertyOptional({ description: 'Session ids, comma-separated', example: 'S1A_20240101T010700051001' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  id?: string;

  @ApiPropertyOptional({ description: 'Platforms, comma-separated', example: 'S1A,S2B' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  platform?: string;

  @ApiPropertyOptional({
    description: 'Sessions that start at or after this time (ISO 8601)',
    example: '2024-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  start_date?: string;

  @ApiPropertyOptional({
    description: 'Sessions that start at or before this time (ISO 8601)',
    example: '2024-01-03T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  stop_date?: string;

  @LimitParameter('sessions', DEFAULT_LIMIT, MAX_LIMIT)
  limit?: number;
}
